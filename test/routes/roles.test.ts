// Every tenant operation of the OpenAPI document needs at least the viewer role: a verified token of an active
// tenant that carries no role this API knows is refused with 403 before anything is read or validated.
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { bodyMediaTypes, concretePath, tenantOperations } from "../helpers/openapi.ts";
import { createTenant, mintToken } from "../helpers/tenants.ts";

const api = exports.default;

describe("roles on every tenant route", () => {
  it.each([[[]], [["guest"]], [["offline_access", "uma_authorization"]]])(
    "refuses a token with roles %j on every operation",
    async (roles) => {
      const tenant = await createTenant();
      const token = await mintToken({
        tenantId: tenant.id,
        subject: `no-role-${crypto.randomUUID()}`,
        roles,
      });
      const operations = await tenantOperations();
      expect(operations.length).toBeGreaterThan(10);
      for (const operation of operations) {
        const [mediaType] = bodyMediaTypes(operation);
        const response = await api.fetch(`http://api.test${concretePath(operation.path)}`, {
          method: operation.method,
          headers: {
            authorization: `Bearer ${token}`,
            ...(mediaType ? { "content-type": mediaType } : {}),
          },
          ...(mediaType ? { body: mediaType === "application/json" ? "{}" : "" } : {}),
        });
        const label = `${operation.method} ${operation.path}`;
        expect(response.status, label).toBe(403);
        expect(await response.json(), label).toMatchObject({
          code: "forbidden",
          requiredRole: expect.any(String),
        });
      }
    },
  );

  it("lets a viewer read the caller and the tenant's figures", async () => {
    const tenant = await createTenant();
    const headers = await tenant.headers("viewer");
    for (const path of ["/api/v1/me", "/api/v1/stats"]) {
      expect((await api.fetch(`http://api.test${path}`, { headers })).status, path).toBe(200);
    }
  });
});
