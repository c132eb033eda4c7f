import { beforeAll, describe, expect, it } from "vitest";
import { createTenant, type TestTenant } from "../../helpers/tenants.ts";
import { createProperty, send, warmUp } from "./helpers.ts";

beforeAll(warmUp, 30_000);

interface Page {
  items: { id: string; price: number | null; sqft: number | null; address: string; createdAt: string }[];
  nextCursor: string | null;
}

async function list(tenant: TestTenant, query: string): Promise<Page> {
  const response = await send(tenant, "GET", query, { role: "viewer" });
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as Page;
}

async function listAll(tenant: TestTenant, query: string): Promise<Page["items"]> {
  const items: Page["items"] = [];
  let cursor: string | null = null;
  do {
    const separator = query.includes("?") ? "&" : "?";
    const page: Page = await list(tenant, cursor ? `${query}${separator}cursor=${cursor}` : query);
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

describe("GET /api/v1/properties: sorts and keyset pages", () => {
  it("pages through every property exactly once in each sort", async () => {
    const tenant = await createTenant();
    const prices = [300000, null, 150000, 900000, 150000, 420000, null];
    const created = [];
    for (const [index, price] of prices.entries()) {
      created.push(await createProperty(tenant, { price, sqft: index % 3 === 0 ? null : 1000 + index * 10 }));
    }
    const ids = created.map((property) => property.id).sort();

    const newest = await listAll(tenant, "?limit=2");
    expect(newest.map((item) => item.id).sort()).toEqual(ids);
    expect(newest.map((item) => item.createdAt)).toEqual(
      newest
        .map((item) => item.createdAt)
        .sort()
        .reverse(),
    );

    const cheapest = await listAll(tenant, "?sort=price&limit=3");
    expect(cheapest.map((item) => item.price)).toEqual([150000, 150000, 300000, 420000, 900000, null, null]);
    expect(cheapest.map((item) => item.id).sort()).toEqual(ids);

    const dearest = await listAll(tenant, "?sort=-price&limit=2");
    expect(dearest.map((item) => item.price)).toEqual([900000, 420000, 300000, 150000, 150000, null, null]);

    const smallest = await listAll(tenant, "?sort=sqft&limit=2");
    expect(smallest.map((item) => item.sqft)).toEqual([1010, 1020, 1040, 1050, null, null, null]);

    const updated = await listAll(tenant, "?sort=updated&limit=4");
    expect(updated).toHaveLength(7);
  });

  it("defaults to 20 per page and accepts 1 and 100", async () => {
    const tenant = await createTenant();
    for (let index = 0; index < 21; index++) await createProperty(tenant);
    const first = await list(tenant, "");
    expect(first.items).toHaveLength(20);
    expect(first.nextCursor).toEqual(expect.any(String));
    expect((await list(tenant, "?limit=1")).items).toHaveLength(1);
    expect((await list(tenant, "?limit=100")).items).toHaveLength(21);
  });

  it("answers 400 for limits 0, 101, -1, 1e9, abc and empty", async () => {
    const tenant = await createTenant();
    for (const limit of ["0", "101", "-1", "1e9", "abc", "", "1.5"]) {
      const response = await send(tenant, "GET", `?limit=${limit}`, { role: "viewer" });
      expect(response.status, limit).toBe(400);
      expect(await response.json()).toMatchObject({ errors: [{ field: "limit" }] });
    }
  });

  it("answers 400 invalid_cursor for garbage, a tampered cursor, or one from another sort or filter", async () => {
    const tenant = await createTenant();
    for (let index = 0; index < 3; index++) await createProperty(tenant, { price: 100 + index });
    const page = await list(tenant, "?sort=price&limit=1");
    const cursor = String(page.nextCursor);
    const decoded = JSON.parse(atob(cursor.replaceAll("-", "+").replaceAll("_", "/")));
    const tampered = btoa(JSON.stringify({ ...decoded, k: "'; drop table properties; --" }))
      .replaceAll("+", "-")
      .replaceAll("/", "_")
      .replace(/=+$/, "");
    for (const query of [
      "?sort=price&cursor=garbage",
      "?sort=price&cursor=eyJ2IjoxfQ",
      `?sort=price&cursor=${tampered}`,
      `?sort=-price&cursor=${cursor}`,
      `?sort=price&minPrice=1&cursor=${cursor}`,
      `?cursor=${cursor}`,
    ]) {
      const response = await send(tenant, "GET", query, { role: "viewer" });
      expect(response.status, query).toBe(400);
      expect(await response.json()).toMatchObject({ code: "invalid_cursor" });
    }
    expect((await list(tenant, `?sort=price&limit=1&cursor=${cursor}`)).items).toHaveLength(1);
  });

  it("refuses a sort outside the allowlist and unknown query parameters", async () => {
    const tenant = await createTenant();
    for (const query of [
      "?sort=price;drop table properties",
      "?sort=tenant_id",
      "?sort=(select 1)",
      "?foo=1",
    ]) {
      expect((await send(tenant, "GET", query, { role: "viewer" })).status, query).toBe(400);
    }
  });
});

describe("GET /api/v1/properties: filters and search", () => {
  it("filters by status, city, state, zip, type and numeric ranges", async () => {
    const tenant = await createTenant();
    const a = await createProperty(tenant, { city: "Tacoma", zip: "98402-1234", price: 400000, bedrooms: 2 });
    const b = await createProperty(tenant, {
      city: "Seattle",
      zip: "98101",
      price: 900000,
      bedrooms: 5,
      propertyType: "condo",
      status: "pending",
    });
    const c = await createProperty(tenant, {
      city: "Portland",
      state: "OR",
      zip: "97201",
      yearBuilt: 1925,
      sqft: 900,
    });
    const ids = async (query: string) => (await listAll(tenant, query)).map((item) => item.id).sort();

    expect(await ids("?status=pending")).toEqual([b.id]);
    expect(await ids("?status=active,pending")).toEqual([a.id, b.id, c.id].sort());
    expect(await ids("?city=Tacoma")).toEqual([a.id]);
    expect(await ids("?q=tacoma")).toEqual([a.id]);
    expect(await ids("?state=OR")).toEqual([c.id]);
    expect(await ids("?zip=98402")).toEqual([a.id]);
    expect(await ids("?zip=98402-1234")).toEqual([a.id]);
    expect(await ids("?zip=98402-9999")).toEqual([]);
    expect(await ids("?propertyType=condo")).toEqual([b.id]);
    expect(await ids("?minPrice=800000")).toEqual([b.id]);
    expect(await ids("?minPrice=300000&maxPrice=800000")).toEqual([a.id, c.id].sort());
    expect(await ids("?minBedrooms=4")).toEqual([b.id]);
    expect(await ids("?maxYearBuilt=1950")).toEqual([c.id]);
    expect(await ids("?minSqft=1000&maxSqft=5000")).toEqual([a.id, b.id].sort());
    expect(await ids("?minBathrooms=2&maxBathrooms=2.5")).toEqual([a.id, b.id, c.id].sort());
    const inverted = await send(tenant, "GET", "?minPrice=10&maxPrice=5", { role: "viewer" });
    expect(inverted.status).toBe(400);
  });

  it("finds properties in a bounding box and within a radius (haversine)", async () => {
    const tenant = await createTenant();
    const downtown = await createProperty(tenant, { latitude: 47.6062, longitude: -122.3321 });
    const bellevue = await createProperty(tenant, { latitude: 47.6101, longitude: -122.2015 });
    const tacoma = await createProperty(tenant, { latitude: 47.2529, longitude: -122.4443 });
    const ids = async (query: string) => (await listAll(tenant, query)).map((item) => item.id).sort();

    expect(await ids("?bbox=-122.4,47.5,-122.3,47.7")).toEqual([downtown.id]);
    expect(await ids("?bbox=-122.5,47.2,-122.1,47.7")).toEqual([downtown.id, bellevue.id, tacoma.id].sort());
    // Bellevue is about 9.8 km from downtown Seattle, Tacoma about 40 km.
    expect(await ids("?near=47.6062,-122.3321&radiusKm=5")).toEqual([downtown.id]);
    expect(await ids("?near=47.6062,-122.3321&radiusKm=12")).toEqual([downtown.id, bellevue.id].sort());
    expect(await ids("?near=47.6062,-122.3321&radiusKm=50")).toHaveLength(3);
    for (const query of [
      "?near=47.6,-122.3",
      "?radiusKm=5",
      "?near=91,0&radiusKm=1",
      "?bbox=1,2,3",
      "?bbox=a,b,c,d",
    ]) {
      expect((await send(tenant, "GET", query, { role: "viewer" })).status, query).toBe(400);
    }
  });

  it("searches the address with q (prefix words) and is not injectable", async () => {
    const tenant = await createTenant();
    const pine = await createProperty(tenant, { address: "1200 Pine Street", city: "Seattle" });
    await createProperty(tenant, { address: "55 Olive Way", city: "Seattle" });
    const ids = async (query: string) => (await listAll(tenant, query)).map((item) => item.id);

    expect(await ids("?q=pine")).toEqual([pine.id]);
    expect(await ids("?q=120%20pin")).toEqual([pine.id]);
    expect(await ids("?q=PINE%20STREET%20seattle")).toEqual([pine.id]);
    expect(await ids("?q=maple")).toEqual([]);
    for (const q of [
      "pine' or '1'='1",
      "pine)|(!x",
      "pine:* | olive",
      "%27%3B%20drop%20table%20properties%3B--",
    ]) {
      const response = await send(tenant, "GET", `?q=${encodeURIComponent(q)}`, { role: "viewer" });
      expect(response.status, q).toBe(200);
    }
    expect((await send(tenant, "GET", "?q=%20%27%27", { role: "viewer" })).status).toBe(400);
    expect((await listAll(tenant, "")).length).toBe(2);
  });
});
