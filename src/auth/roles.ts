// Roles, from least to most privileged; each includes the ones before it.
export const ROLES = ["viewer", "editor", "admin"] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

/** Whether a caller holding `held` may act where `required` is needed. */
export function hasRole(held: readonly Role[], required: Role): boolean {
  const needed = ROLES.indexOf(required);
  return held.some((role) => ROLES.indexOf(role) >= needed);
}
