import { beforeAll, describe, expect, it } from "vitest";
import { adminSql, createTenant } from "../../helpers/tenants.ts";
import { api, BASE, createProperty, sampleProperty, send, warmUp } from "./helpers.ts";

beforeAll(warmUp, 30_000);

describe("POST /api/v1/properties", () => {
  it("creates a property: 201, Location, ETag, camelCase body with the normalized address", async () => {
    const tenant = await createTenant();
    const input = sampleProperty({
      address: "742 Evergreen Terrace",
      city: "Springfield",
      state: "IL",
      zip: "62704",
    });
    const response = await send(tenant, "POST", "", { body: input });
    expect(response.status).toBe(201);
    const body = (await response.json()) as Record<string, unknown>;
    expect(response.headers.get("location")).toBe(`/api/v1/properties/${body.id}`);
    expect(response.headers.get("etag")).toBe('"1"');
    expect(body).toMatchObject({
      address: "742 Evergreen Terrace",
      normalizedAddress: "742 EVERGREEN TER SPRINGFIELD IL 62704",
      status: "active",
      version: 1,
      price: 750000,
      bathrooms: 2.5,
      closingPrice: null,
    });
    expect(body).not.toHaveProperty("tenantId");
    expect(body).not.toHaveProperty("addressHash");
    expect(body.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it("answers 422 naming the address field when it holds no street address, PO box or parcel", async () => {
    const tenant = await createTenant();
    const response = await send(tenant, "POST", "", {
      body: sampleProperty({ address: "nowhere in particular" }),
    });
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({
      code: "validation_failed",
      errors: [{ field: "address", message: expect.stringContaining("street address") }],
    });
  });

  it("puts a created property into the comps index, and takes a deleted one out", async () => {
    const tenant = await createTenant();
    const created = await createProperty(tenant, { address: "12 Index Way", zip: "98101" });
    const embedded = async () =>
      (
        await adminSql()`select count(*)::int as n from property_embeddings where property_id = ${String(created.id)}`
      )[0]?.n;
    await expect.poll(embedded, { timeout: 5_000 }).toBe(1);
    const deleted = await send(tenant, "DELETE", `/${created.id}`, { headers: { "if-match": '"1"' } });
    expect(deleted.status).toBe(204);
    await expect.poll(embedded, { timeout: 5_000 }).toBe(0);
  });

  it("answers 409 duplicate_address with the existing id and a link, for the same address in one tenant", async () => {
    const tenant = await createTenant();
    const first = await createProperty(tenant, { address: "1 Dup Lane", zip: "98101" });
    const response = await send(tenant, "POST", "", {
      body: sampleProperty({ address: "1 dup lane.", zip: "98101" }),
    });
    expect(response.status).toBe(409);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(response.headers.get("link")).toBe(`</api/v1/properties/${first.id}>; rel="duplicate"`);
    expect(await response.json()).toMatchObject({
      code: "duplicate_address",
      existingId: first.id,
      existing: `/api/v1/properties/${first.id}`,
    });
  });

  it("lets tenant B use an address tenant A already has (201, nothing leaks)", async () => {
    const [tenantA, tenantB] = await Promise.all([createTenant(), createTenant()]);
    await createProperty(tenantA, { address: "9 Shared Road" });
    const response = await send(tenantB, "POST", "", { body: sampleProperty({ address: "9 Shared Road" }) });
    expect(response.status).toBe(201);
  });

  it("allows the address again once the first property is deleted", async () => {
    const tenant = await createTenant();
    const first = await createProperty(tenant, { address: "3 Phoenix Way" });
    expect(
      (await send(tenant, "DELETE", `/${first.id}`, { headers: { "if-match": first.etag } })).status,
    ).toBe(204);
    expect(
      (await send(tenant, "POST", "", { body: sampleProperty({ address: "3 Phoenix Way" }) })).status,
    ).toBe(201);
  });

  it("requires closingPrice and closingDate to create a sold property", async () => {
    const tenant = await createTenant();
    const missing = await send(tenant, "POST", "", { body: sampleProperty({ status: "sold" }) });
    expect(missing.status).toBe(422);
    const problem = (await missing.json()) as { errors: { field: string }[] };
    expect(problem.errors.map((error) => error.field).sort()).toEqual(["closingDate", "closingPrice"]);
    const sold = await send(tenant, "POST", "", {
      body: sampleProperty({ status: "sold", closingPrice: 700000, closingDate: "2026-06-30" }),
    });
    expect(sold.status).toBe(201);
    expect(await sold.json()).toMatchObject({
      status: "sold",
      closingPrice: 700000,
      closingDate: "2026-06-30",
    });
  });
});

describe("validation", () => {
  it("lists every bad field with 422 problem+json", async () => {
    const tenant = await createTenant();
    const response = await send(tenant, "POST", "", {
      body: sampleProperty({
        price: -1,
        bedrooms: 101,
        bathrooms: 2.25,
        state: "XX",
        zip: "9810",
        latitude: 91,
        longitude: -181,
        yearBuilt: new Date().getUTCFullYear() + 2,
      }),
    });
    expect(response.status).toBe(422);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    const problem = (await response.json()) as { code: string; errors: { field: string; message: string }[] };
    expect(problem.code).toBe("validation_failed");
    expect(problem.errors.map((error) => error.field).sort()).toEqual(
      ["bathrooms", "bedrooms", "latitude", "longitude", "price", "state", "yearBuilt", "zip"].sort(),
    );
  });

  it("accepts the year after this one and ZIP+4", async () => {
    const tenant = await createTenant();
    const response = await send(tenant, "POST", "", {
      body: sampleProperty({ yearBuilt: new Date().getUTCFullYear() + 1, zip: "98101-1234" }),
    });
    expect(response.status).toBe(201);
  });

  it("rejects id, tenantId, tenant_id, timestamps and unknown fields with 422; the row stays in the token's tenant", async () => {
    const [tenant, other] = await Promise.all([createTenant(), createTenant()]);
    for (const extra of [
      { id: crypto.randomUUID() },
      { tenantId: other.id },
      { tenant_id: other.id },
      { createdAt: "2020-01-01T00:00:00.000Z" },
      { version: 7 },
      { role: "admin" },
    ]) {
      const response = await send(tenant, "POST", "", { body: { ...sampleProperty(), ...extra } });
      expect(response.status).toBe(422);
      const problem = (await response.json()) as { errors: { field: string; message: string }[] };
      expect(problem.errors).toContainEqual({ field: Object.keys(extra)[0], message: "Unknown field." });
    }
    const list = await send(other, "GET", "", { role: "viewer" });
    expect(((await list.json()) as { items: unknown[] }).items).toEqual([]);
  });

  it("answers 400 for malformed JSON, 415 for another content type, 413 over 64 KiB", async () => {
    const tenant = await createTenant();
    const malformed = await send(tenant, "POST", "", { body: '{"address": ' });
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get("content-type")).toBe("application/problem+json");

    const wrongType = await send(tenant, "POST", "", {
      body: "address=1+Main",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(wrongType.status).toBe(415);
    expect(await wrongType.json()).toMatchObject({ code: "unsupported_media_type" });

    const huge = await send(tenant, "POST", "", {
      body: JSON.stringify({ ...sampleProperty(), externalRef: "x".repeat(70 * 1024) }),
    });
    expect(huge.status).toBe(413);
    expect(await huge.json()).toMatchObject({ code: "payload_too_large" });
  });

  it("counts a chunked body with no Content-Length against the limit while reading it", async () => {
    const tenant = await createTenant();
    const chunk = new TextEncoder().encode(" ".repeat(16 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 8) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const response = await api.fetch(BASE, {
      method: "POST",
      headers: await tenant.headers("editor"),
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(response.status).toBe(413);
  });

  it("answers 400 for a path id that is not a UUID", async () => {
    const tenant = await createTenant();
    const response = await send(tenant, "GET", "/not-a-uuid", { role: "viewer" });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: "bad_request", errors: [{ field: "id" }] });
  });
});

describe("GET /api/v1/properties/{id}", () => {
  it("answers the property with its ETag", async () => {
    const tenant = await createTenant();
    const created = await createProperty(tenant);
    const response = await send(tenant, "GET", `/${created.id}`, { role: "viewer" });
    expect(response.status).toBe(200);
    expect(response.headers.get("etag")).toBe('"1"');
    expect(await response.json()).toEqual(created.body);
  });

  it("answers 404 for a missing id", async () => {
    const tenant = await createTenant();
    const response = await send(tenant, "GET", `/${crypto.randomUUID()}`, { role: "viewer" });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ code: "not_found" });
  });
});

describe("PUT /api/v1/properties/{id}", () => {
  it("replaces the whole property, bumps the version and the ETag", async () => {
    const tenant = await createTenant();
    const created = await createProperty(tenant, { county: "King", price: 500000 });
    const replacement = { address: created.body.address, status: "pending", price: 510000 };
    const response = await send(tenant, "PUT", `/${created.id}`, {
      body: replacement,
      headers: { "if-match": created.etag },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("etag")).toBe('"2"');
    expect(await response.json()).toMatchObject({
      status: "pending",
      price: 510000,
      county: null,
      city: null,
      version: 2,
    });
  });

  it("answers 428 without If-Match, 412 on a stale ETag, and leaves the property alone", async () => {
    const tenant = await createTenant();
    const created = await createProperty(tenant);
    const body = { address: created.body.address, status: "active", price: 1 };
    const missing = await send(tenant, "PUT", `/${created.id}`, { body });
    expect(missing.status).toBe(428);
    const first = await send(tenant, "PUT", `/${created.id}`, {
      body,
      headers: { "if-match": created.etag },
    });
    expect(first.status).toBe(200);
    const stale = await send(tenant, "PUT", `/${created.id}`, {
      body: { ...body, price: 2 },
      headers: { "if-match": created.etag },
    });
    expect(stale.status).toBe(412);
    expect(await stale.json()).toMatchObject({ code: "precondition_failed", currentVersion: 2 });
    const listed = await send(tenant, "PUT", `/${created.id}`, {
      body,
      headers: { "if-match": '"7", "2"' },
    });
    expect(listed.status).toBe(200);
    const weak = await send(tenant, "PUT", `/${created.id}`, { body, headers: { "if-match": 'W/"3"' } });
    expect(weak.status).toBe(412);
    const current = await send(tenant, "GET", `/${created.id}`, { role: "viewer" });
    expect(await current.json()).toMatchObject({ price: 1, version: 3 });
  });

  it("refuses an illegal status move (off_market -> sold) with 422 naming status", async () => {
    const tenant = await createTenant();
    const created = await createProperty(tenant, { status: "off_market" });
    const response = await send(tenant, "PUT", `/${created.id}`, {
      body: { address: created.body.address, status: "sold", closingPrice: 1, closingDate: "2026-01-02" },
      headers: { "if-match": created.etag },
    });
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({ errors: [{ field: "status" }] });
  });

  it("answers 409 when the new address belongs to another live property", async () => {
    const tenant = await createTenant();
    const other = await createProperty(tenant, { address: "77 Taken Ave" });
    const created = await createProperty(tenant);
    const response = await send(tenant, "PUT", `/${created.id}`, {
      body: { ...sampleProperty({ address: "77 Taken Ave" }), status: "active" },
      headers: { "if-match": created.etag },
    });
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({ code: "duplicate_address", existingId: other.id });
  });
});

describe("PATCH /api/v1/properties/{id}", () => {
  it("merges a patch (null clears a field) with application/merge-patch+json and application/json", async () => {
    const tenant = await createTenant();
    const created = await createProperty(tenant, { county: "King" });
    const first = await send(tenant, "PATCH", `/${created.id}`, {
      body: { price: 800000, county: null },
      headers: { "if-match": created.etag, "content-type": "application/merge-patch+json" },
    });
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ price: 800000, county: null, city: "Seattle", version: 2 });
    const second = await send(tenant, "PATCH", `/${created.id}`, {
      body: { bedrooms: 4 },
      headers: { "if-match": '"2"' },
    });
    expect(second.status).toBe(200);
    expect(second.headers.get("etag")).toBe('"3"');
    expect(await second.json()).toMatchObject({ price: 800000, bedrooms: 4 });
  });

  it("recomputes the address identity when the address changes", async () => {
    const tenant = await createTenant();
    const created = await createProperty(tenant);
    const response = await send(tenant, "PATCH", `/${created.id}`, {
      body: { address: "5 New Place" },
      headers: { "if-match": created.etag },
    });
    expect(await response.json()).toMatchObject({ normalizedAddress: "5 NEW PL SEATTLE WA 98101" });
  });

  it("sells with closing fields, refuses a sale without them, relists clearing them", async () => {
    const tenant = await createTenant();
    const created = await createProperty(tenant);
    const incomplete = await send(tenant, "PATCH", `/${created.id}`, {
      body: { status: "sold" },
      headers: { "if-match": created.etag },
    });
    expect(incomplete.status).toBe(422);
    const sold = await send(tenant, "PATCH", `/${created.id}`, {
      body: { status: "sold", closingPrice: 740000, closingDate: "2026-10-01" },
      headers: { "if-match": created.etag },
    });
    expect(sold.status).toBe(200);
    const pending = await send(tenant, "PATCH", `/${created.id}`, {
      body: { status: "pending" },
      headers: { "if-match": '"2"' },
    });
    expect(pending.status).toBe(422);
    const relisted = await send(tenant, "PATCH", `/${created.id}`, {
      body: { status: "active" },
      headers: { "if-match": '"2"' },
    });
    expect(relisted.status).toBe(200);
    expect(await relisted.json()).toMatchObject({ status: "active", closingPrice: null, closingDate: null });
  });

  it("refuses status deleted, unknown fields and nulls on required fields", async () => {
    const tenant = await createTenant();
    const created = await createProperty(tenant);
    for (const body of [
      { status: "deleted" },
      { tenantId: tenant.id },
      { address: null },
      { id: created.id },
    ]) {
      const response = await send(tenant, "PATCH", `/${created.id}`, {
        body,
        headers: { "if-match": created.etag },
      });
      expect(response.status).toBe(422);
    }
  });

  it("answers 428 without If-Match and 412 when stale", async () => {
    const tenant = await createTenant();
    const created = await createProperty(tenant);
    expect((await send(tenant, "PATCH", `/${created.id}`, { body: { price: 1 } })).status).toBe(428);
    const stale = await send(tenant, "PATCH", `/${created.id}`, {
      body: { price: 1 },
      headers: { "if-match": '"9"' },
    });
    expect(stale.status).toBe(412);
  });
});

describe("DELETE /api/v1/properties/{id}", () => {
  it("soft deletes: 204, then 404 and gone from the list; a second delete is 404", async () => {
    const tenant = await createTenant();
    const created = await createProperty(tenant);
    expect((await send(tenant, "DELETE", `/${created.id}`)).status).toBe(428);
    expect((await send(tenant, "DELETE", `/${created.id}`, { headers: { "if-match": '"5"' } })).status).toBe(
      412,
    );
    const deleted = await send(tenant, "DELETE", `/${created.id}`, { headers: { "if-match": created.etag } });
    expect(deleted.status).toBe(204);
    expect((await send(tenant, "GET", `/${created.id}`, { role: "viewer" })).status).toBe(404);
    const list = (await (await send(tenant, "GET", "", { role: "viewer" })).json()) as { items: unknown[] };
    expect(list.items).toEqual([]);
    expect((await send(tenant, "DELETE", `/${created.id}`, { headers: { "if-match": '"2"' } })).status).toBe(
      404,
    );
    const patch = await send(tenant, "PATCH", `/${created.id}`, {
      body: { price: 1 },
      headers: { "if-match": '"2"' },
    });
    expect(patch.status).toBe(404);
  });
});
