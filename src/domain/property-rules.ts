// Rules that involve more than one field of a property, checked on the state a write would leave (after a
// merge patch is applied), so POST, PUT and PATCH agree. Single-field types and ranges live in the zod schemas.
import type { FieldIssue } from "../errors.ts";
import type { ListingStatus } from "./property-status.ts";

export interface PropertyRuleState {
  status: ListingStatus;
  closingPrice?: number | null;
  closingDate?: string | null;
  latitude?: number | null;
  longitude?: number | null;
  yearBuilt?: number | null;
  yearRenovated?: number | null;
}

export function propertyRuleIssues(state: PropertyRuleState): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (state.status === "sold") {
    if (state.closingPrice == null) issues.push({ field: "closingPrice", message: "Required when sold." });
    if (state.closingDate == null) issues.push({ field: "closingDate", message: "Required when sold." });
  } else {
    if (state.closingPrice != null)
      issues.push({ field: "closingPrice", message: "Allowed only when status is sold." });
    if (state.closingDate != null)
      issues.push({ field: "closingDate", message: "Allowed only when status is sold." });
  }
  if ((state.latitude == null) !== (state.longitude == null)) {
    const missing = state.latitude == null ? "latitude" : "longitude";
    issues.push({ field: missing, message: "latitude and longitude go together." });
  }
  if (state.yearBuilt != null && state.yearRenovated != null && state.yearRenovated < state.yearBuilt) {
    issues.push({ field: "yearRenovated", message: "Must not be before yearBuilt." });
  }
  return issues;
}

/**
 * Applies a JSON merge patch (RFC 7396) to a flat property: a member set to null clears the field, an absent
 * member keeps it. A status change away from sold clears the closing fields unless the patch names them, so a
 * relisting is just {"status": "active"}.
 */
export function applyMergePatch<
  T extends { status: ListingStatus; closingPrice?: unknown; closingDate?: unknown },
>(current: T, patch: Partial<T>): T {
  const merged = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
  }
  if (current.status === "sold" && merged.status !== "sold") {
    if (!("closingPrice" in patch)) (merged as Record<string, unknown>).closingPrice = null;
    if (!("closingDate" in patch)) (merged as Record<string, unknown>).closingDate = null;
  }
  return merged;
}
