// Typed access to the test-only bindings the Workers-pool config adds on top of wrangler.toml's.
import { env } from "cloudflare:workers";

export interface TestBindings {
  ADMIN_DATABASE_URL: string;
  NEON_ENDPOINT_URL: string;
  HANGING_DATABASE_URL: string;
  /** JSON of the local issuer's signing key (kid, privateJwk, publicJwk). */
  OIDC_TEST_SIGNING_KEY: string;
  /** A real Qdrant for the live contract run; empty when the QDRANT_URL environment variable is unset. */
  QDRANT_LIVE_URL: string;
  QDRANT_LIVE_API_KEY: string;
}

export const testEnv = env as unknown as Env & TestBindings;
