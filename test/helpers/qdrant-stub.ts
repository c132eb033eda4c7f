// An in-memory Qdrant speaking the REST API this project uses, behind an injected fetch: it checks every request
// body against the published schema (qdrant-schema.ts) and the api-key, implements the semantics the VectorIndex
// contract relies on (filters, cosine scores, deletes), and answers in Qdrant's envelope {result, status, time}.

import { haversineKm } from "../../src/domain/valuation/geo.ts";
import { QDRANT_REQUEST_SCHEMAS, validateJson } from "./qdrant-schema.ts";

interface StoredPoint {
  vector: number[];
  payload: Record<string, unknown>;
}

export interface RecordedRequest {
  method: string;
  route: string;
  url: string;
  body: unknown;
  apiKey: string | null;
  schemaErrors: string[];
}

type Condition = Record<string, unknown>;

function cosine(a: number[], b: number[]): number {
  let dot = 0;
  let normA = 0;
  let normB = 0;
  a.forEach((x, index) => {
    const y = b[index] ?? 0;
    dot += x * y;
    normA += x * x;
    normB += y * y;
  });
  return dot / Math.sqrt(normA * normB);
}

function asList(value: unknown): Condition[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]) as Condition[];
}

function matches(id: string, point: StoredPoint, condition: Condition): boolean {
  if ("has_id" in condition) return (condition.has_id as string[]).includes(id);
  if (!("key" in condition)) return matchesFilter(id, point, condition);
  const value = point.payload[condition.key as string];
  if (condition.match) return value === (condition.match as { value: unknown }).value;
  if (condition.range) {
    const range = condition.range as Record<string, number | undefined>;
    if (typeof value !== "number") return false;
    return (
      (range.gte === undefined || value >= range.gte) &&
      (range.gt === undefined || value > range.gt) &&
      (range.lte === undefined || value <= range.lte) &&
      (range.lt === undefined || value < range.lt)
    );
  }
  if (condition.geo_radius) {
    const { center, radius } = condition.geo_radius as {
      center: { lat: number; lon: number };
      radius: number;
    };
    const location = value as { lat: number; lon: number } | null;
    if (!location) return false;
    return haversineKm(center.lat, center.lon, location.lat, location.lon) * 1000 <= radius;
  }
  if (condition.geo_bounding_box) {
    const box = condition.geo_bounding_box as Record<string, { lat: number; lon: number }>;
    const location = value as { lat: number; lon: number } | null;
    if (!location || !box.top_left || !box.bottom_right) return false;
    return (
      location.lat <= box.top_left.lat &&
      location.lat >= box.bottom_right.lat &&
      location.lon >= box.top_left.lon &&
      location.lon <= box.bottom_right.lon
    );
  }
  return false;
}

function matchesFilter(id: string, point: StoredPoint, filter: Condition | undefined): boolean {
  if (!filter) return true;
  const must = asList(filter.must);
  const should = asList(filter.should);
  const mustNot = asList(filter.must_not);
  return (
    must.every((condition) => matches(id, point, condition)) &&
    (should.length === 0 || should.some((condition) => matches(id, point, condition))) &&
    !mustNot.some((condition) => matches(id, point, condition))
  );
}

/** Whether a filter pins one tenant at its top level, as every data request of this client must. */
function hasTenantCondition(filter: Condition | undefined): boolean {
  return asList(filter?.must).some(
    (condition) =>
      condition.key === "tenant_id" && typeof (condition.match as { value?: unknown })?.value === "string",
  );
}

export interface QdrantStub {
  fetch: typeof fetch;
  requests: RecordedRequest[];
  /** Requests that broke the schema, the api-key or the tenant rule. */
  violations(): string[];
  /** The next requests answer these HTTP statuses (or "network" for a failed connection) before normal service. */
  failNext(...failures: (number | "network")[]): void;
  points(collection: string): Map<string, StoredPoint>;
}

export function createQdrantStub(options: { apiKey: string }): QdrantStub {
  const collections = new Map<string, { points: Map<string, StoredPoint>; indexes: Map<string, unknown> }>();
  const requests: RecordedRequest[] = [];
  const problems: string[] = [];
  const failures: (number | "network")[] = [];

  const ok = (result: unknown, status = 200) =>
    new Response(JSON.stringify({ result, status: "ok", time: 0.0001 }), {
      status,
      headers: { "content-type": "application/json" },
    });
  const error = (status: number, message: string) =>
    new Response(JSON.stringify({ status: { error: message }, time: 0.0001 }), {
      status,
      headers: { "content-type": "application/json" },
    });

  async function handle(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const failure = failures.shift();
    if (failure === "network") throw new TypeError("fetch failed");
    if (failure !== undefined) return error(failure, "injected failure");

    const segments = url.pathname.split("/").filter(Boolean);
    const name = decodeURIComponent(segments[1] ?? "");
    const rest = segments.slice(2).join("/");
    const route = `${request.method} /collections/{collection_name}${rest ? `/${rest}` : ""}`;
    const text = await request.text();
    const body = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
    const schema = QDRANT_REQUEST_SCHEMAS[route];
    const schemaErrors =
      schema === undefined
        ? [`unknown route ${route}`]
        : schema === null
          ? []
          : validateJson(schema, text ? body : undefined);
    const apiKey = request.headers.get("api-key");
    requests.push({ method: request.method, route, url: request.url, body, apiKey, schemaErrors });
    for (const message of schemaErrors) problems.push(`${route}: ${message}`);
    if (apiKey !== options.apiKey) {
      problems.push(`${route}: wrong api-key`);
      return error(401, "Invalid api-key");
    }
    if (schemaErrors.length > 0) return error(400, `Format error in JSON body: ${schemaErrors[0]}`);

    const collection = collections.get(name);
    if (route === "GET /collections/{collection_name}/exists")
      return ok({ exists: collection !== undefined });
    if (route === "PUT /collections/{collection_name}") {
      if (collection) return error(409, `Collection \`${name}\` already exists!`);
      collections.set(name, { points: new Map(), indexes: new Map() });
      return ok(true);
    }
    if (!collection) return error(404, `Collection \`${name}\` doesn't exist!`);
    const completed = ok({ operation_id: requests.length, status: "completed" });
    switch (route) {
      case "PUT /collections/{collection_name}/index": {
        collection.indexes.set(String(body.field_name), body.field_schema);
        return completed;
      }
      case "PUT /collections/{collection_name}/points": {
        if (url.searchParams.get("wait") !== "true") problems.push(`${route}: upsert without wait=true`);
        for (const point of body.points as {
          id: string;
          vector: number[];
          payload: Record<string, unknown>;
        }[]) {
          collection.points.set(point.id, { vector: point.vector, payload: point.payload ?? {} });
        }
        return completed;
      }
      case "POST /collections/{collection_name}/points/delete": {
        const filter = body.filter as Condition | undefined;
        if (!hasTenantCondition(filter)) problems.push(`${route}: delete without a tenant condition`);
        for (const [id, point] of [...collection.points]) {
          if (filter ? matchesFilter(id, point, filter) : (body.points as string[]).includes(id)) {
            collection.points.delete(id);
          }
        }
        return completed;
      }
      case "POST /collections/{collection_name}/points/query": {
        const filter = body.filter as Condition | undefined;
        if (!hasTenantCondition(filter)) problems.push(`${route}: query without a tenant condition`);
        // Qdrant refuses geo and range conditions on fields without a payload index of that kind.
        for (const condition of asList(filter?.must)) {
          const key = String(condition.key ?? "");
          const kind = collection.indexes.get(key);
          if ((condition.geo_radius || condition.geo_bounding_box) && kind !== "geo")
            problems.push(`${route}: geo condition on ${key}, which has no geo index`);
          if (condition.range && kind !== "integer" && kind !== "float")
            problems.push(`${route}: range condition on ${key}, which has no numeric index`);
        }
        const query = body.query as number[];
        const scored = [...collection.points]
          .filter(([id, point]) => matchesFilter(id, point, filter))
          .map(([id, point]) => ({ id, version: 1, score: cosine(query, point.vector) }))
          .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1))
          .slice(0, Number(body.limit ?? 10));
        return ok({ points: scored });
      }
      default:
        return error(404, "Not found");
    }
  }

  return {
    fetch: handle as typeof fetch,
    requests,
    violations: () => [...problems],
    failNext: (...next) => failures.push(...next),
    points: (collection) => collections.get(collection)?.points ?? new Map(),
  };
}
