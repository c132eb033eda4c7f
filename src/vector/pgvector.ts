// VectorIndex over the property_embeddings table (migration 0005). Embeddings are real[]; the filters come from
// the properties row itself (status, closing_date, latitude/longitude), so no payload is duplicated.
//
// Two query paths:
// - HNSW, where pgvector is installed, unfiltered or with a `near` filter (comps candidates: tenant, sold-date
//   range and great-circle distance in the same statement): the HNSW expression index (cosine) with iterative
//   scans in strict order, so the conditions applied after the index scan still fill `limit` (pgvector >= 0.8)
//   as long as hnsw.max_scan_tuples (20,000 by default) reach enough matching rows.
// - exact, otherwise (plain PostgreSQL, or the bounding-box/recent filters alone): the rows the filter leaves are
//   scored exactly (dot product of L2-normalized vectors = cosine) in SQL; no extension needed.
import { type SQL, sql } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { FEATURE_VERSION } from "../domain/features/index.ts";
import { boundingBoxAround } from "./bounding-box.ts";
import {
  assertVector,
  MAX_QUERY_LIMIT,
  type VectorIndex,
  type VectorItem,
  type VectorMatch,
  type VectorQueryOptions,
} from "./vector-index.ts";

function realArrayLiteral(vector: readonly number[]): string {
  return `{${vector.map((value) => String(Math.fround(value))).join(",")}}`;
}

// Whether the connected database has the vector type: asked once per isolate (the Worker talks to one database).
let vectorTypeAvailable: Promise<boolean> | undefined;

function hasVectorType(db: Database, tenantId: string): Promise<boolean> {
  vectorTypeAvailable ??= db
    .withTenant(tenantId, (tx) => [
      tx.execute<{ available: boolean }>(sql`select to_regtype('vector') is not null as available`),
    ])
    .then(([result]) => result.rows[0]?.available === true)
    .catch((error: unknown) => {
      vectorTypeAvailable = undefined;
      throw error;
    });
  return vectorTypeAvailable;
}

function filterConditions(options: VectorQueryOptions): SQL[] {
  const conditions: SQL[] = [];
  const filter = options.filter ?? {};
  if (filter.soldWithinDays !== undefined) {
    conditions.push(
      sql`p.status = 'sold' and p.closing_date >= current_date - ${Math.floor(filter.soldWithinDays)}::integer`,
    );
  }
  if (filter.bbox) {
    const box = filter.bbox;
    conditions.push(sql`p.latitude between ${box.minLatitude} and ${box.maxLatitude}
      and p.longitude between ${box.minLongitude} and ${box.maxLongitude}`);
  }
  if (filter.soldBetween) {
    conditions.push(sql`p.status = 'sold' and p.closing_date >= ${filter.soldBetween.from}::date
      and p.closing_date < ${filter.soldBetween.before}::date`);
  }
  if (filter.near) {
    const { latitude, longitude, radiusKm } = filter.near;
    const box = boundingBoxAround(latitude, longitude, radiusKm);
    // The box keeps properties_tenant_sold_location_idx usable; haversine (as src/domain/valuation/geo.ts) decides.
    conditions.push(sql`p.latitude between ${box.minLatitude} and ${box.maxLatitude}
      and p.longitude between ${box.minLongitude} and ${box.maxLongitude}
      and 2 * 6371.0088 * asin(least(1, sqrt(
        power(sin(radians(p.latitude - ${latitude}::float8) / 2), 2)
        + cos(radians(${latitude}::float8)) * cos(radians(p.latitude))
          * power(sin(radians(p.longitude - ${longitude}::float8) / 2), 2)))) <= ${radiusKm}::float8`);
  }
  return conditions;
}

export function createPgVectorIndex(db: Database): VectorIndex {
  return {
    kind: "pgvector",

    async upsert(tenantId, items: readonly VectorItem[]) {
      if (items.length === 0) return;
      for (const item of items) assertVector(item.vector);
      const rows = JSON.stringify(items.map((item) => ({ id: item.propertyId, embedding: item.vector })));
      // Joined with properties so an id that is missing, deleted or another tenant's is skipped, not an error.
      await db.withTenant(tenantId, (tx) => [
        tx.execute(sql`
          insert into property_embeddings (tenant_id, property_id, embedding, feature_version, updated_at)
          select p.tenant_id, p.id,
            (select array_agg(value::real order by position)
               from jsonb_array_elements_text(item.embedding) with ordinality as element(value, position)),
            ${FEATURE_VERSION}, now()
          from jsonb_to_recordset(${rows}::jsonb) as item(id uuid, embedding jsonb)
          join properties p on p.id = item.id and p.tenant_id = ${tenantId} and p.deleted_at is null
          on conflict (tenant_id, property_id) do update
            set embedding = excluded.embedding, feature_version = excluded.feature_version, updated_at = now()`),
      ]);
    },

    async delete(tenantId, propertyIds) {
      if (propertyIds.length === 0) return;
      await db.withTenant(tenantId, (tx) => [
        tx.execute(sql`delete from property_embeddings
          where tenant_id = ${tenantId} and property_id = any(${`{${propertyIds.join(",")}}`}::uuid[])`),
      ]);
    },

    async query(tenantId, vector, options): Promise<VectorMatch[]> {
      assertVector(vector);
      const limit = Math.max(1, Math.min(MAX_QUERY_LIMIT, Math.floor(options.limit)));
      const literal = realArrayLiteral(vector);
      const conditions = filterConditions(options);
      const useHnsw =
        (conditions.length === 0 || options.filter?.near !== undefined) &&
        (await hasVectorType(db, tenantId));
      if (useHnsw) {
        const [, , result] = await db.withTenant(tenantId, (tx) => [
          tx.execute(sql`select set_config('hnsw.iterative_scan', 'strict_order', true)`),
          tx.execute(sql`select set_config('hnsw.ef_search', ${String(Math.max(40, limit))}, true)`),
          tx.execute<{ property_id: string; score: number }>(sql`
            select e.property_id, 1 - (e.embedding::vector(16) <=> ${literal}::real[]::vector(16)) as score
            from property_embeddings e
            ${
              conditions.length > 0
                ? sql`join properties p on p.tenant_id = e.tenant_id and p.id = e.property_id and p.deleted_at is null`
                : sql``
            }
            where e.tenant_id = ${tenantId} and e.feature_version = ${FEATURE_VERSION}
              ${conditions.length > 0 ? sql`and ${sql.join(conditions, sql` and `)}` : sql``}
            order by e.embedding::vector(16) <=> ${literal}::real[]::vector(16)
            limit ${limit}`),
        ]);
        return result.rows.map((row) => ({ propertyId: row.property_id, score: Number(row.score) }));
      }
      const [result] = await db.withTenant(tenantId, (tx) => [
        tx.execute<{ property_id: string; score: number }>(sql`
          select e.property_id,
            (select sum(a * b) from unnest(e.embedding, ${literal}::real[]) as pair(a, b)) as score
          from property_embeddings e
          join properties p on p.tenant_id = e.tenant_id and p.id = e.property_id and p.deleted_at is null
          where e.tenant_id = ${tenantId} and e.feature_version = ${FEATURE_VERSION}
            ${conditions.length > 0 ? sql`and ${sql.join(conditions, sql` and `)}` : sql``}
          order by score desc, e.property_id
          limit ${limit}`),
      ]);
      return result.rows.map((row) => ({ propertyId: row.property_id, score: Number(row.score) }));
    },
  };
}
