// Response headers over every operation of the OpenAPI document: nosniff everywhere, tenant responses never
// cacheable by a shared cache, /docs under a Content-Security-Policy that forbids framing, and a known path asked
// with a method it does not take answers 405 with Allow.
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { concretePath, operations, tenantOperations } from "../helpers/openapi.ts";
import { createTenant } from "../helpers/tenants.ts";

const api = exports.default;
const TENANT_CACHE = /\b(private|no-store)\b/;

describe("response headers", () => {
  it("every GET of a tenant operation is private or no-store and nosniff, found or not", async () => {
    const tenant = await createTenant();
    const headers = await tenant.headers("admin");
    const gets = (await tenantOperations()).filter((operation) => operation.method === "GET");
    expect(gets.map((operation) => operation.path)).toEqual(
      expect.arrayContaining([
        "/api/v1/ingest/quarantine",
        "/api/v1/ingest/failures",
        "/api/v1/ingest/feeds",
      ]),
    );
    for (const operation of gets) {
      const response = await api.fetch(`http://api.test${concretePath(operation.path)}`, { headers });
      const label = `${operation.path} (${response.status})`;
      expect(response.status, label).toBeLessThan(500);
      expect(response.headers.get("cache-control"), label).toMatch(TENANT_CACHE);
      expect(response.headers.get("x-content-type-options"), label).toBe("nosniff");
    }
    const refused = await api.fetch("http://api.test/api/v1/ingest/failures");
    expect(refused.status).toBe(401);
    expect(refused.headers.get("cache-control")).toMatch(TENANT_CACHE);
  });

  it("sends nosniff on public responses and errors too", async () => {
    for (const path of ["/api/v1/health", "/openapi.json", "/docs", "/no-such-route"]) {
      const response = await api.fetch(`http://api.test${path}`);
      expect(response.headers.get("x-content-type-options"), path).toBe("nosniff");
    }
  });

  it("puts /docs under a Content-Security-Policy that allows its one inline script by hash and no framing", async () => {
    const response = await api.fetch("http://api.test/docs");
    expect(response.status).toBe(200);
    const policy = response.headers.get("content-security-policy") ?? "";
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).toContain("default-src 'none'");
    expect(policy).toMatch(/script-src 'self' 'sha256-[A-Za-z0-9+/]+={0,2}'/);
    expect(policy).not.toMatch(/script-src[^;]*unsafe/);
    expect(response.headers.get("x-frame-options")).toBe("DENY");
  });

  it("answers a known path asked with another method 405 with Allow, on every path of the document", async () => {
    const tenant = await createTenant();
    const headers = await tenant.headers("admin");
    const byPath = new Map<string, Set<string>>();
    for (const operation of await operations()) {
      byPath.set(operation.path, (byPath.get(operation.path) ?? new Set()).add(operation.method));
    }
    for (const [path, methods] of byPath) {
      const allowed = [...methods, ...(methods.has("GET") ? ["HEAD"] : [])].sort();
      const wrong = ["GET", "POST", "PUT", "PATCH", "DELETE"].find((method) => !methods.has(method));
      if (!wrong) continue;
      const response = await api.fetch(`http://api.test${concretePath(path)}`, { method: wrong, headers });
      const label = `${wrong} ${path}`;
      expect(response.status, label).toBe(405);
      expect(response.headers.get("allow"), label).toBe(allowed.join(", "));
      // problem+json names the code at the top; the RESO routes' OData errors inside `error`.
      const body = (await response.json()) as { code?: string; error?: { code: string } };
      expect(body.code ?? body.error?.code, label).toBe("method_not_allowed");
    }
    expect((await api.fetch("http://api.test/api/v1/nothing-here", { headers })).status).toBe(404);
  });
});
