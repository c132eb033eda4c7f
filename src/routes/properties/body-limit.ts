// Property writes accept at most 64 KiB: checked against Content-Length first and counted while reading, so a
// chunked or lying body is cut off as soon as it passes the limit.
import { bodyLimit } from "hono/body-limit";
import { ApiError } from "../../errors.ts";

export const MAX_PROPERTY_BODY_BYTES = 64 * 1024;

export function propertyBodyLimit() {
  return bodyLimit({
    maxSize: MAX_PROPERTY_BODY_BYTES,
    onError() {
      throw new ApiError("payload_too_large", {
        detail: `Bodies are limited to ${MAX_PROPERTY_BODY_BYTES} bytes.`,
      });
    },
  });
}
