// The contract every similarity-vector store meets, apart from the factory in index.ts that picks one, so the
// implementations can import it without importing each other through index.ts.
import { FEATURE_VERSION, SIMILARITY_VECTOR_DIMENSION } from "../domain/features/index.ts";

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
  /** Only properties sold on or after `from` and strictly before `before` (ISO dates; implies sold). */
  soldBetween?: { from: string; before: string };
  /** Only properties within `radiusKm` (great circle) of a point. */
  near?: { latitude: number; longitude: number; radiusKm: number };
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

export function assertVector(vector: readonly number[]): void {
  if (vector.length !== SIMILARITY_VECTOR_DIMENSION || !vector.every(Number.isFinite)) {
    throw new Error(
      `a similarity vector has ${SIMILARITY_VECTOR_DIMENSION} finite numbers (${FEATURE_VERSION})`,
    );
  }
}
