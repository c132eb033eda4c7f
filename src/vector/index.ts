// One interface over the similarity-vector stores the comps search can use: pgvector in the tenant's Postgres
// (default, also what PGlite runs locally) or Qdrant Cloud over HTTP. Both are tenant-scoped on every call.
import type { Database } from "../db/client.ts";
import { FEATURE_VERSION, SIMILARITY_VECTOR_DIMENSION } from "../domain/features/index.ts";
import type { Settings } from "../env.ts";
import { createPgVectorIndex } from "./pgvector.ts";
import { createQdrantIndex } from "./qdrant.ts";

/** What a store may filter on besides the tenant; pgvector reads the same facts from the properties table. */
export interface VectorPayload {
  sold: boolean;
  /** ISO date (YYYY-MM-DD) of the sale, or null. */
  closingDate: string | null;
  latitude: number | null;
  longitude: number | null;
}

export interface VectorItem {
  propertyId: string;
  vector: number[];
  payload: VectorPayload;
}

export interface BoundingBox {
  minLatitude: number;
  maxLatitude: number;
  minLongitude: number;
  maxLongitude: number;
}

export interface VectorQueryFilter {
  /** Only properties sold on or after today minus this many days (implies sold). */
  soldWithinDays?: number;
  bbox?: BoundingBox;
}

export interface VectorQueryOptions {
  limit: number;
  filter?: VectorQueryFilter;
}

export interface VectorMatch {
  propertyId: string;
  /** Cosine similarity in [-1, 1], higher is more similar. */
  score: number;
}

export interface VectorIndex {
  readonly kind: "pgvector" | "qdrant";
  upsert(tenantId: string, items: readonly VectorItem[]): Promise<void>;
  delete(tenantId: string, propertyIds: readonly string[]): Promise<void>;
  query(tenantId: string, vector: readonly number[], options: VectorQueryOptions): Promise<VectorMatch[]>;
}

export const MAX_QUERY_LIMIT = 1000;

// One function object for the isolate: the Qdrant client caches per fetch implementation.
const globalFetch: typeof fetch = (input, init) => fetch(input, init);

/** The index the settings choose; `fetcher` lets tests stand in for Qdrant's HTTP API. */
export function createVectorIndex(
  settings: Settings,
  db: Database,
  fetcher: typeof fetch = globalFetch,
): VectorIndex {
  if (settings.vector.index === "qdrant") {
    const qdrant = settings.vector.qdrant;
    if (!qdrant) throw new Error("VECTOR_INDEX=qdrant needs QDRANT_URL");
    return createQdrantIndex({ ...qdrant, fetch: fetcher });
  }
  return createPgVectorIndex(db);
}

export function assertVector(vector: readonly number[]): void {
  if (vector.length !== SIMILARITY_VECTOR_DIMENSION || !vector.every(Number.isFinite)) {
    throw new Error(
      `a similarity vector has ${SIMILARITY_VECTOR_DIMENSION} finite numbers (${FEATURE_VERSION})`,
    );
  }
}

const KM_PER_DEGREE_LATITUDE = 111.2;

/** The box around a point that contains every point within `radiusKm` (the cheap prefilter before haversine). */
export function boundingBoxAround(latitude: number, longitude: number, radiusKm: number): BoundingBox {
  const latitudeDelta = radiusKm / KM_PER_DEGREE_LATITUDE;
  const cosine = Math.max(0.01, Math.cos((Math.min(89, Math.abs(latitude)) * Math.PI) / 180));
  const longitudeDelta = Math.min(180, radiusKm / (KM_PER_DEGREE_LATITUDE * cosine));
  return {
    minLatitude: Math.max(-90, latitude - latitudeDelta),
    maxLatitude: Math.min(90, latitude + latitudeDelta),
    minLongitude: Math.max(-180, longitude - longitudeDelta),
    maxLongitude: Math.min(180, longitude + longitudeDelta),
  };
}
