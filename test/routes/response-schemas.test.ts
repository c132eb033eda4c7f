// The hot-path reads answer what their OpenAPI route declares. Responses are checked against their declared schemas
// here, in tests, and not in production: @hono/zod-openapi validates requests only, and re-validating every answer
// would cost CPU on each read (docs/performance.md). Each read is checked on its miss and on its
// edge-cache hit, so the cache never answers something the route could not.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import type { z } from "@hono/zod-openapi";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { EDGE_CACHE_NAME } from "../../src/middleware/edge-cache.ts";
import { getCompsRoute } from "../../src/routes/comps/get-comps.ts";
import { getHealthRoute } from "../../src/routes/health/get-health.ts";
import { getPropertyRoute } from "../../src/routes/properties/get-property.ts";
import { listPropertiesRoute } from "../../src/routes/properties/list-properties.ts";
import { getPropertyValuationRoute } from "../../src/routes/valuation/get-property-valuation.ts";
import { testEnv } from "../helpers/env.ts";
import { seedProperties } from "../helpers/sales.ts";
import { createTenant } from "../helpers/tenants.ts";

const app = createApp();

type Route = { responses: { 200: { content: { "application/json": { schema: z.ZodType } } } } };
const schemaOf = (route: Route) => route.responses[200].content["application/json"].schema;

async function get(path: string, headers: Record<string, string> = {}) {
  const ctx = createExecutionContext();
  const response = await app.fetch(new Request(`http://api.test/api/v1${path}`, { headers }), testEnv, ctx);
  const body: unknown = await response.json();
  await waitOnExecutionContext(ctx);
  return { status: response.status, cacheStatus: response.headers.get("cache-status"), body };
}

describe("hot-path reads answer their declared response schemas", { timeout: 60_000 }, () => {
  it("health, GET one, list, search, comps and valuation, on a miss and on a hit", async () => {
    const tenant = await createTenant();
    const [subject = ""] = await seedProperties(tenant.id, [
      { latitude: 47.62, longitude: -122.35, status: "active", sqft: 1800 },
      { latitude: 47.621, longitude: -122.351, soldDaysAgo: 40, closingPrice: 640_000, sqft: 1750 },
      { latitude: 47.618, longitude: -122.348, soldDaysAgo: 90, closingPrice: 700_000, sqft: 1900 },
      { latitude: 47.623, longitude: -122.355, soldDaysAgo: 200, closingPrice: 610_000, sqft: 1700 },
    ]);
    const health = await get("/health");
    expect(health.status).toBe(200);
    expect(() => schemaOf(getHealthRoute).parse(health.body)).not.toThrow();

    const headers = await tenant.headers("viewer");
    const reads: [string, Route][] = [
      [`/properties/${subject}`, getPropertyRoute],
      ["/properties?limit=3", listPropertiesRoute],
      ["/properties?minSqft=1000&limit=3&sort=-price", listPropertiesRoute],
      [`/properties/${subject}/comps`, getCompsRoute],
      [`/properties/${subject}/valuation`, getPropertyValuationRoute],
    ];
    for (const [path, route] of reads) {
      for (const cacheStatus of [`${EDGE_CACHE_NAME}; fwd=uri-miss; stored`, `${EDGE_CACHE_NAME}; hit`]) {
        const read = await get(path, headers);
        expect({ path, status: read.status, cacheStatus: read.cacheStatus }).toEqual({
          path,
          status: 200,
          cacheStatus,
        });
        const parsed = schemaOf(route).safeParse(read.body);
        expect(parsed.error?.issues, path).toBeUndefined();
      }
    }
  });
});
