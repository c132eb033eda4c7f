import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createTenant, mintToken } from "../helpers/tenants.ts";

const api = exports.default;

describe("authentication", () => {
  it("answers 401 with a Bearer challenge when no token is sent", async () => {
    const response = await api.fetch("http://api.test/api/v1/anything");
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe('Bearer realm="real-estate-os"');
    expect(response.headers.get("content-type")).toBe("application/problem+json");
  });

  it("accepts a valid token and then routes as usual", async () => {
    const tenant = await createTenant();
    const response = await api.fetch("http://api.test/api/v1/anything", {
      headers: await tenant.headers("viewer"),
    });
    expect(response.status).toBe(404);
  });

  it("answers 403 for a suspended tenant and for an unknown one", async () => {
    const suspended = await createTenant({ status: "suspended" });
    const first = await api.fetch("http://api.test/api/v1/anything", { headers: await suspended.headers() });
    expect(first.status).toBe(403);
    const unknown = await mintToken({ tenantId: crypto.randomUUID(), subject: "ghost", roles: ["admin"] });
    const second = await api.fetch("http://api.test/api/v1/anything", {
      headers: { authorization: `Bearer ${unknown}` },
    });
    expect(second.status).toBe(403);
    expect(await second.json()).toMatchObject({ code: "tenant_inactive" });
  });

  it("answers 401 invalid_token for garbage and for an oversized header, without library text", async () => {
    for (const authorization of [
      "Bearer not-a-jwt",
      `Bearer ${"a".repeat(9000)}.b.c`,
      "Basic dXNlcjpwYXNz",
    ]) {
      const response = await api.fetch("http://api.test/api/v1/anything", { headers: { authorization } });
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toContain('error="invalid_token"');
      expect(await response.text()).not.toMatch(/JWS|JWT[A-Z]|jose/);
    }
  });
});
