// Errors to Sentry, only when a DSN is configured. The decision is made per invocation at the entry: without
// SENTRY_DSN the plain handler runs and the SDK is not even loaded (its module is imported on first use), so
// there is no client, no transport and no outbound request, and cold starts do not pay for it. With it,
// @sentry/cloudflare wraps the invocation (scope, flush via waitUntil) and the API's error handler reports
// server errors, because Hono answers thrown errors itself and they never reach the wrapper.
import type * as Sentry from "@sentry/cloudflare";

type SentrySdk = typeof Sentry;

let sdkLoading: Promise<SentrySdk> | undefined;
let sdk: SentrySdk | undefined;

function loadSdk(): Promise<SentrySdk> {
  sdkLoading ??= import("@sentry/cloudflare").then((module) => {
    sdk = module;
    return module;
  });
  return sdkLoading;
}

/** Secrets that may be absent; `wrangler types` only knows the required ones. */
export interface OptionalSecrets {
  SENTRY_DSN?: string;
}

export type SentryOverrides = Partial<Sentry.CloudflareOptions>;

export function sentryDsn(env: unknown): string | undefined {
  const dsn = (env as OptionalSecrets | undefined)?.SENTRY_DSN;
  return typeof dsn === "string" && dsn.trim() !== "" ? dsn.trim() : undefined;
}

/** Drops everything that can carry a credential or personal data: headers, cookies, query, body, user, IP. */
export function scrubEvent<T extends Sentry.ErrorEvent>(event: T): T {
  if (event.request) {
    const { url, method } = event.request;
    event.request = {
      ...(url ? { url: url.split("?")[0] } : {}),
      ...(method ? { method } : {}),
    };
  }
  delete event.user;
  if (event.breadcrumbs) {
    // Fetch breadcrumbs hold full URLs (query strings); console ones are our own JSON lines, already clean.
    event.breadcrumbs = event.breadcrumbs.filter(
      (crumb) => crumb.category !== "fetch" && crumb.category !== "xhr",
    );
  }
  return event;
}

const NO_PERSONAL_DATA = {
  userInfo: false,
  cookies: false,
  httpHeaders: false,
  httpBodies: [],
  urlQueryParams: false,
  databaseQueryData: false,
  queues: false,
  stackFrameVariables: false,
  graphQL: { document: false, variables: false },
  genAI: { inputs: false, outputs: false },
} satisfies Sentry.CloudflareOptions["dataCollection"];

export function sentryOptions(env: Env, overrides: SentryOverrides = {}): Sentry.CloudflareOptions {
  return {
    dsn: sentryDsn(env),
    environment: env.ENVIRONMENT,
    release: env.APP_VERSION,
    // SDK 11 replaced `sendDefaultPii` with per-category switches; every category that can hold a credential or
    // personal data is off, and beforeSend strips what an integration might still attach.
    dataCollection: NO_PERSONAL_DATA,
    // Errors only: request rates and latencies live in Analytics Engine.
    tracesSampleRate: 0,
    beforeSend: scrubEvent,
    ...overrides,
  };
}

/**
 * Wraps an exported handler so each invocation runs under Sentry only when the environment has a DSN.
 * `overrides` exists for tests (a recording transport); production passes nothing.
 */
export function withOptionalSentry(
  handler: ExportedHandler<Env>,
  overrides: SentryOverrides = {},
): ExportedHandler<Env> {
  let instrumented: Promise<ExportedHandler<Env>> | undefined;
  // withSentry instruments the object it is given in place, so it gets its own copy.
  const withSdk = () =>
    (instrumented ??= loadSdk().then((loaded) =>
      loaded.withSentry((env: Env) => sentryOptions(env, overrides), { ...handler }),
    ));
  const pick = async (env: Env) => (sentryDsn(env) ? withSdk() : handler);
  const wrapped: ExportedHandler<Env> = {};
  const { fetch, queue, scheduled } = handler;
  if (fetch) {
    wrapped.fetch = async (request, env, ctx) => ((await pick(env)).fetch ?? fetch)(request, env, ctx);
  }
  if (queue) {
    wrapped.queue = async (batch, env, ctx) => ((await pick(env)).queue ?? queue)(batch, env, ctx);
  }
  if (scheduled) {
    wrapped.scheduled = async (controller, env, ctx) =>
      ((await pick(env)).scheduled ?? scheduled)(controller, env, ctx);
  }
  return wrapped;
}

export interface ServerErrorTags {
  requestId?: string | undefined;
  tenantId?: string | undefined;
  errorCode?: string | undefined;
}

/** Reports a server error with the request id and tenant as tags; a no-op when no Sentry client is active. */
export function reportServerError(error: unknown, tags: ServerErrorTags): void {
  // No DSN means the SDK was never loaded; a loaded SDK without a client for this invocation reports nothing.
  if (!sdk?.getClient()) return;
  const loaded = sdk;
  try {
    loaded.withScope((scope) => {
      if (tags.requestId) scope.setTag("request_id", tags.requestId);
      scope.setTag("tenant_id", tags.tenantId ?? "anonymous");
      if (tags.errorCode) scope.setTag("error_code", tags.errorCode);
      loaded.captureException(error);
    });
  } catch {
    // Error reporting must never turn one failure into two.
  }
}
