import { describe, expect, it } from "vitest";
import { createDatabase } from "../../src/db/client.ts";
import type { properties as propertiesTable } from "../../src/db/schema.ts";
import { FEATURE_VERSION } from "../../src/domain/features/index.ts";
import { loadSettings } from "../../src/env.ts";
import { type AttributeRow, attributesOfRow } from "../../src/services/comps.ts";
import { type IndexableProperty, indexProperties } from "../../src/services/comps-index.ts";
import { createPgVectorIndex } from "../../src/vector/pgvector.ts";
import { testEnv } from "../helpers/env.ts";
import { seedProperties } from "../helpers/sales.ts";
import { adminSql, createTenant } from "../helpers/tenants.ts";
import { describeVectorIndexContract } from "./contract.ts";

describeVectorIndexContract("pgvector (local platform, app_runtime through the Neon endpoint)", async () => ({
  index: createPgVectorIndex(createDatabase({ url: testEnv.DATABASE_URL, timeoutMs: 5_000 })),
  createTenant: async () => (await createTenant()).id,
  addProperties: seedProperties,
}));

describe("indexProperties", () => {
  it("embeds live properties and removes deleted ones, idempotently", async () => {
    const index = createPgVectorIndex(createDatabase({ url: testEnv.DATABASE_URL, timeoutMs: 5_000 }));
    const tenant = await createTenant();
    const seeds = [
      { latitude: 47.62, longitude: -122.35, soldDaysAgo: 10 },
      { latitude: 47.621, longitude: -122.351, status: "active" as const },
    ];
    const [soldId = "", activeId = ""] = await seedProperties(tenant.id, seeds);
    const rows =
      await adminSql()`select id, status, closing_date::text as closing_date, latitude, longitude, zip,
        sqft, lot_size, bedrooms, bathrooms::float8 as bathrooms, floors::float8 as floors, waterfront, view_rating,
        condition_rating, grade, sqft_above, sqft_basement, year_built, year_renovated, property_type
      from properties where tenant_id = ${tenant.id}`;
    const properties: IndexableProperty[] = rows.map((row) => ({
      ...attributesOfRow(row as AttributeRow),
      id: row.id,
      status: row.status,
      closingDate: row.closing_date,
    }));
    expect(await indexProperties(index, tenant.id, properties)).toEqual({ upserted: 2, deleted: 0 });
    const settings = loadSettings(testEnv);
    const db = createDatabase({ url: testEnv.DATABASE_URL, timeoutMs: 5_000 });
    expect(await indexProperties({ settings, db }, tenant.id, properties)).toEqual({
      upserted: 2,
      deleted: 0,
    });
    const stored =
      await adminSql()`select property_id, feature_version, array_length(embedding, 1) as dimension
      from property_embeddings where tenant_id = ${tenant.id} order by property_id`;
    expect(stored).toHaveLength(2);
    expect(stored[0]).toMatchObject({ feature_version: FEATURE_VERSION, dimension: 16 });

    const deleted = properties.map((property) =>
      property.id === activeId ? { ...property, status: "deleted" } : property,
    );
    expect(await indexProperties(index, tenant.id, deleted)).toEqual({ upserted: 1, deleted: 1 });
    const remaining =
      await adminSql()`select property_id from property_embeddings where tenant_id = ${tenant.id}`;
    expect(remaining).toEqual([{ property_id: soldId }]);
  });
});

// A drizzle properties row is what the properties API holds after a write: it must be indexable as is.
type DrizzleRowIsIndexable = typeof propertiesTable.$inferSelect extends IndexableProperty ? true : never;
const drizzleRowIsIndexable: DrizzleRowIsIndexable = true;
void drizzleRowIsIndexable;
