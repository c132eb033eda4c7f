// What the benchmark asks of the API. Requests rotate over the tenants (each with its own token) and over
// each tenant's properties, so no single row or cache line carries the run.

export interface BenchTenant {
  id: string;
  viewerToken: string;
  editorToken: string;
  propertyIds: string[];
  soldPropertyIds: string[];
}

export interface ScenarioContext {
  baseUrl: string;
  tenants: BenchTenant[];
  rowsPerTenant: number;
}

export interface BenchRequest {
  method: "GET" | "POST";
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface Scenario {
  name: string;
  request(sequence: number): BenchRequest;
  /** False when the request's SQL is not a meaningful floor on its own (e.g. writes that must stay unique). */
  floor?: boolean;
  /** A repeat-read scenario: also measured request by request, hit and miss apart (bench/run.ts). */
  repeat?: boolean;
}

function pick<T>(items: readonly T[], sequence: number): T {
  const item = items[sequence % items.length];
  if (item === undefined) throw new Error("nothing to pick from");
  return item;
}

function get(tenant: BenchTenant, path: string): BenchRequest {
  return { method: "GET", path, headers: { authorization: `Bearer ${tenant.viewerToken}` } };
}

/** Walks the newest-first list to row `depth` once per tenant, so the deep-page scenario can jump there. */
async function deepCursor(context: ScenarioContext, tenant: BenchTenant, depth: number): Promise<string> {
  let cursor: string | undefined;
  const pageSize = 100;
  for (let seen = 0; seen < depth; seen += pageSize) {
    const query = new URLSearchParams({ limit: String(pageSize), ...(cursor ? { cursor } : {}) });
    const response = await fetch(`${context.baseUrl}/api/v1/properties?${query}`, get(tenant, ""));
    if (!response.ok) throw new Error(`walking to row ${depth}: ${response.status} ${await response.text()}`);
    cursor = ((await response.json()) as { nextCursor?: string | null }).nextCursor ?? undefined;
    if (!cursor) throw new Error(`walking to row ${depth}: the list ended after ${seen + pageSize} rows`);
  }
  return cursor ?? "";
}

export async function buildScenarios(context: ScenarioContext): Promise<Scenario[]> {
  const tenants = context.tenants;
  const deepTenants = tenants.slice(0, 2);
  // Page 1000 of 20 rows, or the last full page of 100 when a tenant has fewer rows than that.
  const depth = Math.min(1000 * 20, Math.floor((context.rowsPerTenant - 20) / 100) * 100);
  const cursors = await Promise.all(deepTenants.map((tenant) => deepCursor(context, tenant, depth)));
  const searchTerms = ["pine", "oak st", "cedar", "maple ave", "alder way", "birch"];
  return [
    {
      name: "health",
      request: () => ({ method: "GET", path: "/api/v1/health", headers: {} }),
    },
    {
      name: "get-one",
      request: (sequence) => {
        const tenant = pick(tenants, sequence);
        return get(tenant, `/api/v1/properties/${pick(tenant.propertyIds, sequence * 7)}`);
      },
    },
    {
      name: "list-first",
      request: (sequence) => get(pick(tenants, sequence), "/api/v1/properties?limit=20"),
    },
    {
      name: `list-deep (row ${depth.toLocaleString("en-US")})`,
      request: (sequence) => {
        const index = sequence % deepTenants.length;
        const cursor = cursors[index] ?? "";
        return get(
          deepTenants[index] as BenchTenant,
          `/api/v1/properties?limit=20&cursor=${encodeURIComponent(cursor)}`,
        );
      },
    },
    {
      name: "list-filtered",
      request: (sequence) =>
        get(
          pick(tenants, sequence),
          "/api/v1/properties?limit=20&status=sold&minPrice=300000&maxPrice=900000&minBedrooms=3&sort=price",
        ),
    },
    {
      name: "search",
      request: (sequence) =>
        get(
          pick(tenants, sequence),
          `/api/v1/properties?limit=20&q=${encodeURIComponent(pick(searchTerms, sequence))}`,
        ),
    },
    {
      name: "create",
      floor: false,
      request: (sequence) => {
        const tenant = pick(tenants, sequence);
        const unique = `${Date.now().toString(36)}${sequence}`;
        return {
          method: "POST",
          path: "/api/v1/properties",
          headers: { authorization: `Bearer ${tenant.editorToken}`, "content-type": "application/json" },
          body: JSON.stringify({
            address: `${1 + (sequence % 9000)} Bench Loop Unit ${unique}`,
            city: "Seattle",
            state: "WA",
            zip: "98101",
            price: 500000 + (sequence % 1000) * 100,
            bedrooms: 3,
            bathrooms: 2,
            sqft: 1800,
            propertyType: "single_family",
          }),
        };
      },
    },
    {
      name: "comps",
      request: (sequence) => {
        const tenant = pick(tenants, sequence);
        return get(tenant, `/api/v1/properties/${pick(tenant.soldPropertyIds, sequence * 3)}/comps?limit=10`);
      },
    },
    // Repeat reads: a client rereading a handful of the same resources, as a dashboard or a sync loop does. After
    // the first pass every request is an edge cache hit until the entries' TTL (src/middleware/edge-cache.ts).
    {
      name: "repeat-get-one",
      repeat: true,
      request: (sequence) => {
        const tenant = tenants[0] as BenchTenant;
        return get(tenant, `/api/v1/properties/${pick(tenant.propertyIds.slice(0, 5), sequence)}`);
      },
    },
    {
      name: "repeat-list",
      repeat: true,
      request: (sequence) =>
        get(
          tenants[0] as BenchTenant,
          `/api/v1/properties?limit=20&sort=${pick(["-price", "price"], sequence)}`,
        ),
    },
    {
      name: "repeat-valuation",
      repeat: true,
      request: (sequence) => {
        const tenant = tenants[0] as BenchTenant;
        return get(tenant, `/api/v1/properties/${pick(tenant.propertyIds.slice(0, 5), sequence)}/valuation`);
      },
    },
    {
      name: "valuation",
      request: (sequence) => {
        const tenant = pick(tenants, sequence);
        return get(tenant, `/api/v1/properties/${pick(tenant.propertyIds, sequence * 5)}/valuation`);
      },
    },
  ];
}
