// Typed access to the test-only bindings the Workers-pool config adds on top of wrangler.toml's.
import { env } from "cloudflare:workers";

export interface TestBindings {
  ADMIN_DATABASE_URL: string;
  NEON_ENDPOINT_URL: string;
  HANGING_DATABASE_URL: string;
}

export const testEnv = env as unknown as Env & TestBindings;
