// Bindings come from `wrangler types` (worker-configuration.d.ts, checked for drift in CI). String settings are
// validated here once per isolate and env object, in fetch, queue and scheduled alike.
import { z } from "zod";
import { isTrustedKeyUrl } from "./auth/key-set.ts";
import { ApiError } from "./errors.ts";
import { LOG_LEVELS } from "./observability/log.ts";
import { rateLimitSettingsSchema } from "./rate-limit-policies.ts";

const HTTPS_ONLY = "must be https (plain http only on loopback)";

/** An unset or empty variable is undefined. */
const optionalString = z.preprocess(
  (value) => (value === "" || value === null ? undefined : value),
  z.string().min(1).optional(),
);

function optionalInteger(min: number, max: number, fallback: number) {
  return z.preprocess(
    (value) => (value === "" || value === null || value === undefined ? fallback : value),
    z.coerce.number().int().min(min).max(max),
  );
}

const settingsSchema = z.object({
  environment: z.enum(["development", "test", "staging", "production"]),
  appVersion: z.string().min(1),
  databaseUrl: z
    .string()
    .url()
    .refine((value) => /^postgres(ql)?:\/\//.test(value), "must be a postgres:// connection string"),
  dbTimeoutMs: z.coerce.number().int().min(100).max(60_000),
  /** The cron's cross-tenant connection (app_admin); optional for the request path, required by the cron. */
  adminDatabaseUrl: z
    .string()
    .url()
    .refine((value) => /^postgres(ql)?:\/\//.test(value), "must be a postgres:// connection string")
    .optional(),
  /** Where OpenLineage run events are POSTed; events are only stored when it is absent. */
  openLineageUrl: z.string().url().optional(),
  logLevel: z.enum(LOG_LEVELS),
  /** The queue whose deliveries are dead letters: wrangler.toml's dead_letter_queue of the enrichment consumer. */
  deadLetterQueue: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "must be a queue name"),
  /** Whether responses carry a Server-Timing field (time in auth, rate limiting and the database). */
  serverTiming: z
    .preprocess((value) => value || "false", z.enum(["true", "false"]))
    .transform((value) => value === "true"),
  rateLimits: rateLimitSettingsSchema,
  oidc: z
    .object({
      issuer: z.string().url(),
      audience: z.string().min(1),
      /** Exactly one of jwksUrl and discoveryUrl is set (an empty variable counts as unset). */
      jwksUrl: optionalString.pipe(z.string().url().refine(isTrustedKeyUrl, HTTPS_ONLY).optional()),
      discoveryUrl: optionalString.pipe(z.string().url().refine(isTrustedKeyUrl, HTTPS_ONLY).optional()),
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
      clientId: optionalString,
      /** How long fetched keys are used without asking the IdP again. */
      jwksCacheMaxAgeSeconds: optionalInteger(1, 86_400, 600),
      /** Minimum interval between refetches triggered by an unknown kid. */
      jwksCooldownSeconds: optionalInteger(0, 3_600, 30),
      /** How long stale keys keep verifying past the max age while the JWKS endpoint cannot be reached. */
      jwksStaleGraceSeconds: optionalInteger(0, 86_400, 3_600),
      /** Timeout of each discovery or JWKS fetch. */
      httpTimeoutMs: optionalInteger(100, 30_000, 3_000),
    })
    .refine((oidc) => Boolean(oidc.jwksUrl) !== Boolean(oidc.discoveryUrl), {
      message: "set exactly one of OIDC_JWKS_URL and OIDC_DISCOVERY_URL",
      path: ["jwksUrl"],
    }),
  /** Optional secret: errors are reported to Sentry only when it is set (observability/sentry.ts). */
  sentryDsn: z.string().url().optional(),
  vector: z
    .object({
      index: z.enum(["pgvector", "qdrant"]),
      /** Where /comps candidates come from: the SQL bounding box (nearest first) or the vector index. */
      comps: z.enum(["sql", "vector"]),
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

const guardedSettingsSchema = settingsSchema.superRefine((settings, ctx) => {
  // "off" exists for local benchmarks and debugging; production must never run without a limit.
  if (settings.environment !== "production") return;
  const { anon, authFailures, tenant, plans } = settings.rateLimits;
  const policies = [
    { path: ["rateLimits", "anon"], policy: anon },
    { path: ["rateLimits", "authFailures"], policy: authFailures },
    { path: ["rateLimits", "tenant"], policy: tenant },
    ...Object.entries(plans).map(([plan, policy]) => ({ path: ["rateLimits", "plans", plan], policy })),
  ];
  for (const { path, policy } of policies) {
    if (policy === null)
      ctx.addIssue({ code: "custom", path, message: "rate limits cannot be off in production" });
  }
});

export type Settings = z.infer<typeof settingsSchema>;

/** The variable (or secret) each setting comes from, so a configuration error names what an operator sets. */
const SETTING_VARIABLES: Readonly<Record<string, string>> = {
  environment: "ENVIRONMENT",
  appVersion: "APP_VERSION",
  databaseUrl: "DATABASE_URL",
  dbTimeoutMs: "DB_TIMEOUT_MS",
  adminDatabaseUrl: "ADMIN_DATABASE_URL",
  openLineageUrl: "OPENLINEAGE_URL",
  logLevel: "LOG_LEVEL",
  deadLetterQueue: "ENRICHMENT_DEAD_LETTER_QUEUE",
  serverTiming: "SERVER_TIMING",
  "rateLimits.anon": "RATE_LIMIT_ANON",
  "rateLimits.authFailures": "RATE_LIMIT_AUTH_FAILURES",
  "rateLimits.tenant": "RATE_LIMIT_TENANT",
  "rateLimits.plans": "RATE_LIMIT_PLANS",
  "rateLimits.timeoutMs": "RATE_LIMIT_TIMEOUT_MS",
  "oidc.issuer": "OIDC_ISSUER",
  "oidc.audience": "OIDC_AUDIENCE",
  "oidc.jwksUrl": "OIDC_JWKS_URL",
  "oidc.discoveryUrl": "OIDC_DISCOVERY_URL",
  "oidc.algorithms": "OIDC_ALGORITHMS",
  "oidc.clockToleranceSeconds": "OIDC_CLOCK_TOLERANCE_SECONDS",
  "oidc.maxTokenAgeSeconds": "OIDC_MAX_TOKEN_AGE_SECONDS",
  "oidc.tenantClaim": "OIDC_TENANT_CLAIM",
  "oidc.rolesClaim": "OIDC_ROLES_CLAIM",
  "oidc.clientId": "OIDC_CLIENT_ID",
  "oidc.jwksCacheMaxAgeSeconds": "OIDC_JWKS_CACHE_MAX_AGE_SECONDS",
  "oidc.jwksCooldownSeconds": "OIDC_JWKS_COOLDOWN_SECONDS",
  "oidc.jwksStaleGraceSeconds": "OIDC_JWKS_STALE_GRACE_SECONDS",
  "oidc.httpTimeoutMs": "OIDC_HTTP_TIMEOUT_MS",
  sentryDsn: "SENTRY_DSN",
  "vector.index": "VECTOR_INDEX",
  "vector.comps": "COMPS_CANDIDATES",
  "vector.qdrant": "QDRANT_URL",
  "vector.qdrant.url": "QDRANT_URL",
  "vector.qdrant.apiKey": "QDRANT_API_KEY",
  "vector.qdrant.collection": "ENVIRONMENT",
  "vector.qdrant.timeoutMs": "QDRANT_TIMEOUT_MS",
  "vector.qdrant.maxAttempts": "QDRANT_MAX_ATTEMPTS",
};

/** The variable behind a zod issue path: the longest known prefix (e.g. rateLimits.plans.enterprise). */
export function settingVariable(path: readonly PropertyKey[]): string {
  for (let length = path.length; length > 0; length--) {
    const variable = SETTING_VARIABLES[path.slice(0, length).map(String).join(".")];
    if (variable) return variable;
  }
  return path.map(String).join(".") || "(settings)";
}

const cache = new WeakMap<object, Settings>();

export function loadSettings(env: Env): Settings {
  const cached = cache.get(env);
  if (cached) return cached;
  const parsed = guardedSettingsSchema.safeParse({
    environment: env.ENVIRONMENT,
    appVersion: env.APP_VERSION,
    databaseUrl: env.DATABASE_URL,
    dbTimeoutMs: env.DB_TIMEOUT_MS,
    adminDatabaseUrl: env.ADMIN_DATABASE_URL || undefined,
    openLineageUrl: env.OPENLINEAGE_URL || undefined,
    logLevel: env.LOG_LEVEL,
    deadLetterQueue: env.ENRICHMENT_DEAD_LETTER_QUEUE,
    serverTiming: env.SERVER_TIMING,
    rateLimits: {
      anon: env.RATE_LIMIT_ANON,
      authFailures: env.RATE_LIMIT_AUTH_FAILURES,
      tenant: env.RATE_LIMIT_TENANT,
      plans: env.RATE_LIMIT_PLANS,
      timeoutMs: env.RATE_LIMIT_TIMEOUT_MS,
    },
    oidc: {
      issuer: env.OIDC_ISSUER,
      audience: env.OIDC_AUDIENCE,
      jwksUrl: env.OIDC_JWKS_URL,
      discoveryUrl: env.OIDC_DISCOVERY_URL,
      algorithms: env.OIDC_ALGORITHMS,
      clockToleranceSeconds: env.OIDC_CLOCK_TOLERANCE_SECONDS,
      maxTokenAgeSeconds: env.OIDC_MAX_TOKEN_AGE_SECONDS,
      tenantClaim: env.OIDC_TENANT_CLAIM,
      rolesClaim: env.OIDC_ROLES_CLAIM,
      clientId: env.OIDC_CLIENT_ID,
      jwksCacheMaxAgeSeconds: env.OIDC_JWKS_CACHE_MAX_AGE_SECONDS,
      jwksCooldownSeconds: env.OIDC_JWKS_COOLDOWN_SECONDS,
      jwksStaleGraceSeconds: env.OIDC_JWKS_STALE_GRACE_SECONDS,
      httpTimeoutMs: env.OIDC_HTTP_TIMEOUT_MS,
    },
    sentryDsn: (env as Env & { SENTRY_DSN?: string }).SENTRY_DSN || undefined,
    vector: {
      index: env.VECTOR_INDEX || "pgvector",
      comps: env.COMPS_CANDIDATES || "sql",
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
    // Names the variables and what is wrong with them, never their values (a connection string carries a
    // password). The detail goes to the log only: clients get a generic 500 (middleware/errors.ts).
    const problems = parsed.error.issues.map((issue) => `${settingVariable(issue.path)} (${issue.message})`);
    throw new ApiError("configuration_error", {
      detail: `Invalid settings: ${[...new Set(problems)].join(", ")}`,
    });
  }
  cache.set(env, parsed.data);
  return parsed.data;
}
