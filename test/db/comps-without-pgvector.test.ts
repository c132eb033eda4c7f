// The real PostgreSQL 15 server has no pgvector: migration 0005 must apply there, the pgvector VectorIndex must
// fall back to exact scoring over real[] and comps must still work, all through the Neon protocol as app_runtime.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase } from "../../src/db/client.ts";
import { findComps } from "../../src/services/comps.ts";
import { createPgVectorIndex } from "../../src/vector/pgvector.ts";
import { type Engine, POSTGRES_ADMIN_URL, postgresAvailable, startEngine } from "../helpers/engines.ts";
import { insertSeedProperties, type SeedProperty } from "../helpers/property-seeds.ts";
import { describeVectorIndexContract } from "../vector/contract.ts";

const postgresUp = await postgresAvailable();
if (!postgresUp)
  console.warn(`PostgreSQL not reachable at ${POSTGRES_ADMIN_URL}: pgvector-less suite skipped`);

describe.runIf(postgresUp)("comps and the pgvector index on PostgreSQL without the vector extension", () => {
  let engine: Engine;

  beforeAll(async () => {
    engine = await startEngine("postgres");
  });
  afterAll(async () => {
    await engine?.close();
  });

  async function createTenant(): Promise<string> {
    const rows = await engine.admin`insert into tenants (slug, name)
      values (${`t-${crypto.randomUUID().slice(0, 12)}`}, 'No pgvector') returning id`;
    return String(rows[0]?.id);
  }

  it("applied 0005 with real[] embeddings and no HNSW index", async () => {
    const [column] = await engine.admin`select data_type from information_schema.columns
      where table_name = 'property_embeddings' and column_name = 'embedding'`;
    expect(column?.data_type).toBe("ARRAY");
    const indexes =
      await engine.admin`select indexname from pg_indexes where tablename = 'property_embeddings'`;
    expect(indexes.map((row) => row.indexname)).not.toContain("property_embeddings_hnsw_idx");
  });

  describeVectorIndexContract(
    "pgvector index, exact path (PostgreSQL 15 without the extension)",
    async () => ({
      index: createPgVectorIndex(
        createDatabase({ url: engine.platform.runtimeDatabaseUrl, timeoutMs: 10_000 }),
      ),
      createTenant,
      addProperties: (tenantId: string, seeds: SeedProperty[]) =>
        insertSeedProperties(engine.admin, tenantId, seeds),
    }),
  );

  it("finds comps of the tenant only", async () => {
    const db = createDatabase({ url: engine.platform.runtimeDatabaseUrl, timeoutMs: 10_000 });
    const seeds: SeedProperty[] = [
      { latitude: 47.62, longitude: -122.35, status: "active" },
      { latitude: 47.621, longitude: -122.351, soldDaysAgo: 30 },
      { latitude: 47.619, longitude: -122.349, soldDaysAgo: 60 },
    ];
    const first = await createTenant();
    const second = await createTenant();
    const [subjectId = "", ...sales] = await insertSeedProperties(engine.admin, first, seeds);
    const otherSales = await insertSeedProperties(engine.admin, second, seeds);
    const result = await findComps(db, first, subjectId, { limit: 10, radiusKm: 2, soldWithinDays: 365 });
    expect(result.comps.map((comp) => comp.propertyId).sort()).toEqual([...sales].sort());
    for (const comp of result.comps) expect(otherSales).not.toContain(comp.propertyId);
    await expect(
      findComps(db, second, subjectId, { limit: 10, radiusKm: 2, soldWithinDays: 365 }),
    ).rejects.toThrow("No property");
  });
});
