// The RESO service root, $metadata, authentication and OData errors.
import { beforeAll, describe, expect, it } from "vitest";
import { metadataDocument } from "../../../src/domain/reso/metadata.ts";
import { createTenant } from "../../helpers/tenants.ts";
import { warmUp } from "../properties/helpers.ts";
import { api, ROOT, reso } from "./helpers.ts";

beforeAll(warmUp, 30_000);

describe("RESO Web API service root", () => {
  it("lists the entity sets in a service document, with OData-Version, for a viewer", async () => {
    const tenant = await createTenant();
    const response = await reso(tenant, "", { role: "viewer" });
    expect(response.status).toBe(200);
    expect(response.headers.get("odata-version")).toBe("4.0");
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(response.headers.get("cache-control")).toBe("private, no-store");
    expect(await response.json()).toEqual({
      "@odata.context": `${ROOT}/$metadata`,
      value: [
        { name: "Property", kind: "EntitySet", url: "Property" },
        { name: "Lookup", kind: "EntitySet", url: "Lookup" },
      ],
    });
  });

  it("serves $metadata as EDMX XML", async () => {
    const tenant = await createTenant();
    const response = await reso(tenant, "/$metadata");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/xml");
    expect(response.headers.get("odata-version")).toBe("4.0");
    const text = await response.text();
    expect(text).toBe(metadataDocument());
    expect(text).toContain('<EntitySet Name="Property" EntityType="org.reso.metadata.Property"/>');
  });

  it("answers 401 without a token as an OData error with WWW-Authenticate", async () => {
    for (const path of ["", "/$metadata", "/Property", "/Property('x')", "/Lookup"]) {
      const response = await api.fetch(`${ROOT}${path}`);
      expect(response.status, path).toBe(401);
      expect(response.headers.get("www-authenticate")).toMatch(/^Bearer/);
      expect(response.headers.get("odata-version")).toBe("4.0");
      const body = (await response.json()) as {
        error: { code: string; message: string; innererror: object };
      };
      expect(body.error.code).toBe("unauthorized");
      expect(body.error.message).toBe("An access token is required.");
      expect(body.error.innererror).toHaveProperty("requestId");
    }
  });

  it("answers 403 for a suspended tenant and 404 for an unknown resource, as OData errors", async () => {
    const suspended = await createTenant({ status: "suspended" });
    const refused = await reso(suspended, "/Property");
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("tenant_inactive");

    const tenant = await createTenant();
    const missing = await reso(tenant, "/Member");
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe("not_found");
    const post = await api.fetch(`${ROOT}/Property`, {
      method: "POST",
      headers: { authorization: `Bearer ${await tenant.token("admin")}` },
    });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD");
  });
});
