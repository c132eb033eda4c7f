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
  oidc: z.object({
    issuer: z.string().url(),
    audience: z.string().min(1),
    jwksUrl: z.string().url(),
    // Asymmetric algorithms only: HS* would let anyone holding the public key sign, and "none" signs nothing.
    algorithms: z
      .string()
      .transform((value) => value.split(",").map((item) => item.trim()))
      .pipe(
        z
          .array(z.enum(["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA"]))
          .min(1),
      ),
    clockToleranceSeconds: z.coerce.number().int().min(0).max(300),
    maxTokenAgeSeconds: z.coerce
      .number()
      .int()
      .min(60)
      .max(7 * 86_400),
    tenantClaim: z.string().min(1),
    /** Dotted path of the roles array in the token (Keycloak: realm_access.roles; generic: roles). */
    rolesClaim: z.string().min(1),
    /** When set, Keycloak client roles (resource_access.<client>.roles) count too. */
    clientId: z.string().optional(),
  }),
  vector: z
    .object({
      index: z.enum(["pgvector", "qdrant"]),
      qdrant: z
        .object({
          url: z.string().url(),
          apiKey: z.string().min(1).optional(),
          collection: z.string().regex(/^[a-z0-9_-]{1,255}$/),
          timeoutMs: z.coerce.number().int().min(100).max(30_000),
          maxAttempts: z.coerce.number().int().min(1).max(10),
        })
        .optional(),
    })
    .refine((vector) => vector.index !== "qdrant" || vector.qdrant !== undefined, {
      message: "VECTOR_INDEX=qdrant needs QDRANT_URL",
      path: ["qdrant"],
    }),
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
    oidc: {
      issuer: env.OIDC_ISSUER,
      audience: env.OIDC_AUDIENCE,
      jwksUrl: env.OIDC_JWKS_URL,
      algorithms: env.OIDC_ALGORITHMS,
      clockToleranceSeconds: env.OIDC_CLOCK_TOLERANCE_SECONDS,
      maxTokenAgeSeconds: env.OIDC_MAX_TOKEN_AGE_SECONDS,
      tenantClaim: env.OIDC_TENANT_CLAIM,
      rolesClaim: env.OIDC_ROLES_CLAIM,
      clientId: env.OIDC_CLIENT_ID || undefined,
    },
    vector: {
      index: env.VECTOR_INDEX || "pgvector",
      qdrant: env.QDRANT_URL
        ? {
            url: env.QDRANT_URL,
            // A secret (`wrangler secret put QDRANT_API_KEY`), so not among wrangler.toml's typed vars.
            apiKey: (env as { QDRANT_API_KEY?: string }).QDRANT_API_KEY || undefined,
            collection: `properties_${env.ENVIRONMENT}`,
            timeoutMs: env.QDRANT_TIMEOUT_MS || "3000",
            maxAttempts: env.QDRANT_MAX_ATTEMPTS || "4",
          }
        : undefined,
    },
  });
  if (!parsed.success) {
    // Names the settings, never their values (the connection string carries a password).
    const names = parsed.error.issues.map((issue) => issue.path.join(".")).join(", ");
    throw new ApiError("configuration_error", { detail: `Invalid settings: ${names}` });
  }
  cache.set(env, parsed.data);
  return parsed.data;
}
