// Maps a verified token's claims onto the API's identity: the tenant and the roles. Which claims hold them is
// configuration (Keycloak by default: tenant_id, realm_access.roles and resource_access.<client>.roles; a
// generic IdP: a top-level `roles` array), so these are plain functions of the payload and the settings.
import type { JWTPayload } from "jose";
import { isRole, type Role } from "./roles.ts";

export interface ClaimsMapping {
  /** Claim holding the tenant id (a dotted path is followed into nested objects). */
  tenantClaim: string;
  /** Claim holding the roles array (Keycloak: realm_access.roles; generic: roles). */
  rolesClaim: string;
  /** When set, Keycloak client roles (resource_access.<clientId>.roles) count too. */
  clientId?: string | undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function ownValue(value: unknown, key: string): unknown {
  // Own properties only: a path like "constructor" or "__proto__" must not reach Object.prototype.
  return typeof value === "object" && value !== null && Object.hasOwn(value, key)
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

/**
 * The value at `path`. A claim whose name itself contains dots (Auth0-style namespaced claims such as
 * "https://example.com/roles") is matched whole first; otherwise each dot descends one level.
 */
export function claimAt(payload: JWTPayload, path: string): unknown {
  const whole = ownValue(payload, path);
  if (whole !== undefined) return whole;
  return path.split(".").reduce<unknown>((value, key) => ownValue(value, key), payload);
}

/** The tenant id, lower-cased; undefined unless the claim is a single UUID string. */
export function tenantFrom(payload: JWTPayload, mapping: ClaimsMapping): string | undefined {
  const value = claimAt(payload, mapping.tenantClaim);
  return typeof value === "string" && UUID.test(value) ? value.toLowerCase() : undefined;
}

/** The API roles the token grants; names the API does not know are ignored, never an error. */
export function rolesFrom(payload: JWTPayload, mapping: ClaimsMapping): Role[] {
  const claimed = [claimAt(payload, mapping.rolesClaim)];
  if (mapping.clientId) {
    const clients = ownValue(payload, "resource_access");
    claimed.push(ownValue(ownValue(clients, mapping.clientId), "roles"));
  }
  const roles = claimed.flatMap((value) => (Array.isArray(value) ? value : [])).filter(isRole);
  return [...new Set(roles)];
}
