// Errors to Sentry, only when a DSN is configured. The decision is made once per invocation at the entry:
// without SENTRY_DSN the plain handler runs and the SDK is never initialised, so there is no client, no
// transport and no outbound request. With it, @sentry/cloudflare wraps the invocation (scope, flush via
// waitUntil) and the API's error handler reports server errors, because Hono answers thrown errors itself and
// they never reach the wrapper.
import * as Sentry from "@sentry/cloudflare";

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
  // withSentry instruments the object it is given in place, so it gets its own copy.
  const instrumented = Sentry.withSentry((env: Env) => sentryOptions(env, overrides), { ...handler });
  const pick = (env: Env) => (sentryDsn(env) ? instrumented : handler);
  const wrapped: ExportedHandler<Env> = {};
  if (handler.fetch) wrapped.fetch = (request, env, ctx) => pick(env).fetch?.(request, env, ctx) as never;
  if (handler.queue) wrapped.queue = (batch, env, ctx) => pick(env).queue?.(batch, env, ctx) as never;
  if (handler.scheduled)
    wrapped.scheduled = (controller, env, ctx) => pick(env).scheduled?.(controller, env, ctx) as never;
  return wrapped;
}

export interface ServerErrorTags {
  requestId?: string | undefined;
  tenantId?: string | undefined;
  errorCode?: string | undefined;
}

/** Reports a server error with the request id and tenant as tags; a no-op when no Sentry client is active. */
export function reportServerError(error: unknown, tags: ServerErrorTags): void {
  if (!Sentry.getClient()) return;
  try {
    Sentry.withScope((scope) => {
      if (tags.requestId) scope.setTag("request_id", tags.requestId);
      scope.setTag("tenant_id", tags.tenantId ?? "anonymous");
      if (tags.errorCode) scope.setTag("error_code", tags.errorCode);
      Sentry.captureException(error);
    });
  } catch {
    // Error reporting must never turn one failure into two.
  }
}
