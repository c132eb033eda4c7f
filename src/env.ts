// Bindings come from `wrangler types` (worker-configuration.d.ts, checked for drift in CI). String settings are
// validated here once per isolate and env object, in fetch, queue and scheduled alike.
import { z } from "zod";
import { ApiError } from "./errors.ts";

const settingsSchema = z.object({
  environment: z.enum(["development", "test", "staging", "production"]),
  appVersion: z.string().min(1),
  databaseUrl: z
    .string()
    .url()
    .refine((value) => /^postgres(ql)?:\/\//.test(value), "must be a postgres:// connection string"),
  dbTimeoutMs: z.coerce.number().int().min(100).max(60_000),
  logLevel: z.enum(["debug", "info", "warn", "error"]),
});

export type Settings = z.infer<typeof settingsSchema>;

const cache = new WeakMap<object, Settings>();

export function loadSettings(env: Env): Settings {
  const cached = cache.get(env);
  if (cached) return cached;
  const parsed = settingsSchema.safeParse({
    environment: env.ENVIRONMENT,
    appVersion: env.APP_VERSION,
    databaseUrl: env.DATABASE_URL,
    dbTimeoutMs: env.DB_TIMEOUT_MS,
    logLevel: env.LOG_LEVEL,
  });
  if (!parsed.success) {
    // Names the settings, never their values (the connection string carries a password).
    const names = parsed.error.issues.map((issue) => issue.path.join(".")).join(", ");
    throw new ApiError("configuration_error", { detail: `Invalid settings: ${names}` });
  }
  cache.set(env, parsed.data);
  return parsed.data;
}
