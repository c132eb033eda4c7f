// Request bodies are bounded on every route that takes one: checked against Content-Length first and counted
// while reading, so a chunked or lying body is cut off as soon as it passes the route's limit, before anything
// parses it. Routes validated by zod-openapi put `bodyLimit(...)` in their middleware; the ingest routes read
// their bodies by hand with the same cap (domain/capped-stream.ts, also used for fetched feed pages).
import { bodyLimit as honoBodyLimit } from "hono/body-limit";
import { ApiError } from "../errors.ts";

/** Property writes: a property document is a few hundred bytes; 64 KiB leaves room for long text fields. */
export const MAX_PROPERTY_BODY_BYTES = 64 * 1024;
/** An ad-hoc valuation subject: a couple of dozen numbers. */
export const MAX_VALUATION_BODY_BYTES = 16 * 1024;
/** A user update: one status. */
export const MAX_USER_BODY_BYTES = 1024;

export function bodyLimit(maxBytes: number) {
  return honoBodyLimit({
    maxSize: maxBytes,
    onError() {
      throw new ApiError("payload_too_large", { detail: `Bodies are limited to ${maxBytes} bytes.` });
    },
  });
}
