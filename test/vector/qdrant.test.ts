import { afterEach, describe, expect, it } from "vitest";
import { propertyFeatures } from "../../src/domain/features/index.ts";
import { ApiError } from "../../src/errors.ts";
import { createQdrantIndex, type QdrantOptions } from "../../src/vector/qdrant.ts";
import { testEnv } from "../helpers/env.ts";
import { createQdrantStub, type QdrantStub } from "../helpers/qdrant-stub.ts";
import { describeVectorIndexContract, itemOf } from "./contract.ts";

const API_KEY = "test-api-key";

function stubbedIndex(stub: QdrantStub, overrides: Partial<QdrantOptions> = {}) {
  return createQdrantIndex({
    url: "https://qdrant.test:6333",
    apiKey: API_KEY,
    collection: "properties_test",
    timeoutMs: 2_000,
    maxAttempts: 4,
    backoffBaseMs: 5,
    fetch: stub.fetch,
    ...overrides,
  });
}

const randomIds = async (_tenantId: string, seeds: unknown[]) => seeds.map(() => crypto.randomUUID());

let sharedStub: QdrantStub | undefined;
describeVectorIndexContract("Qdrant (in-memory stub of the REST API)", async () => {
  sharedStub = createQdrantStub({ apiKey: API_KEY });
  return {
    index: stubbedIndex(sharedStub),
    createTenant: async () => crypto.randomUUID(),
    addProperties: randomIds,
  };
});

// Every request the contract made had to validate against the schema, carry the api-key and pin the tenant.
afterEach(() => {
  expect(sharedStub?.violations() ?? []).toEqual([]);
});

const SUBJECT = { latitude: 47.62, longitude: -122.35, soldDaysAgo: 10 };

describe("Qdrant client", () => {
  it("sends only requests that validate against Qdrant's schema, with the api-key, tenant-filtered", async () => {
    const stub = createQdrantStub({ apiKey: API_KEY });
    const index = stubbedIndex(stub);
    const tenantId = crypto.randomUUID();
    const [id = ""] = await randomIds(tenantId, [SUBJECT]);
    await index.upsert(tenantId, [itemOf(id, SUBJECT)]);
    await index.query(tenantId, itemOf(id, SUBJECT).vector, {
      limit: 5,
      filter: {
        soldWithinDays: 30,
        bbox: { minLatitude: 47.6, maxLatitude: 47.7, minLongitude: -122.4, maxLongitude: -122.3 },
      },
    });
    await index.delete(tenantId, [id]);
    expect(stub.violations()).toEqual([]);
    expect(stub.requests.map((request) => request.route)).toEqual([
      "GET /collections/{collection_name}/exists",
      "PUT /collections/{collection_name}",
      "PUT /collections/{collection_name}/index",
      "PUT /collections/{collection_name}/index",
      "PUT /collections/{collection_name}/index",
      "PUT /collections/{collection_name}/index",
      "PUT /collections/{collection_name}/points",
      "POST /collections/{collection_name}/points/query",
      "POST /collections/{collection_name}/points/delete",
    ]);
    expect(stub.requests[2]?.body).toEqual({
      field_name: "tenant_id",
      field_schema: { type: "keyword", is_tenant: true },
    });
    expect(stub.requests[1]?.url).toBe("https://qdrant.test:6333/collections/properties_test");
    expect(stub.requests[6]?.url).toContain("wait=true");
    expect(stub.requests[6]?.body).toMatchObject({
      points: [{ id, payload: { tenant_id: tenantId, sold: true, location: { lat: 47.62, lon: -122.35 } } }],
    });
  });

  it("rejects what the schema validator is meant to catch", async () => {
    const { QDRANT_REQUEST_SCHEMAS, validateJson } = await import("../helpers/qdrant-schema.ts");
    const upsert = QDRANT_REQUEST_SCHEMAS["PUT /collections/{collection_name}/points"];
    const query = QDRANT_REQUEST_SCHEMAS["POST /collections/{collection_name}/points/query"];
    if (!upsert || !query) throw new Error("schemas missing");
    expect(validateJson(upsert, { points: [{ id: "not-a-uuid", vector: [1] }] })).not.toEqual([]);
    expect(validateJson(upsert, { points: [{ id: 7, vectors: [1] }] })).not.toEqual([]);
    expect(
      validateJson(query, { query: [1], filter: { must: [{ key: "a", match: { text: 1 } }] } }),
    ).not.toEqual([]);
    expect(validateJson(query, { query: [1], limit: 0 })).not.toEqual([]);
    expect(
      validateJson(query, { query: [1], limit: 3, filter: { must: [{ key: "a", match: { value: "b" } }] } }),
    ).toEqual([]);
  });

  it("checks and creates the collection once per isolate, however many index objects are built", async () => {
    const stub = createQdrantStub({ apiKey: API_KEY });
    const tenantId = crypto.randomUUID();
    const vector = propertyFeatures(itemOfAttributes());
    await stubbedIndex(stub).query(tenantId, vector, { limit: 1 });
    const second = stubbedIndex(stub);
    await second.query(tenantId, vector, { limit: 1 });
    await second.query(tenantId, vector, { limit: 1 });
    const creates = stub.requests.filter((request) => request.route === "PUT /collections/{collection_name}");
    expect(creates).toHaveLength(1);
    expect(stub.requests.filter((request) => request.route.endsWith("/exists"))).toHaveLength(1);
    const otherCollection = stubbedIndex(stub, { collection: "properties_staging" });
    await otherCollection.query(tenantId, vector, { limit: 1 });
    expect(stub.requests.filter((request) => request.route.endsWith("/exists"))).toHaveLength(2);
  });

  it("retries 429, 5xx and network failures with backoff, then succeeds", async () => {
    const stub = createQdrantStub({ apiKey: API_KEY });
    const index = stubbedIndex(stub);
    const tenantId = crypto.randomUUID();
    stub.failNext(503, "network", 429);
    await index.query(tenantId, propertyFeatures(itemOfAttributes()), { limit: 1 });
    expect(stub.violations()).toEqual([]);
  });

  it("gives up after maxAttempts with 502 upstream_unavailable and no upstream text", async () => {
    const stub = createQdrantStub({ apiKey: API_KEY });
    const index = stubbedIndex(stub, { maxAttempts: 3 });
    stub.failNext(500, 500, 500, 500);
    const failure = await index
      .query(crypto.randomUUID(), propertyFeatures(itemOfAttributes()), { limit: 1 })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApiError);
    expect((failure as ApiError).code).toBe("upstream_unavailable");
    expect((failure as ApiError).message).not.toMatch(/injected/);
  });

  it("does not retry a 4xx other than 429", async () => {
    const stub = createQdrantStub({ apiKey: "another-key" });
    const index = stubbedIndex(stub);
    await expect(
      index.query(crypto.randomUUID(), propertyFeatures(itemOfAttributes()), { limit: 1 }),
    ).rejects.toThrow(ApiError);
    expect(stub.requests).toHaveLength(1);
  });

  it("stays within timeoutMs against a server that never answers", async () => {
    const hanging = ((_input: RequestInfo | URL, init?: RequestInit) =>
      new Promise<Response>((_resolve, reject) => {
        init?.signal?.addEventListener("abort", () => reject(init.signal?.reason));
      })) as typeof fetch;
    const index = createQdrantIndex({
      url: "https://qdrant.test",
      collection: "properties_test",
      timeoutMs: 300,
      maxAttempts: 10,
      backoffBaseMs: 5,
      fetch: hanging,
    });
    const started = Date.now();
    await expect(
      index.query(crypto.randomUUID(), propertyFeatures(itemOfAttributes()), { limit: 1 }),
    ).rejects.toThrow(ApiError);
    expect(Date.now() - started).toBeLessThan(1_500);
  });
});

function itemOfAttributes() {
  return {
    latitude: 47.62,
    longitude: -122.35,
    zip: null,
    sqft: 1800,
    lotSize: null,
    bedrooms: 3,
    bathrooms: 2,
    floors: null,
    waterfront: null,
    viewRating: null,
    conditionRating: null,
    grade: 7,
    sqftAbove: null,
    sqftBasement: null,
    yearBuilt: 1990,
    yearRenovated: null,
    propertyType: "single_family",
  };
}

describe("Qdrant live", () => {
  if (!testEnv.QDRANT_LIVE_URL) {
    it.skip("runs only when QDRANT_URL is set (and QDRANT_API_KEY for Qdrant Cloud)", () => {});
    return;
  }
  describeVectorIndexContract(`live Qdrant at ${new URL(testEnv.QDRANT_LIVE_URL).host}`, async () => ({
    index: createQdrantIndex({
      url: testEnv.QDRANT_LIVE_URL,
      apiKey: testEnv.QDRANT_LIVE_API_KEY || undefined,
      collection: "properties_contract_test",
      timeoutMs: 10_000,
      maxAttempts: 4,
      fetch: (input, init) => fetch(input, init),
    }),
    createTenant: async () => crypto.randomUUID(),
    addProperties: randomIds,
  }));
});
