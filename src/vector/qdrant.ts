// VectorIndex over Qdrant's REST API (Qdrant Cloud). One collection per environment (`properties_<env>`) shared by
// all tenants: the tenant is a payload field indexed with `is_tenant: true` (Qdrant co-locates each tenant's
// points), and every read, write and delete carries a `tenant_id` must-condition, so no request can reach
// another tenant's points even with a known point id.
//
// Request shapes follow Qdrant's REST API reference (v1.12+): PUT /collections/{name}, PUT /collections/{name}/index,
// PUT /collections/{name}/points, POST /collections/{name}/points/query, POST /collections/{name}/points/delete.

import { SIMILARITY_VECTOR_DIMENSION } from "../domain/features/index.ts";
import { isoDateToEpochDay } from "../domain/valuation/geo.ts";
import { ApiError } from "../errors.ts";
import { RetryDeadlineError, retry } from "../retry.ts";
import {
  assertVector,
  MAX_QUERY_LIMIT,
  type VectorIndex,
  type VectorItem,
  type VectorMatch,
  type VectorQueryOptions,
} from "./vector-index.ts";

export interface QdrantOptions {
  url: string;
  apiKey?: string | undefined;
  collection: string;
  /** Upper bound for one operation, retries included. */
  timeoutMs: number;
  maxAttempts: number;
  fetch: typeof fetch;
  /** Ceiling of the first backoff wait (src/retry.ts), 100 ms by default; tests shorten it. */
  backoffBaseMs?: number;
}

export interface QdrantPointPayload {
  tenant_id: string;
  sold: boolean;
  /** Days since 1970-01-01 of the sale: an integer range filter is cheaper than a datetime one. */
  closing_day: number | null;
  location: { lat: number; lon: number } | null;
}

interface QdrantResponse<T> {
  result: T;
  status: string;
  time: number;
}

const RETRYABLE_STATUSES = new Set([429, 500, 502, 503, 504]);

class RetryableQdrantError extends Error {
  readonly retryAfterMs: number | undefined;
  constructor(message: string, retryAfterMs?: number) {
    super(message);
    this.retryAfterMs = retryAfterMs;
  }
}

function unavailable(detail: string, cause?: unknown): ApiError {
  return new ApiError("upstream_unavailable", {
    detail,
    headers: { "Retry-After": "5" },
    cause,
  });
}

export function todayEpochDay(now = new Date()): number {
  return isoDateToEpochDay(now.toISOString().slice(0, 10));
}

export function qdrantPayloadOf(tenantId: string, item: VectorItem): QdrantPointPayload {
  const { payload } = item;
  return {
    tenant_id: tenantId,
    sold: payload.sold,
    closing_day: payload.closingDate ? isoDateToEpochDay(payload.closingDate) : null,
    location:
      payload.latitude !== null && payload.longitude !== null
        ? { lat: payload.latitude, lon: payload.longitude }
        : null,
  };
}

export function qdrantFilterOf(tenantId: string, options: VectorQueryOptions, now = new Date()) {
  const must: Record<string, unknown>[] = [{ key: "tenant_id", match: { value: tenantId } }];
  const filter = options.filter ?? {};
  if (filter.soldWithinDays !== undefined) {
    must.push({ key: "sold", match: { value: true } });
    must.push({ key: "closing_day", range: { gte: todayEpochDay(now) - Math.floor(filter.soldWithinDays) } });
  }
  if (filter.soldBetween) {
    must.push({ key: "sold", match: { value: true } });
    must.push({
      key: "closing_day",
      range: {
        gte: isoDateToEpochDay(filter.soldBetween.from),
        lt: isoDateToEpochDay(filter.soldBetween.before),
      },
    });
  }
  if (filter.near) {
    must.push({
      key: "location",
      geo_radius: {
        center: { lat: filter.near.latitude, lon: filter.near.longitude },
        radius: filter.near.radiusKm * 1000,
      },
    });
  }
  if (filter.bbox) {
    must.push({
      key: "location",
      geo_bounding_box: {
        top_left: { lat: filter.bbox.maxLatitude, lon: filter.bbox.minLongitude },
        bottom_right: { lat: filter.bbox.minLatitude, lon: filter.bbox.maxLongitude },
      },
    });
  }
  return { must };
}

// Collections known to exist, per fetch implementation and collection URL: an index is built per request, but the
// collection and its payload indexes are checked once per isolate.
const readyCollections = new WeakMap<typeof fetch, Map<string, Promise<void>>>();

export function createQdrantIndex(options: QdrantOptions): VectorIndex {
  const base = options.url.replace(/\/+$/, "");
  const collectionPath = `/collections/${encodeURIComponent(options.collection)}`;
  const backoffBaseMs = options.backoffBaseMs ?? 100;
  const readyKey = `${base}${collectionPath}`;

  async function attempt<T>(method: string, path: string, body: unknown, signal: AbortSignal): Promise<T> {
    let response: Response;
    try {
      response = await options.fetch(`${base}${path}`, {
        method,
        headers: {
          "content-type": "application/json",
          ...(options.apiKey ? { "api-key": options.apiKey } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
    } catch (error) {
      throw new RetryableQdrantError(`network error: ${(error as Error)?.name ?? "unknown"}`);
    }
    if (RETRYABLE_STATUSES.has(response.status)) {
      await response.body?.cancel();
      const retryAfterSeconds = Number(response.headers.get("retry-after"));
      throw new RetryableQdrantError(
        `HTTP ${response.status}`,
        Number.isFinite(retryAfterSeconds) && retryAfterSeconds > 0 ? retryAfterSeconds * 1000 : undefined,
      );
    }
    const text = await response.text();
    if (!response.ok) {
      const error = new Error(`Qdrant answered HTTP ${response.status}`) as Error & { status: number };
      error.status = response.status;
      throw error;
    }
    return (JSON.parse(text) as QdrantResponse<T>).result;
  }

  /**
   * One operation: retries 429, 5xx and network failures with backoff (or the Retry-After Qdrant names), within
   * timeoutMs overall.
   */
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    try {
      return await retry((remainingMs) => attempt<T>(method, path, body, AbortSignal.timeout(remainingMs)), {
        attempts: options.maxAttempts,
        baseMs: backoffBaseMs,
        deadline: Date.now() + options.timeoutMs,
        retryable: (error) => error instanceof RetryableQdrantError,
        requestedWaitMs: (error) => (error as RetryableQdrantError).retryAfterMs,
      });
    } catch (error) {
      if (error instanceof RetryDeadlineError) {
        throw unavailable("The vector index did not answer in time.", error.cause);
      }
      if (error instanceof RetryableQdrantError)
        throw unavailable("The vector index is not reachable.", error);
      throw unavailable("The vector index refused the request.", error);
    }
  }

  async function createCollection(): Promise<void> {
    const { exists } = await call<{ exists: boolean }>("GET", `${collectionPath}/exists`);
    if (!exists) {
      await call("PUT", collectionPath, {
        vectors: { size: SIMILARITY_VECTOR_DIMENSION, distance: "Cosine" },
        // Multitenancy as Qdrant documents it: no global HNSW graph, one graph per tenant via payload_m.
        hnsw_config: { payload_m: 16, m: 0 },
      });
    }
    // Creating an existing payload index is a no-op in Qdrant, so this also repairs a half-created collection.
    const indexes: [string, unknown][] = [
      ["tenant_id", { type: "keyword", is_tenant: true }],
      ["sold", "bool"],
      ["closing_day", "integer"],
      ["location", "geo"],
    ];
    for (const [field, schema] of indexes) {
      await call("PUT", `${collectionPath}/index?wait=true`, { field_name: field, field_schema: schema });
    }
  }

  function ensureCollection(): Promise<void> {
    let ready = readyCollections.get(options.fetch);
    if (!ready) {
      ready = new Map();
      readyCollections.set(options.fetch, ready);
    }
    const known = ready.get(readyKey);
    if (known) return known;
    const created = createCollection().catch((error: unknown) => {
      ready.delete(readyKey);
      throw error;
    });
    ready.set(readyKey, created);
    return created;
  }

  return {
    kind: "qdrant",

    async upsert(tenantId, items) {
      if (items.length === 0) return;
      for (const item of items) assertVector(item.vector);
      await ensureCollection();
      await call("PUT", `${collectionPath}/points?wait=true`, {
        points: items.map((item) => ({
          id: item.propertyId,
          vector: [...item.vector],
          payload: qdrantPayloadOf(tenantId, item),
        })),
      });
    },

    async delete(tenantId, propertyIds) {
      if (propertyIds.length === 0) return;
      await ensureCollection();
      // By filter, not by id list: the tenant condition keeps a delete from touching another tenant's point.
      await call("POST", `${collectionPath}/points/delete?wait=true`, {
        filter: { must: [{ key: "tenant_id", match: { value: tenantId } }, { has_id: [...propertyIds] }] },
      });
    },

    async query(tenantId, vector, queryOptions): Promise<VectorMatch[]> {
      assertVector(vector);
      await ensureCollection();
      const result = await call<{ points: { id: string | number; score: number }[] }>(
        "POST",
        `${collectionPath}/points/query`,
        {
          query: [...vector],
          filter: qdrantFilterOf(tenantId, queryOptions),
          limit: Math.max(1, Math.min(MAX_QUERY_LIMIT, Math.floor(queryOptions.limit))),
          with_payload: false,
          with_vector: false,
        },
      );
      return result.points.map((point) => ({ propertyId: String(point.id), score: point.score }));
    },
  };
}
