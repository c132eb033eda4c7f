// Worker entry: fetch (the API), and the Durable Object classes wrangler.toml binds. Errors go to Sentry only
// when SENTRY_DSN is set (observability/sentry.ts).
import { createApp } from "./app.ts";
import { withOptionalSentry } from "./observability/sentry.ts";

export { RateLimiterObject } from "../durable-objects/rate-limiter/object.ts";

const app = createApp();

export default withOptionalSentry({
  fetch: app.fetch,
});
