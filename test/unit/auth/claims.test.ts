import { describe, expect, it } from "vitest";
import { claimAt, rolesFrom, tenantFrom } from "../../../src/auth/claims.ts";

const TENANT = "0b7c1c1e-4d3a-4a57-9d55-1f1a0c7e2b10";
const keycloak = { tenantClaim: "tenant_id", rolesClaim: "realm_access.roles" };
const generic = { tenantClaim: "tenant_id", rolesClaim: "roles" };

describe("claimAt", () => {
  it("matches a whole namespaced claim name before descending by dots", () => {
    expect(claimAt({ "https://x.dev/roles": ["admin"] }, "https://x.dev/roles")).toEqual(["admin"]);
    expect(claimAt({ a: { b: { c: 1 } } }, "a.b.c")).toBe(1);
    expect(claimAt({ a: 1 }, "a.b")).toBeUndefined();
  });

  it("never reaches inherited properties", () => {
    expect(claimAt({}, "constructor")).toBeUndefined();
    expect(claimAt({}, "__proto__")).toBeUndefined();
    expect(claimAt({ a: {} }, "a.constructor.name")).toBeUndefined();
    expect(claimAt(JSON.parse('{"__proto__": {"roles": ["admin"]}}'), "roles")).toBeUndefined();
  });
});

describe("tenantFrom", () => {
  it("accepts one UUID string, lower-cased, and nothing else", () => {
    expect(tenantFrom({ tenant_id: TENANT.toUpperCase() }, keycloak)).toBe(TENANT);
    for (const value of [undefined, "", "abc", [TENANT], 7, { id: TENANT }, `${TENANT} `]) {
      expect(tenantFrom({ tenant_id: value }, keycloak)).toBeUndefined();
    }
  });
});

describe("rolesFrom", () => {
  it("Keycloak: realm roles, plus the configured client's roles", () => {
    const payload = {
      realm_access: { roles: ["viewer", "offline_access"] },
      resource_access: { web: { roles: ["admin"] }, other: { roles: ["editor"] } },
    };
    expect(rolesFrom(payload, keycloak)).toEqual(["viewer"]);
    expect(rolesFrom(payload, { ...keycloak, clientId: "web" })).toEqual(["viewer", "admin"]);
    expect(rolesFrom(payload, { ...keycloak, clientId: "missing" })).toEqual(["viewer"]);
  });

  it("generic: a top-level roles array; unknown names and non-strings are dropped, duplicates merged", () => {
    expect(rolesFrom({ roles: ["editor", "editor", "root", 3, null] }, generic)).toEqual(["editor"]);
    expect(rolesFrom({ roles: "admin" }, generic)).toEqual([]);
    expect(rolesFrom({}, generic)).toEqual([]);
  });
});
