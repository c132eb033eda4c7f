// `npm run vector:backfill`: embeds every live property of every tenant into the configured vector index, in
// batches. Connects as app_admin (cross-tenant reads) through the Neon protocol: DATABASE_URL, or the local
// platform's endpoint. VECTOR_INDEX=qdrant writes to Qdrant (QDRANT_URL, QDRANT_API_KEY, ENVIRONMENT) instead.
//   node scripts/vector-backfill.ts [--batch 500]
import { neon } from "@neondatabase/serverless";
import { createDatabase } from "../src/db/client.ts";
import { type AttributeRow, attributesOfRow } from "../src/services/comps.ts";
import { createPgVectorIndex } from "../src/vector/pgvector.ts";
import { createQdrantIndex } from "../src/vector/qdrant.ts";
import { parseArgs } from "./lib/args.ts";
import { type BackfillCursor, backfillVectorIndex, type TenantProperty } from "./lib/vector-backfill.ts";

const LOCAL_ADMIN_URL = "postgres://app_admin:app_admin@127.0.0.1:5480/realestate";

const args = parseArgs(process.argv.slice(2));
const batchSize = Number(args.get("batch") ?? 500);
if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 5000) throw new Error("--batch is 1..5000");
const databaseUrl = process.env.DATABASE_URL ?? LOCAL_ADMIN_URL;
const sql = neon(databaseUrl);

const index =
  process.env.VECTOR_INDEX === "qdrant"
    ? createQdrantIndex({
        url: process.env.QDRANT_URL ?? "",
        apiKey: process.env.QDRANT_API_KEY,
        collection: `properties_${process.env.ENVIRONMENT ?? "development"}`,
        timeoutMs: 30_000,
        maxAttempts: 6,
        fetch: (input, init) => fetch(input, init),
      })
    : createPgVectorIndex(createDatabase({ url: databaseUrl, timeoutMs: 30_000 }));

async function fetchPage(after: BackfillCursor | null, limit: number): Promise<TenantProperty[]> {
  const rows =
    await sql`select tenant_id, id, status, closing_date::text as closing_date, latitude, longitude, zip,
      sqft, lot_size, bedrooms, bathrooms::float8 as bathrooms, floors::float8 as floors, waterfront, view_rating,
      condition_rating, grade, sqft_above, sqft_basement, year_built, year_renovated, property_type
    from properties
    where deleted_at is null
      and (tenant_id, id) > (${after?.tenantId ?? "00000000-0000-0000-0000-000000000000"}::uuid,
        ${after?.id ?? "00000000-0000-0000-0000-000000000000"}::uuid)
    order by tenant_id, id
    limit ${limit}`;
  return rows.map((row) => ({
    ...attributesOfRow(row as AttributeRow),
    tenantId: row.tenant_id,
    id: row.id,
    status: row.status,
    closingDate: row.closing_date,
  }));
}

const started = Date.now();
const report = await backfillVectorIndex({
  index,
  fetchPage,
  batchSize,
  log: (message) => console.log(message),
});
console.log(
  `backfill done: ${report.properties} properties into ${index.kind} in ${((Date.now() - started) / 1000).toFixed(1)}s`,
);
