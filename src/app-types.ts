// The Hono environment of the app: its bindings and the context variables the middleware set. Kept apart from
// app.ts (which imports every router) so that routes and middleware can name the type without an import cycle.
import type { AuthVariables } from "./middleware/auth.ts";
import type { RateLimitVariables } from "./middleware/rate-limit.ts";
import type { RequestContextVariables } from "./middleware/request-context.ts";

export type AppVariables = RequestContextVariables & RateLimitVariables & AuthVariables;
export type AppEnv = { Bindings: Env; Variables: AppVariables };
