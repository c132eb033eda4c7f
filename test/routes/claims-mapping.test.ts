// The claims mapping through the Worker: Keycloak by default (tenant_id, realm_access.roles, and client roles
// when OIDC_CLIENT_ID is set) and a generic IdP (a top-level roles claim, a namespaced tenant claim).
import { describe, expect, it } from "vitest";
import { callApi, createControlledIssuer, generateTestKey } from "../helpers/auth.ts";
import { createTenant } from "../helpers/tenants.ts";

async function rolesSeen(settings: Record<string, string>, claims: Record<string, unknown>) {
  const key = await generateTestKey();
  const issuer = await createControlledIssuer([key]);
  const tenant = await createTenant();
  const response = await callApi(issuer.env(settings), "/api/v1/me", {
    token: await issuer.token(key, tenant.id, claims),
  });
  return {
    status: response.status,
    body: await response.json<{ roles?: string[]; tenant?: { id: string } }>(),
    tenant,
  };
}

describe("Keycloak mapping (default)", () => {
  it("takes realm roles, and client roles only for the configured client", async () => {
    const claims = {
      realm_access: { roles: ["viewer", "offline_access", "uma_authorization"] },
      resource_access: { "real-estate-os-web": { roles: ["editor"] }, other: { roles: ["admin"] } },
    };
    expect((await rolesSeen({}, claims)).body.roles).toEqual(["viewer"]);
    const withClient = await rolesSeen({ OIDC_CLIENT_ID: "real-estate-os-web" }, claims);
    expect(withClient.body.roles).toEqual(["viewer", "editor"]);
  });
});

describe("generic mapping", () => {
  it("takes a top-level roles array and a namespaced tenant claim", async () => {
    const key = await generateTestKey();
    const issuer = await createControlledIssuer([key]);
    const tenant = await createTenant();
    const env = issuer.env({
      OIDC_ROLES_CLAIM: "roles",
      OIDC_TENANT_CLAIM: "https://real-estate-os.dev/tenant",
    });
    const token = await issuer.token(key, tenant.id, {
      tenant_id: undefined,
      "https://real-estate-os.dev/tenant": tenant.id,
      roles: ["admin"],
      realm_access: { roles: ["viewer"] },
    });
    const response = await callApi(env, "/api/v1/me", { token });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ roles: ["admin"], tenant: { id: tenant.id } });
    expect((await callApi(env, "/api/v1/users", { token })).status).toBe(200);
  });

  it("takes a nested tenant claim by dotted path", async () => {
    const key = await generateTestKey();
    const issuer = await createControlledIssuer([key]);
    const tenant = await createTenant();
    const env = issuer.env({ OIDC_ROLES_CLAIM: "roles", OIDC_TENANT_CLAIM: "org.id" });
    const token = await issuer.token(key, tenant.id, {
      tenant_id: undefined,
      org: { id: tenant.id },
      roles: ["viewer"],
    });
    const response = await callApi(env, "/api/v1/me", { token });
    expect(await response.json()).toMatchObject({ roles: ["viewer"], tenant: { id: tenant.id } });
  });
});
