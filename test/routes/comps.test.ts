import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { createDatabase } from "../../src/db/client.ts";
import { type AttributeRow, attributesOfRow } from "../../src/services/comps.ts";
import { type IndexableProperty, indexProperties } from "../../src/services/comps-index.ts";
import { createPgVectorIndex } from "../../src/vector/pgvector.ts";
import { testEnv } from "../helpers/env.ts";
import { type SeedProperty, seedProperties } from "../helpers/sales.ts";
import { adminSql, createTenant } from "../helpers/tenants.ts";

const api = exports.default;

const SUBJECT: SeedProperty = { latitude: 47.62, longitude: -122.35, status: "active", sqft: 1800 };
const NEIGHBOURHOOD: SeedProperty[] = [
  { latitude: 47.621, longitude: -122.351, soldDaysAgo: 40, closingPrice: 640_000, sqft: 1750 },
  { latitude: 47.618, longitude: -122.348, soldDaysAgo: 90, closingPrice: 700_000, sqft: 1900, grade: 8 },
  { latitude: 47.623, longitude: -122.355, soldDaysAgo: 200, closingPrice: 610_000, sqft: 1700 },
  { latitude: 47.616, longitude: -122.344, soldDaysAgo: 30, closingPrice: 660_000, sqft: 1850 },
  // Too far (about 11 km), too old, not sold, deleted: never comps with the defaults.
  { latitude: 47.72, longitude: -122.35, soldDaysAgo: 20, closingPrice: 900_000 },
  { latitude: 47.6205, longitude: -122.3505, soldDaysAgo: 2000, closingPrice: 400_000 },
  { latitude: 47.6202, longitude: -122.3502, status: "active" },
  { latitude: 47.6201, longitude: -122.3501, status: "deleted" },
];

async function seedTenant() {
  const tenant = await createTenant();
  const [subjectId = "", ...others] = await seedProperties(tenant.id, [SUBJECT, ...NEIGHBOURHOOD]);
  return { tenant, subjectId, nearbySales: others.slice(0, 4) };
}

// The first request of the file pays the isolate's cold start (JWKS, the bundled model) on 2 shared cores.
describe("GET /api/v1/properties/{id}/comps", { timeout: 20_000 }, () => {
  it("answers the tenant's nearby recent sales with similarity, distance and adjustments", async () => {
    const { tenant, subjectId, nearbySales } = await seedTenant();
    const response = await api.fetch(`http://api.test/api/v1/properties/${subjectId}/comps`, {
      headers: await tenant.headers("viewer"),
    });
    expect(response.status).toBe(200);
    const body = await response.json<{
      subject: { id: string };
      estimate: number | null;
      comps: {
        propertyId: string;
        similarity: number;
        distanceKm: number;
        adjustments: Record<string, number>;
      }[];
    }>();
    expect(body.subject.id).toBe(subjectId);
    expect(body.comps.map((comp) => comp.propertyId).sort()).toEqual([...nearbySales].sort());
    for (const comp of body.comps) {
      expect(comp.distanceKm).toBeLessThanOrEqual(1.5);
      expect(comp.similarity).toBeGreaterThan(0.5);
      expect(Object.keys(comp.adjustments).sort()).toEqual(
        ["ageConditionGrade", "lot", "rooms", "size", "time", "viewWaterfront"].sort(),
      );
    }
    expect(body.estimate).toBeGreaterThan(500_000);
  });

  it("never answers another tenant's sale, even with identical data in both tenants", async () => {
    const first = await seedTenant();
    const second = await seedTenant();
    const response = await api.fetch(
      `http://api.test/api/v1/properties/${first.subjectId}/comps?radiusKm=25&soldWithinDays=3650&limit=25`,
      { headers: await first.tenant.headers("viewer") },
    );
    expect(response.status).toBe(200);
    const ids = (await response.json<{ comps: { propertyId: string }[] }>()).comps.map(
      (comp) => comp.propertyId,
    );
    expect(ids.length).toBeGreaterThan(0);
    for (const id of ids) expect(second.nearbySales).not.toContain(id);
  });

  it("answers 404 for another tenant's property exactly as for a missing id", async () => {
    const first = await seedTenant();
    const other = await createTenant();
    const headers = await other.headers("viewer");
    const foreign = await api.fetch(`http://api.test/api/v1/properties/${first.subjectId}/comps`, {
      headers,
    });
    const missing = await api.fetch(`http://api.test/api/v1/properties/${crypto.randomUUID()}/comps`, {
      headers,
    });
    expect(foreign.status).toBe(404);
    expect(missing.status).toBe(404);
    const strip = (body: Record<string, unknown>) => ({ ...body, instance: undefined, requestId: undefined });
    expect(strip(await foreign.json())).toEqual(strip(await missing.json()));
  });

  it("honours radiusKm, soldWithinDays and limit", async () => {
    const { tenant, subjectId } = await seedTenant();
    const headers = await tenant.headers("viewer");
    const narrow = await api.fetch(
      `http://api.test/api/v1/properties/${subjectId}/comps?radiusKm=0.3&soldWithinDays=60&limit=5`,
      { headers },
    );
    const comps = (await narrow.json<{ comps: { distanceKm: number; ageDays: number }[] }>()).comps;
    expect(comps.length).toBeGreaterThan(0);
    for (const comp of comps) {
      expect(comp.distanceKm).toBeLessThanOrEqual(0.3);
      expect(comp.ageDays).toBeLessThanOrEqual(60);
    }
    const one = await api.fetch(`http://api.test/api/v1/properties/${subjectId}/comps?limit=1`, { headers });
    expect((await one.json<{ comps: unknown[] }>()).comps).toHaveLength(1);
  });

  it("answers 400 problem+json for a malformed id or query", async () => {
    const tenant = await createTenant();
    const headers = await tenant.headers("viewer");
    for (const path of [
      "/api/v1/properties/not-a-uuid/comps",
      `/api/v1/properties/${crypto.randomUUID()}/comps?limit=0`,
      `/api/v1/properties/${crypto.randomUUID()}/comps?radiusKm=-1`,
      `/api/v1/properties/${crypto.randomUUID()}/comps?soldWithinDays=abc`,
      `/api/v1/properties/${crypto.randomUUID()}/comps?unknown=1`,
    ]) {
      const response = await api.fetch(`http://api.test${path}`, { headers });
      expect(response.status, path).toBe(400);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      const body = await response.json<{ code: string; errors: unknown[] }>();
      expect(body.code).toBe("bad_request");
      expect(body.errors.length).toBeGreaterThan(0);
    }
  });

  it("needs a token", async () => {
    const response = await api.fetch(`http://api.test/api/v1/properties/${crypto.randomUUID()}/comps`);
    expect(response.status).toBe(401);
  });
});

describe("OpenAPI document", () => {
  it("lists the comps and valuation operations", async () => {
    const response = await api.fetch("http://api.test/openapi.json");
    expect(response.status).toBe(200);
    const document = await response.json<{ paths: Record<string, Record<string, unknown>> }>();
    expect(Object.keys(document.paths["/api/v1/properties/{id}/comps"] ?? {})).toEqual(["get"]);
    expect(Object.keys(document.paths["/api/v1/properties/{id}/valuation"] ?? {})).toEqual(["get"]);
    expect(Object.keys(document.paths["/api/v1/valuations"] ?? {})).toEqual(["post"]);
  });
});

describe("GET /api/v1/properties/{id}/comps with COMPS_CANDIDATES=vector", { timeout: 30_000 }, () => {
  /** Embeds every property of the tenant in pgvector, as the writes (and npm run vector:backfill) do. */
  async function embed(tenantId: string) {
    const rows =
      await adminSql()`select id, status, closing_date::text as closing_date, zip, latitude, longitude,
        sqft, lot_size, bedrooms, bathrooms::float8 as bathrooms, floors::float8 as floors, waterfront, view_rating,
        condition_rating, grade, sqft_above, sqft_basement, year_built, year_renovated, property_type
      from properties where tenant_id = ${tenantId}`;
    const properties: IndexableProperty[] = rows.map((row) => ({
      ...attributesOfRow(row as unknown as AttributeRow),
      id: String(row.id),
      status: String(row.status),
      closingDate: row.closing_date === null ? null : String(row.closing_date),
    }));
    const db = createDatabase({ url: testEnv.DATABASE_URL, timeoutMs: 5000 });
    await indexProperties(createPgVectorIndex(db), tenantId, properties);
  }

  it("reads candidates from the vector index, the tenant's only, within the radius and window", async () => {
    const first = await seedTenant();
    const second = await seedTenant();
    await embed(first.tenant.id);
    await embed(second.tenant.id);
    const app = createApp();
    const env = { ...testEnv, COMPS_CANDIDATES: "vector" };
    const ask = async (path: string) => {
      const ctx = createExecutionContext();
      const response = await app.fetch(
        new Request(`http://api.test${path}`, { headers: await first.tenant.headers("viewer") }),
        env,
        ctx,
      );
      await waitOnExecutionContext(ctx);
      return response;
    };
    const response = await ask(`/api/v1/properties/${first.subjectId}/comps`);
    expect(response.status).toBe(200);
    const body = await response.json<{ comps: { propertyId: string; distanceKm: number }[] }>();
    // The same four as the SQL path: sold, within 1.5 km and 365 days, not deleted, never the other tenant's twins.
    expect(body.comps.map((comp) => comp.propertyId).sort()).toEqual([...first.nearbySales].sort());
    for (const comp of body.comps) expect(second.nearbySales).not.toContain(comp.propertyId);
    // A tighter window and radius reach the index query itself.
    const narrow = await (
      await ask(`/api/v1/properties/${first.subjectId}/comps?soldWithinDays=35&radiusKm=1`)
    ).json<{
      comps: { propertyId: string }[];
    }>();
    expect(narrow.comps.map((comp) => comp.propertyId)).toEqual([first.nearbySales[3]]);
    const foreign = await ask(`/api/v1/properties/${second.subjectId}/comps`);
    expect(foreign.status).toBe(404);
  });
});
