// One error class and one table from error code to HTTP status. Every error leaves the API as RFC 9457
// application/problem+json (see middleware/errors.ts); nothing else may throw out of a service.
import type { z } from "zod";
import { NUL_MESSAGE, nulFieldPaths } from "./domain/nul-text.ts";

export const ERROR_CATALOG = {
  bad_request: { status: 400, title: "Bad request" },
  invalid_cursor: { status: 400, title: "Invalid cursor" },
  unauthorized: { status: 401, title: "Unauthorized" },
  forbidden: { status: 403, title: "Forbidden" },
  tenant_inactive: { status: 403, title: "Tenant not active" },
  not_found: { status: 404, title: "Not found" },
  method_not_allowed: { status: 405, title: "Method not allowed" },
  conflict: { status: 409, title: "Conflict" },
  duplicate_address: { status: 409, title: "Duplicate address" },
  idempotency_conflict: { status: 409, title: "Request in progress" },
  changes_cursor_expired: { status: 410, title: "Changes cursor expired" },
  precondition_failed: { status: 412, title: "Precondition failed" },
  payload_too_large: { status: 413, title: "Payload too large" },
  unsupported_media_type: { status: 415, title: "Unsupported media type" },
  validation_failed: { status: 422, title: "Validation failed" },
  idempotency_key_reused: { status: 422, title: "Idempotency key reused" },
  outside_model_area: { status: 422, title: "Outside the valuation model's area" },
  precondition_required: { status: 428, title: "Precondition required" },
  rate_limited: { status: 429, title: "Too many requests" },
  internal: { status: 500, title: "Internal server error" },
  configuration_error: { status: 500, title: "Service misconfigured" },
  upstream_unavailable: { status: 502, title: "Upstream unavailable" },
  database_unavailable: { status: 503, title: "Database unavailable" },
  service_unavailable: { status: 503, title: "Service unavailable" },
  database_timeout: { status: 504, title: "Database timeout" },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOG;

/**
 * One entry of a problem's `errors[]`, the only shape a 400 or 422 names its bad inputs in: `field` is the dotted
 * path inside the part of the request that failed (a body member such as "price" or "records.3.zip", a query
 * parameter, a path parameter such as "id", a header such as "if-match"), "(root)" for the part as a whole.
 */
export interface FieldIssue {
  field: string;
  message: string;
}

/** A problem lists at most this many issues: enough to fix a request, bounded for a 1,000-record upload. */
export const MAX_FIELD_ISSUES = 50;

/** A zod failure as `errors[]` entries; an unknown member is one entry per member, named in `field`. */
export function fieldIssues(error: z.ZodError, prefix?: string): FieldIssue[] {
  const fieldOf = (path: readonly PropertyKey[]) =>
    [prefix, ...path.map(String)].filter(Boolean).join(".") || "(root)";
  return error.issues
    .flatMap((issue): FieldIssue[] =>
      issue.code === "unrecognized_keys"
        ? issue.keys.map((key) => ({ field: fieldOf([...issue.path, key]), message: "Unknown field." }))
        : [{ field: fieldOf(issue.path), message: issue.message }],
    )
    .slice(0, MAX_FIELD_ISSUES);
}

export interface ApiErrorOptions {
  detail?: string;
  /** Per-field problems for validation errors. */
  errors?: FieldIssue[];
  /** Response headers the error needs (Retry-After, WWW-Authenticate, Location ...). */
  headers?: Record<string, string>;
  /** Extra problem members (RFC 9457 extensions), e.g. `existingId`. */
  extensions?: Record<string, unknown>;
  cause?: unknown;
}

export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly title: string;
  readonly detail: string | undefined;
  readonly errors: FieldIssue[] | undefined;
  readonly headers: Record<string, string>;
  readonly extensions: Record<string, unknown>;

  constructor(code: ErrorCode, options: ApiErrorOptions = {}) {
    super(options.detail ?? ERROR_CATALOG[code].title, { cause: options.cause });
    this.name = "ApiError";
    this.code = code;
    this.status = ERROR_CATALOG[code].status;
    this.title = ERROR_CATALOG[code].title;
    this.detail = options.detail;
    this.errors = options.errors;
    this.headers = options.headers ?? {};
    this.extensions = options.extensions ?? {};
  }
}

/**
 * Refuses text containing U+0000 anywhere in `value` (domain/nul-text.ts): 422 for a body, 400 for the other
 * parts of a request, one entry per field.
 */
export function refuseNulText(
  value: unknown,
  part: "body" | "query" | "path" | "header",
  prefix?: string,
): void {
  const fields = nulFieldPaths(value, prefix ? [prefix] : []);
  if (fields.length === 0) return;
  const errors = fields.map((field) => ({ field, message: NUL_MESSAGE }));
  if (part === "body")
    throw new ApiError("validation_failed", { detail: "The request body is not valid.", errors });
  throw new ApiError("bad_request", { detail: `Invalid ${part}.`, errors });
}
