// Typed access to the test-only bindings the Workers-pool config adds on top of wrangler.toml's.
import { env } from "cloudflare:workers";

export interface TestBindings {
  ADMIN_DATABASE_URL: string;
  NEON_ENDPOINT_URL: string;
  HANGING_DATABASE_URL: string;
  /** JSON of the local issuer's signing key (kid, privateJwk, publicJwk). */
  OIDC_TEST_SIGNING_KEY: string;
}

export const testEnv = env as unknown as Env & TestBindings;
