// Stand-in so that `wrangler deploy --dry-run` accepts the RATE_LIMITER binding of the staging and production
// environments; the rate limiter's own implementation (issue: rate limiting) replaces this file whole.
import { DurableObject } from "cloudflare:workers";

export class RateLimiterObject extends DurableObject<Env> {}
