import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { createApp } from "../../src/app.ts";
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
