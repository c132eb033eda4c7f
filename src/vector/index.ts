// One interface over the similarity-vector stores the comps search can use: pgvector in the tenant's Postgres
// (default, also what PGlite runs locally) or Qdrant Cloud over HTTP. Both are tenant-scoped on every call.
import type { Database } from "../db/client.ts";
import type { Settings } from "../env.ts";
import { createPgVectorIndex } from "./pgvector.ts";
import { createQdrantIndex } from "./qdrant.ts";
import type { VectorIndex } from "./vector-index.ts";

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

export { boundingBoxAround } from "./bounding-box.ts";
