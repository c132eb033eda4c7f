import { ApiError } from "../../errors.ts";

export const PROPERTIES_PATH = "/api/v1/properties";

/** Adds where the conflicting property lives to a duplicate_address problem (a link a client can follow). */
export async function withDuplicateLink<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    const existingId = error instanceof ApiError ? error.extensions.existingId : undefined;
    if (error instanceof ApiError && error.code === "duplicate_address" && typeof existingId === "string") {
      const href = `${PROPERTIES_PATH}/${existingId}`;
      throw new ApiError("duplicate_address", {
        detail: error.detail,
        extensions: { existingId, existing: href },
        headers: { Link: `<${href}>; rel="duplicate"` },
        cause: error.cause,
      });
    }
    throw error;
  }
}
