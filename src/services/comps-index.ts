// Keeps the comps index in step with property writes. Callers run it after their write has committed (the API
// after the response is on its way, the pipeline after its upsert); indexing is idempotent, so a failure only
// leaves the index stale until `npm run vector:backfill`, and a retried message or request may run it again.
import type { Database } from "../db/client.ts";
import { type PropertyAttributes, propertyFeatures } from "../domain/features/index.ts";
import type { Settings } from "../env.ts";
import { createVectorIndex } from "../vector/index.ts";
import type { VectorIndex, VectorItem } from "../vector/vector-index.ts";
import type { Property } from "./properties.ts";

/** The properties columns an embedding is built from, plus what the payload carries. */
export interface IndexableProperty extends PropertyAttributes {
  id: string;
  status: string;
  closingDate: string | null;
}

export function vectorItemOf(property: IndexableProperty): VectorItem {
  return {
    propertyId: property.id,
    vector: propertyFeatures(property),
    payload: {
      sold: property.status === "sold",
      closingDate: property.closingDate ? property.closingDate.slice(0, 10) : null,
      latitude: property.latitude,
      longitude: property.longitude,
    },
  };
}

/**
 * Brings the index up to date after property writes: deleted properties leave it, every other one is
 * (re-)embedded with the current FEATURE_VERSION. The pipeline and the properties API call this after
 * their write has committed, with the index or with the request's settings and database (a drizzle
 * `properties` row is an IndexableProperty); it is idempotent, so a retried message or request may call it again.
 */
export async function indexProperties(
  target: VectorIndex | { settings: Settings; db: Database },
  tenantId: string,
  properties: readonly IndexableProperty[],
): Promise<{ upserted: number; deleted: number }> {
  const index = "settings" in target ? createVectorIndex(target.settings, target.db) : target;
  const removed = properties
    .filter((property) => property.status === "deleted")
    .map((property) => property.id);
  const kept = properties.filter((property) => property.status !== "deleted").map(vectorItemOf);
  if (kept.length > 0) await index.upsert(tenantId, kept);
  if (removed.length > 0) await index.delete(tenantId, removed);
  return { upserted: kept.length, deleted: removed.length };
}

/**
 * One property write of the API: the saved property is (re-)embedded, a deleted one leaves the index. The index
 * is chosen before the work starts, so a misconfigured index fails the request rather than the deferred work.
 */
export function refreshCompsIndex(
  settings: Settings,
  db: Database,
  tenantId: string,
  change: { saved: Property } | { deletedId: string },
): Promise<unknown> {
  const index = createVectorIndex(settings, db);
  return "saved" in change
    ? indexProperties(index, tenantId, [change.saved])
    : index.delete(tenantId, [change.deletedId]);
}
