// Tenant isolation and authorization on every properties route: another tenant's property must look exactly
// like a missing one, and read-only callers cannot write.
import { beforeAll, describe, expect, it } from "vitest";
import { createTenant } from "../../helpers/tenants.ts";
import { api, BASE, createProperty, sampleProperty, send, warmUp } from "./helpers.ts";

beforeAll(warmUp, 30_000);

/** A problem without its per-request members, for comparing two answers. */
async function comparable(response: Response) {
  const {
    requestId: _requestId,
    instance: _instance,
    ...rest
  } = (await response.json()) as Record<string, unknown>;
  return { status: response.status, body: rest };
}

describe("tenant isolation", () => {
  it("answers tenant A on tenant B's property exactly as for a missing id, on GET, PUT, PATCH and DELETE", async () => {
    const [tenantA, tenantB] = await Promise.all([createTenant(), createTenant()]);
    const theirs = await createProperty(tenantB);
    const missing = crypto.randomUUID();
    const attempts: [string, Record<string, unknown> | undefined][] = [
      ["GET", undefined],
      ["PUT", { address: "1 Hijack St", status: "active" }],
      ["PATCH", { price: 1 }],
      ["DELETE", undefined],
    ];
    for (const [method, body] of attempts) {
      const options = { body, headers: { "if-match": theirs.etag } };
      const cross = await comparable(await send(tenantA, method, `/${theirs.id}`, options));
      const absent = await comparable(await send(tenantA, method, `/${missing}`, options));
      expect(cross.status, method).toBe(404);
      expect(cross, method).toEqual(absent);
    }
    const untouched = await send(tenantB, "GET", `/${theirs.id}`, { role: "viewer" });
    expect(await untouched.json()).toEqual(theirs.body);
  });

  it("never lists, searches or feeds another tenant's rows, even with identical data", async () => {
    const [tenantA, tenantB] = await Promise.all([createTenant(), createTenant()]);
    const shared = { address: "10 Identical Blvd", city: "Seattle", latitude: 47.6, longitude: -122.3 };
    const mine = await createProperty(tenantA, shared);
    const theirs = await createProperty(tenantB, shared);
    for (const query of [
      "",
      "?q=identical",
      "?city=Seattle",
      "?near=47.6,-122.3&radiusKm=5",
      "?sort=price",
    ]) {
      const page = (await (await send(tenantA, "GET", query, { role: "viewer" })).json()) as {
        items: { id: string }[];
      };
      expect(
        page.items.map((item) => item.id),
        query,
      ).toEqual([mine.id]);
    }
    const feed = (await (await send(tenantA, "GET", "/changes", { role: "viewer" })).json()) as {
      changes: { propertyId: string }[];
    };
    expect(feed.changes.map((change) => change.propertyId)).toEqual([mine.id]);
    expect(feed.changes.map((change) => change.propertyId)).not.toContain(theirs.id);
  });

  it("does not accept tenant B's list cursor position as a way into B's data", async () => {
    const [tenantA, tenantB] = await Promise.all([createTenant(), createTenant()]);
    await createProperty(tenantB);
    await createProperty(tenantB);
    const pageB = (await (await send(tenantB, "GET", "?limit=1", { role: "viewer" })).json()) as {
      nextCursor: string;
    };
    const pageA = (await (
      await send(tenantA, "GET", `?limit=1&cursor=${pageB.nextCursor}`, { role: "viewer" })
    ).json()) as {
      items: unknown[];
    };
    expect(pageA.items).toEqual([]);
  });
});

describe("authorization", () => {
  it("answers 403 to a viewer on every write and 401 without a token", async () => {
    const tenant = await createTenant();
    const property = await createProperty(tenant);
    const writes: [string, string, unknown][] = [
      ["POST", "", sampleProperty()],
      ["PUT", `/${property.id}`, { address: "x", status: "active" }],
      ["PATCH", `/${property.id}`, { price: 1 }],
      ["DELETE", `/${property.id}`, undefined],
    ];
    for (const [method, path, body] of writes) {
      const response = await send(tenant, method, path, {
        body,
        role: "viewer",
        headers: { "if-match": property.etag },
      });
      expect(response.status, method).toBe(403);
      expect(await response.json()).toMatchObject({ code: "forbidden", requiredRole: "editor" });
    }
    for (const path of ["", `/${property.id}`, "/changes"]) {
      expect((await api.fetch(`${BASE}${path}`)).status).toBe(401);
    }
    const after = await send(tenant, "GET", `/${property.id}`, { role: "viewer" });
    expect(await after.json()).toEqual(property.body);
  });

  it("lets viewers read, editors and admins write", async () => {
    const tenant = await createTenant();
    expect((await send(tenant, "GET", "", { role: "viewer" })).status).toBe(200);
    expect((await send(tenant, "GET", "/changes", { role: "viewer" })).status).toBe(200);
    expect((await send(tenant, "POST", "", { body: sampleProperty(), role: "admin" })).status).toBe(201);
  });
});
