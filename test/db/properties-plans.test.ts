// EXPLAIN evidence for the properties API: with 100,000 properties over 10 tenants, every list, page and search
// statement the service builds runs off an index (no Seq Scan on properties), and a deep keyset page is planned
// like the first one. WRITE_PLANS=1 also writes the plans to bench/PLANS.md.
import { writeFile } from "node:fs/promises";
import { PgDialect } from "drizzle-orm/pg-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BackingDatabase, openPglite } from "../../scripts/platform/database.ts";
import { ensureReferenceData } from "../../scripts/platform/index.ts";
import { migrate } from "../../scripts/platform/migrate.ts";
import { encodeListCursor, type PropertySort } from "../../src/domain/list-cursor.ts";
import { listStatement, type PropertyFilters } from "../../src/services/property-search.ts";

const TENANTS = 10;
const PROPERTIES = 100_000;
const tenantId = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
const TENANT = tenantId(3);
const dialect = new PgDialect();
/** Seeding crosses tenants, so it runs as the pipeline's role (the owner is subject to forced RLS too). */
const ADMIN = { user: "app_admin", password: "app_admin" };

let database: BackingDatabase;

async function explain(statement: { sql: string; params: unknown[] }): Promise<string> {
  const results = await database.transaction({ user: "app_runtime", password: "app_runtime" }, [
    { query: "select set_config('app.current_tenant_id', $1, true)", params: [TENANT] },
    { query: `explain (costs off) ${statement.sql}`, params: statement.params },
  ]);
  return (results[1]?.rows ?? []).map((row) => String(row[0])).join("\n");
}

function listQuery(
  filters: PropertyFilters,
  sort: PropertySort,
  after?: { key: string | number | null; id: string },
) {
  const position = after ? { sort, filterFingerprint: "0".repeat(16), ...after } : undefined;
  return dialect.sqlToQuery(listStatement(TENANT, filters, sort, position, 20));
}

/** A row deep in the tenant's list (the 5,000th of about 10,000), to page from. */
async function deepRow(order: string, keyExpression: string): Promise<{ key: string | null; id: string }> {
  const [result] = await database.transaction(ADMIN, [
    {
      query: `select ${keyExpression} as key, id from properties where tenant_id = $1 and deleted_at is null
        order by ${order} offset 5000 limit 1`,
      params: [TENANT],
    },
  ]);
  const row = result?.rows[0];
  if (!row) throw new Error("no deep row");
  return { key: row[0] ?? null, id: String(row[1]) };
}

const plans: { title: string; plan: string }[] = [];

const NOTES = [
  "Under forced row-level security a condition can bound an index scan only if its operators are LEAKPROOF.",
  "Integer, float8, text, uuid and timestamp comparisons are, so sorts key on generated integer columns",
  "(price in cents, sqft) and every deep page starts at its cursor inside the index (ROW(...) in Index Cond).",
  "Numeric comparisons (bathrooms) and tsquery matching are not: those conditions filter the tenant's rows",
  "reached through a tenant index. So `q` does not use the GIN index while RLS is forced; it stays within",
  "one tenant and stops after a page of matches in newest order.",
].join(" ");

async function expectIndexed(title: string, statement: { sql: string; params: unknown[] }): Promise<string> {
  const plan = await explain(statement);
  plans.push({ title, plan });
  expect(plan, title).not.toMatch(/Seq Scan on properties/);
  expect(plan, title).toMatch(/Index|Bitmap/);
  // A deep page starts at its cursor inside the index (a bound, not a filter), so it costs what page 1 costs.
  if (title.startsWith("Deep page")) expect(plan, title).toMatch(/Index Cond: [^\n]*ROW\(/);
  return plan;
}

beforeAll(async () => {
  database = await openPglite();
  await migrate(database);
  // The seeded ZIPs (98001-98199) get their counties' NRI hazards from the reference tables (migrations/0008).
  await ensureReferenceData(database);
  const seed = `
      insert into tenants (id, slug, name)
      select ('00000000-0000-4000-8000-' || lpad(t::text, 12, '0'))::uuid, 'plan-tenant-' || t, 'Plan tenant ' || t
      from generate_series(1, ${TENANTS}) t;

      insert into properties (tenant_id, address, city, state, zip, latitude, longitude, normalized_address,
        address_hash, price, bedrooms, bathrooms, sqft, year_built, property_type, status, closing_price,
        closing_date, created_at, updated_at)
      select ('00000000-0000-4000-8000-' || lpad((1 + i % ${TENANTS})::text, 12, '0'))::uuid,
        i || ' ' || (array['Pine', 'Olive', 'Union', 'Pike', 'Madison', 'Spring'])[1 + i % 6] || ' St',
        (array['Seattle', 'Tacoma', 'Bellevue', 'Redmond', 'Everett', 'Kent', 'Renton', 'Auburn'])[1 + i % 8],
        'WA', (98001 + i % 199)::text,
        47.0 + (i * 7 % 1000) / 1000.0, -122.6 + (i * 13 % 1000) / 1000.0,
        upper(i || ' street ' || i % 6), md5(i::text),
        case when i % 17 = 0 then null else 100000 + (i * 7919) % 2000000 end,
        i % 7, (i % 9) / 2.0,
        case when i % 23 = 0 then null else 500 + (i * 31) % 5000 end,
        1900 + i % 125,
        (array['single_family', 'condo', 'townhouse', 'multi_family'])[1 + i % 4],
        case i % 10 when 0 then 'sold' when 1 then 'pending' when 2 then 'off_market' else 'active' end,
        case when i % 10 = 0 then 100000 + (i * 7919) % 2000000 end,
        case when i % 10 = 0 then date '2026-01-01' - (i % 365) end,
        timestamptz '2026-01-01' + make_interval(secs => i), timestamptz '2026-01-01' + make_interval(secs => i * 3 % ${PROPERTIES})
      from generate_series(1, ${PROPERTIES}) i;

      insert into property_changes (tenant_id, property_id, operation, version, snapshot)
      select tenant_id, id, 'created', 1, null from properties`;
  await database.transaction(
    ADMIN,
    seed.split(";").map((query) => ({ query })),
  );
  await database.asOwner((session) => session.exec("analyze properties; analyze property_changes"));
}, 300_000);

afterAll(async () => {
  if (process.env.WRITE_PLANS && plans.length) {
    const sections = plans.map(({ title, plan }) => `## ${title}\n\n\`\`\`\n${plan}\n\`\`\`\n`);
    await writeFile(
      new URL("../../bench/PLANS.md", import.meta.url),
      `# Query plans of the properties API\n\nWritten by test/db/properties-plans.test.ts (WRITE_PLANS=1): PGlite, ` +
        `${PROPERTIES.toLocaleString("en-US")} properties over ${TENANTS} tenants, queried as app_runtime with ` +
        `the tenant set (row-level security on), after ANALYZE. Each is the statement the service builds, ` +
        `page size 20.\n\n${NOTES}\n\n${sections.join("\n")}`,
    );
  }
  await database?.close();
});

describe("properties query plans (100,000 rows, 10 tenants)", () => {
  it("serves the first page and a deep keyset page of every sort from its index", async () => {
    await expectIndexed("First page, newest", listQuery({}, "newest"));
    const newest = await deepRow(
      "created_at desc, id desc",
      "to_char(created_at at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')",
    );
    const deep = await expectIndexed("Deep page (row 5,000), newest", listQuery({}, "newest", newest));
    expect(deep).toMatch(/Index Cond: .*ROW\(created_at, id\) </s);

    const cheapest = await deepRow("price_sort_asc, id", "price_sort_asc::text");
    await expectIndexed("First page, price", listQuery({}, "price"));
    await expectIndexed(
      "Deep page (row 5,000), price",
      listQuery({}, "price", { key: cheapest.key, id: cheapest.id }),
    );
    const dearest = await deepRow("price_sort_desc desc, id desc", "price_sort_desc::text");
    await expectIndexed(
      "Deep page (row 5,000), -price",
      listQuery({}, "-price", { key: dearest.key, id: dearest.id }),
    );
    const smallest = await deepRow("sqft_sort, id", "sqft_sort::text");
    await expectIndexed(
      "Deep page (row 5,000), sqft",
      listQuery({}, "sqft", { key: smallest.key, id: smallest.id }),
    );
    const updated = await deepRow(
      "updated_at desc, id desc",
      "to_char(updated_at at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')",
    );
    await expectIndexed("Deep page (row 5,000), updated", listQuery({}, "updated", updated));
    const safest = await deepRow("hazard_risk_sort_asc, id", "hazard_risk_sort_asc::text");
    await expectIndexed(
      "Deep page (row 5,000), riskScore",
      listQuery({}, "riskScore", { key: safest.key, id: safest.id }),
    );
    const riskiest = await deepRow("hazard_risk_sort_desc desc, id desc", "hazard_risk_sort_desc::text");
    await expectIndexed("First page, -riskScore", listQuery({}, "-riskScore"));
    await expectIndexed(
      "Deep page (row 5,000), -riskScore",
      listQuery({}, "-riskScore", { key: riskiest.key, id: riskiest.id }),
    );
  });

  it("serves filtered and search lists from indexes", async () => {
    await expectIndexed("Status filter, newest", listQuery({ statuses: ["pending"] }, "newest"));
    await expectIndexed("City filter", listQuery({ city: "Tacoma" }, "newest"));
    await expectIndexed("ZIP filter", listQuery({ zip: "98042" }, "newest"));
    await expectIndexed(
      "Risk rating filter, riskiest first",
      listQuery({ riskRatings: ["Relatively High", "Very High"] }, "-riskScore"),
    );
    await expectIndexed(
      "Price, bedrooms and year ranges, sorted by price",
      listQuery({ minPrice: 300000, maxPrice: 600000, minBedrooms: 3, minYearBuilt: 1950 }, "price"),
    );
    await expectIndexed(
      "Bounding box",
      listQuery({ bbox: { minLng: -122.35, minLat: 47.5, maxLng: -122.3, maxLat: 47.55 } }, "newest"),
    );
    await expectIndexed(
      "Radius 2 km (bounding-box prefilter + haversine)",
      listQuery({ near: { lat: 47.5, lng: -122.3, radiusKm: 2 } }, "newest"),
    );
    await expectIndexed('Full-text prefix search q="1234 pin"', listQuery({ q: "1234 pin" }, "newest"));
  });

  it("reads the changes feed from its index", async () => {
    const plan = await explain({
      sql: `select change_id, xid, operation, property_id, version, changed_at, snapshot from property_changes
        where tenant_id = $1::uuid and xid < pg_snapshot_xmin(pg_current_snapshot())
          and (xid, change_id) > ($2::xid8, $3::bigint)
        order by xid, change_id limit 101`,
      params: [TENANT, "0", "0"],
    });
    plans.push({ title: "Changes feed page", plan });
    expect(plan).not.toMatch(/Seq Scan/);
  });

  it("encodes cursors that round-trip the deep positions used above", () => {
    expect(
      encodeListCursor({ sort: "newest", filterFingerprint: "0".repeat(16), key: null, id: TENANT }),
    ).toMatch(/^[A-Za-z0-9_-]+$/);
  });
});
