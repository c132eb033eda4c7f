// Every error leaves as RFC 9457 application/problem+json with the request id; never a stack or SQL text.
import type { Context, ErrorHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "../app-types.ts";
import { ApiError } from "../errors.ts";
import { writeLog } from "../observability/log.ts";
import { reportServerError } from "../observability/sentry.ts";

type AppContext = Context<AppEnv>;

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

/** Paths under this prefix speak OData (the RESO Web API): their errors are OData error JSON. */
export const ODATA_PATH_PREFIX = "/reso/";

/**
 * The OData JSON error format (OData 4.01 JSON section 21): code, message, the first bad input as target and
 * every one in details; the request id in innererror. Same statuses and headers as problem+json.
 */
function odataErrorResponse(c: AppContext, error: ApiError): Response {
  const requestId = c.get("requestId");
  const first = error.errors?.[0];
  const body = {
    error: {
      code: error.code,
      message: error.detail ?? error.title,
      ...(first ? { target: first.field } : {}),
      ...(error.errors
        ? {
            details: error.errors.map((issue) => ({
              code: error.code,
              message: issue.message,
              target: issue.field,
            })),
          }
        : {}),
      innererror: { requestId, ...error.extensions },
    },
  };
  const headers = new Headers({
    "Content-Type": "application/json",
    "OData-Version": "4.0",
    ...error.headers,
  });
  if (requestId) headers.set("X-Request-Id", requestId);
  return new Response(JSON.stringify(body), { status: error.status, headers });
}

export function problemResponse(c: AppContext, error: ApiError): Response {
  if (new URL(c.req.url).pathname.startsWith(ODATA_PATH_PREFIX)) return odataErrorResponse(c, error);
  const requestId = c.get("requestId");
  const body = {
    type: `https://real-estate-os.dev/problems/${error.code.replaceAll("_", "-")}`,
    title: error.title,
    status: error.status,
    ...(error.detail ? { detail: error.detail } : {}),
    instance: new URL(c.req.url).pathname,
    code: error.code,
    requestId,
    ...(error.errors ? { errors: error.errors } : {}),
    ...error.extensions,
  };
  const headers = new Headers({ "Content-Type": PROBLEM_CONTENT_TYPE, ...error.headers });
  if (requestId) headers.set("X-Request-Id", requestId);
  return new Response(JSON.stringify(body), { status: error.status, headers });
}

function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof HTTPException) {
    // Hono's own failures (e.g. its body-limit or a malformed JSON body) carry only a status.
    if (error.status === 413) return new ApiError("payload_too_large", { cause: error });
    if (error.status === 400)
      return new ApiError("bad_request", { detail: "Malformed request body.", cause: error });
    if (error.status === 401) return new ApiError("unauthorized", { cause: error });
    if (error.status === 415) return new ApiError("unsupported_media_type", { cause: error });
  }
  return new ApiError("internal", { cause: error });
}

export const handleError: ErrorHandler<AppEnv> = (error, c) => {
  const apiError = asApiError(error);
  const event = c.get("event");
  if (event) event.errorCode = apiError.code;
  if (apiError.status >= 500) {
    const cause = apiError.cause ?? error;
    writeLog(c.get("settings")?.logLevel ?? "info", "error", "server error", {
      requestId: c.get("requestId"),
      code: apiError.code,
      ...(apiError.detail ? { detail: apiError.detail } : {}),
      error: cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause),
    });
    reportServerError(cause, {
      requestId: c.get("requestId"),
      tenantId: event?.tenantId,
      errorCode: apiError.code,
    });
  }
  // What is misconfigured (setting names, the identity provider's answers) is for the operator, who finds it
  // in the log line above by the request id; the client learns only that the server failed.
  return problemResponse(c, apiError.code === "configuration_error" ? new ApiError("internal") : apiError);
};

/** No route answered: 405 with Allow when the path exists for other methods, else 404. */
export function handleNotFound(c: AppContext, allowed: readonly string[] = []): Response {
  if (allowed.length === 0)
    return problemResponse(c, new ApiError("not_found", { detail: "No such route." }));
  return problemResponse(
    c,
    new ApiError("method_not_allowed", {
      detail: `${c.req.method} is not allowed here; use ${allowed.join(", ")}.`,
      headers: { Allow: allowed.join(", ") },
    }),
  );
}
