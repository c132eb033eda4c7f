// ETags and If-Match for properties. The ETag is the row's version, quoted (strong: every write bumps it and the
// representation is a function of the row). If-Match is required on PUT, PATCH and DELETE (428 without it):
// an unconditional write would silently overwrite a change the client never saw (the lost-update problem).
import { ApiError } from "../../errors.ts";

export function etagOf(version: number): string {
  return `"${version}"`;
}

/**
 * The version an If-Match header names. A list matches if any member is current; a weak tag never matches
 * (RFC 9110 requires strong comparison); `*` is not accepted because it would make the write unconditional.
 */
export function expectedVersions(header: string | undefined): number[] {
  if (header === undefined || header.trim() === "") {
    throw new ApiError("precondition_required", {
      detail: 'This write needs If-Match with the ETag from GET, e.g. If-Match: "3".',
    });
  }
  const versions = header
    .split(",")
    .map((member) => /^\s*"([0-9]{1,9})"\s*$/.exec(member)?.[1])
    .filter((version): version is string => version !== undefined)
    .map(Number);
  if (versions.length === 0) {
    throw new ApiError("precondition_failed", { detail: "If-Match names no current ETag of this property." });
  }
  return versions;
}
