import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { sql } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { createApp } from "../../src/app.ts";
import { createDatabase } from "../../src/db/client.ts";
import { servedAvmModel } from "../../src/services/avm-model.ts";
import { testEnv } from "../helpers/env.ts";
import { type SeedProperty, seedProperties } from "../helpers/sales.ts";
import { adminSql, createTenant } from "../helpers/tenants.ts";

const api = exports.default;

const SALES: SeedProperty[] = [
  { latitude: 47.621, longitude: -122.351, soldDaysAgo: 40, closingPrice: 640_000, sqft: 1750 },
  { latitude: 47.618, longitude: -122.348, soldDaysAgo: 90, closingPrice: 700_000, sqft: 1900, grade: 8 },
  { latitude: 47.623, longitude: -122.355, soldDaysAgo: 200, closingPrice: 610_000, sqft: 1700 },
];

interface ValuationBody {
  propertyId: string | null;
  estimate: number;
  low: number;
  high: number;
  fsd: number;
  confidence: number;
  modelVersion: string;
  method: string;
  comps: { propertyId: string }[];
}

function appWithMetricsSpy() {
  const writeDataPoint = vi.fn();
  const env = { ...testEnv, METRICS: { writeDataPoint } as unknown as AnalyticsEngineDataset };
  const app = createApp();
  return {
    writeDataPoint,
    /** The valuation points among everything written (each request also writes its request point). */
    valuationPoints: () =>
      writeDataPoint.mock.calls
        .map((call) => call[0] as { blobs: string[]; doubles: number[]; indexes: string[] })
        .filter((point) => point.blobs[0] === "valuation"),
    /** Answers once the request's after-response work (the valuation log write) is done too. */
    async fetch(path: string, init?: RequestInit) {
      const ctx = createExecutionContext();
      const response = await app.fetch(new Request(`http://api.test${path}`, init), env, ctx);
      await waitOnExecutionContext(ctx);
      return response;
    },
  };
}

describe("GET /api/v1/properties/{id}/valuation", { timeout: 20_000 }, () => {
  it("values the property with the served model, its own comps, a range and an Analytics Engine point", async () => {
    const tenant = await createTenant();
    const [subjectId = "", ...saleIds] = await seedProperties(tenant.id, [
      { latitude: 47.62, longitude: -122.35, status: "active", sqft: 1800 },
      ...SALES,
    ]);
    const other = await createTenant();
    const otherSales = await seedProperties(other.id, SALES);
    const client = appWithMetricsSpy();
    const response = await client.fetch(`/api/v1/properties/${subjectId}/valuation`, {
      headers: await tenant.headers("viewer"),
    });
    expect(response.status).toBe(200);
    const body = await response.json<ValuationBody>();
    expect(body.propertyId).toBe(subjectId);
    expect(body.modelVersion).toBe(servedAvmModel.modelVersion);
    expect(body.low).toBeLessThan(body.estimate);
    expect(body.high).toBeGreaterThan(body.estimate);
    expect(body.fsd).toBeGreaterThan(0);
    expect(body.confidence).toBeGreaterThanOrEqual(0);
    expect(body.confidence).toBeLessThanOrEqual(1);
    expect(body.method).toBe("model+comps");
    expect(body.comps.length).toBeGreaterThan(0);
    for (const comp of body.comps) {
      expect(saleIds).toContain(comp.propertyId);
      expect(otherSales).not.toContain(comp.propertyId);
    }

    expect(client.valuationPoints()).toHaveLength(1);
    const point = client.valuationPoints()[0] as { blobs: string[]; doubles: number[]; indexes: string[] };
    expect(point.blobs).toEqual(["valuation", body.modelVersion, "", "", tenant.id]);
    expect(point.indexes).toEqual([tenant.id]);
    // docs/metrics.md: double1 confidence, double2 latency, double3 FSD.
    expect(point.doubles[0]).toBe(body.confidence);
    expect(point.doubles[1]).toBeGreaterThanOrEqual(0);
    expect(point.doubles[2]).toBe(body.fsd);

    const logged = await adminSql()`select model_version, estimate::float8 as estimate, subject_features
      from valuation_log where tenant_id = ${tenant.id} and property_id = ${subjectId}`;
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ model_version: body.modelVersion, estimate: body.estimate });
    expect(logged[0]?.subject_features).toMatchObject({ sqft: 1800, latitude: 47.62 });
  });

  it("answers 404 for another tenant's property, as for a missing one, and logs nothing", async () => {
    const owner = await createTenant();
    const [propertyId = ""] = await seedProperties(owner.id, [{ latitude: 47.62, longitude: -122.35 }]);
    const intruder = await createTenant();
    const headers = await intruder.headers("viewer");
    const foreign = await api.fetch(`http://api.test/api/v1/properties/${propertyId}/valuation`, { headers });
    const missing = await api.fetch(`http://api.test/api/v1/properties/${crypto.randomUUID()}/valuation`, {
      headers,
    });
    expect(foreign.status).toBe(404);
    expect(missing.status).toBe(404);
    expect((await foreign.json<{ detail: string }>()).detail).toBe(
      (await missing.json<{ detail: string }>()).detail,
    );
    const logged =
      await adminSql()`select count(*)::int as count from valuation_log where tenant_id = ${intruder.id}`;
    expect(logged[0]?.count).toBe(0);
  });

  it("answers 400 for a malformed id", async () => {
    const tenant = await createTenant();
    const response = await api.fetch("http://api.test/api/v1/properties/123/valuation", {
      headers: await tenant.headers("viewer"),
    });
    expect(response.status).toBe(400);
  });
});

describe("outside the model's area", () => {
  it("answers 422 outside_model_area for a Florida house, stored or ad hoc, and logs nothing", async () => {
    const tenant = await createTenant();
    const headers = await tenant.headers("viewer");
    const [stored = ""] = await seedProperties(tenant.id, [
      { latitude: 25.77, longitude: -80.19, zip: "33130", status: "active" },
      { latitude: 25.771, longitude: -80.191, zip: "33130", soldDaysAgo: 30, closingPrice: 450_000 },
    ]);
    const answers = [
      await api.fetch(`http://api.test/api/v1/properties/${stored}/valuation`, { headers }),
      await api.fetch("http://api.test/api/v1/valuations", {
        method: "POST",
        headers: { ...headers, "content-type": "application/json" },
        body: JSON.stringify({ latitude: 25.77, longitude: -80.19, zip: "33130", sqft: 1800 }),
      }),
    ];
    for (const response of answers) {
      expect(response.status).toBe(422);
      expect(response.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      const problem = await response.json<{ code: string; title: string; detail: string }>();
      expect(problem).toMatchObject({
        code: "outside_model_area",
        title: "Outside the valuation model's area",
        detail: "The location is far from every sale the valuation model was trained on.",
      });
    }
    const logged =
      await adminSql()`select count(*)::int as count from valuation_log where tenant_id = ${tenant.id}`;
    expect(logged[0]?.count).toBe(0);
  });
});

describe("market index in the valuation", () => {
  it("moves the estimate with the tenant's own market level, read in the valuation's round trip", async () => {
    const model = servedAvmModel;
    const base = model.market.base["*"] ?? 0;
    const today = new Date().toISOString().slice(0, 10);
    const subject = { latitude: 47.62, longitude: -122.35, zip: "98109", sqft: 1800, bedrooms: 3, grade: 7 };
    const estimateOf = async (tenant: Awaited<ReturnType<typeof createTenant>>) => {
      const response = await api.fetch("http://api.test/api/v1/valuations", {
        method: "POST",
        headers: { ...(await tenant.headers("viewer")), "content-type": "application/json" },
        body: JSON.stringify(subject),
      });
      expect(response.status).toBe(200);
      return response.json<ValuationBody>();
    };
    const [flat, risen, other] = [await createTenant(), await createTenant(), await createTenant()];
    for (const tenant of [flat, risen, other]) await seedProperties(tenant.id, SALES);
    // The same sales. One tenant's market stood at its end-of-training level 210 days ago and today; the other's
    // rose by 20% between those days; a third tenant's rows (a 40% fall) must not reach either.
    // Written as the cron writes them: app_runtime inside the tenant's transaction (app_admin only reads).
    const db = createDatabase({ url: testEnv.DATABASE_URL, timeoutMs: 5000 });
    const longAgo = new Date(Date.now() - 210 * 86_400_000).toISOString().slice(0, 10);
    const insert = (tenantId: string, rise: number) =>
      db.withTenant(tenantId, (tx) => [
        tx.execute(sql`insert into market_index (tenant_id, model_version, area, as_of, log_level, sales, window_days)
          values (${tenantId}, ${model.modelVersion}, '*', ${longAgo}, ${base}, 500, 60),
            (${tenantId}, ${model.modelVersion}, '*', ${today}, ${base + rise}, 500, 60)`),
      ]);
    await insert(flat.id, 0);
    await insert(risen.id, Math.log(1.2));
    await insert(other.id, Math.log(0.6));
    const [atBase, up] = [await estimateOf(flat), await estimateOf(risen)];
    type TimedComp = { closingPrice: number; closingDate: string; adjustments: { time: number } };
    const comps = (body: ValuationBody) => body.comps as unknown as TimedComp[];
    expect(comps(up).length).toBeGreaterThan(0);
    for (const comp of comps(atBase)) expect(comp.adjustments.time).toBe(0);
    for (const comp of comps(up)) {
      // Linear between the two points: a sale `age` days ago is brought forward by age/210 of the 20% rise.
      const age = Math.round((Date.parse(today) - Date.parse(comp.closingDate)) / 86_400_000);
      const expected = comp.closingPrice * (Math.exp((Math.log(1.2) * age) / 210) - 1);
      expect(comp.adjustments.time).toBeGreaterThan(0);
      expect(Math.abs(comp.adjustments.time - expected)).toBeLessThanOrEqual(1);
    }
    expect(up.estimate).toBeGreaterThan(atBase.estimate);
    // Both up to date: no staleness widening (the FSD differs only through the comps).
    expect(Math.abs(up.fsd - atBase.fsd)).toBeLessThan(0.03);
    const stale = await createTenant();
    await seedProperties(stale.id, SALES);
    // No point at all: the market is known only up to the end of training, years ago, and the FSD says so.
    const unknown = await estimateOf(stale);
    expect(unknown.fsd).toBeGreaterThan(atBase.fsd + 0.05);
  });
});

describe("POST /api/v1/valuations", () => {
  it("values an ad-hoc subject for a viewer, against the caller's tenant's sales only", async () => {
    const tenant = await createTenant();
    const saleIds = await seedProperties(tenant.id, SALES);
    const other = await createTenant();
    const otherSales = await seedProperties(other.id, SALES);
    const client = appWithMetricsSpy();
    const response = await client.fetch("/api/v1/valuations", {
      method: "POST",
      headers: await tenant.headers("viewer"),
      body: JSON.stringify({
        latitude: 47.62,
        longitude: -122.35,
        sqft: 1800,
        bedrooms: 3,
        bathrooms: 2,
        grade: 7,
      }),
    });
    expect(response.status).toBe(200);
    const body = await response.json<ValuationBody>();
    expect(body.propertyId).toBeNull();
    expect(body.estimate).toBeGreaterThan(0);
    for (const comp of body.comps) {
      expect(saleIds).toContain(comp.propertyId);
      expect(otherSales).not.toContain(comp.propertyId);
    }
    expect(client.valuationPoints()).toHaveLength(1);
    const logged = await adminSql()`select property_id from valuation_log where tenant_id = ${tenant.id}`;
    expect(logged).toEqual([{ property_id: null }]);
  });

  it("answers 422 with field errors for an invalid or unknown field", async () => {
    const tenant = await createTenant();
    const headers = await tenant.headers("viewer");
    for (const body of [
      { latitude: 95, longitude: -122.35 },
      { longitude: -122.35 },
      { latitude: 47.6, longitude: -122.35, grade: 14 },
      { latitude: 47.6, longitude: -122.35, bathrooms: 2.3 },
      { latitude: 47.6, longitude: -122.35, price: 1 },
    ]) {
      const response = await api.fetch("http://api.test/api/v1/valuations", {
        method: "POST",
        headers,
        body: JSON.stringify(body),
      });
      expect(response.status, JSON.stringify(body)).toBe(422);
      const problem = await response.json<{ code: string; errors: { field: string }[] }>();
      expect(problem.code).toBe("validation_failed");
      expect(problem.errors.length).toBeGreaterThan(0);
    }
  });

  it("answers 415 for a body that is not JSON and 400 for malformed JSON", async () => {
    const tenant = await createTenant();
    const { authorization } = await tenant.headers("viewer");
    const text = await api.fetch("http://api.test/api/v1/valuations", {
      method: "POST",
      headers: { authorization: authorization ?? "", "content-type": "text/plain" },
      body: "latitude=47",
    });
    expect(text.status).toBe(415);
    const malformed = await api.fetch("http://api.test/api/v1/valuations", {
      method: "POST",
      headers: { authorization: authorization ?? "", "content-type": "application/json" },
      body: "{",
    });
    expect(malformed.status).toBe(400);
  });
});
