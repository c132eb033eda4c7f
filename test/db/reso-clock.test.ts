// The RESO clock (migrations/0010) on PGlite and a real PostgreSQL 15: ModificationTimestamp is unique per tenant
// even for rows one statement writes together and for transactions that write at the same moment; a tenant's
// writes are stamped in commit order; OriginalEntryTimestamp never changes; and a RESO query that runs past its
// statement_timeout is cancelled and answered 504, not left to run.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase } from "../../src/db/client.ts";
import { parseQueryOptions } from "../../src/domain/odata/query-options.ts";
import { fieldNames, queryCollection } from "../../src/services/reso.ts";
import { type Engine, POSTGRES_ADMIN_URL, postgresAvailable, startEngine } from "../helpers/engines.ts";

const postgresUp = await postgresAvailable();
if (!postgresUp && process.env.CI) {
  throw new Error(`PostgreSQL is required in CI and is not reachable at ${POSTGRES_ADMIN_URL}`);
}
const engines = postgresUp ? (["pglite", "postgres"] as const) : (["pglite"] as const);
const ADMIN = { user: "app_admin", password: "app_admin" };

describe.each(engines)("RESO clock on %s", (engineName) => {
  let engine: Engine;

  beforeAll(async () => {
    engine = await startEngine(engineName);
  }, 120_000);
  afterAll(() => engine?.close());

  async function tenant(): Promise<string> {
    const rows =
      await engine.admin`insert into tenants (slug, name) values (${`r-${crypto.randomUUID().slice(0, 12)}`}, 'R')
      returning id`;
    return String(rows[0]?.id);
  }

  function insertStatement(tenantId: string, count: number, tag: string) {
    return {
      query: `insert into properties (tenant_id, address, normalized_address, address_hash, property_type, status)
        select $1, i || ' ${tag} St', upper(i || ' ${tag} St'), md5($2 || i), 'single_family', 'active'
        from generate_series(1, $3::int) i returning modification_timestamp::text as stamp`,
      params: [tenantId, tag, count],
    };
  }

  async function stamps(tenantId: string): Promise<string[]> {
    const rows = await engine.admin`select modification_timestamp::text as stamp from properties
      where tenant_id = ${tenantId} order by modification_timestamp`;
    return rows.map((row) => String(row.stamp));
  }

  it("gives every row a distinct stamp, also rows written by one statement and by concurrent transactions", async () => {
    const tenantId = await tenant();
    await Promise.all(
      Array.from({ length: 6 }, (_, index) =>
        engine.platform.database.transaction(ADMIN, [insertStatement(tenantId, 60, `w${index}`)]),
      ),
    );
    const all = await stamps(tenantId);
    expect(all).toHaveLength(360);
    expect(new Set(all).size).toBe(360);
    // The unique index enforces it: a stamp written by hand is replaced by the clock's.
    const [first] = all;
    await engine.admin`update properties set price = 1, modification_timestamp = ${first}::timestamptz
      where tenant_id = ${tenantId} and modification_timestamp = (select max(modification_timestamp)
        from properties where tenant_id = ${tenantId})`;
    expect(new Set(await stamps(tenantId)).size).toBe(360);
  });

  it("stamps a tenant's writes in commit order and keeps OriginalEntryTimestamp", async () => {
    const tenantId = await tenant();
    const [inserted] = await engine.platform.database.transaction(ADMIN, [
      insertStatement(tenantId, 1, "first"),
    ]);
    const entry = inserted?.rows[0]?.[0];
    // A holds the clock while it sleeps; B starts writing meanwhile and must take a later stamp than A's.
    const slow = engine.platform.database.transaction(ADMIN, [
      {
        query: "update properties set price = 2 where tenant_id = $1 returning modification_timestamp::text",
        params: [tenantId],
      },
      { query: "select pg_sleep(0.4)" },
    ]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const fast = engine.platform.database.transaction(ADMIN, [insertStatement(tenantId, 1, "second")]);
    const [[aResult], [bResult]] = await Promise.all([slow, fast]);
    const a = String(aResult?.rows[0]?.[0]);
    const b = String(bResult?.rows[0]?.[0]);
    expect(new Date(b).getTime()).toBeGreaterThan(new Date(a).getTime());
    const rows =
      await engine.admin`select original_entry_timestamp::text as entry, modification_timestamp::text as modified
      from properties where tenant_id = ${tenantId} and address = '1 first St'`;
    expect(rows[0]?.entry).toBe(entry);
    expect(rows[0]?.modified).toBe(a);
  });

  // PGlite is single-threaded WebAssembly with no timer to cancel a statement: it ignores statement_timeout.
  it.runIf(engineName === "postgres")(
    "cancels a RESO statement that outruns its timeout and answers 504 database_timeout",
    async () => {
      const tenantId = await tenant();
      await engine.platform.database.transaction(ADMIN, [insertStatement(tenantId, 20_000, "big")]);
      const db = createDatabase({ url: engine.platform.runtimeDatabaseUrl, timeoutMs: 30_000 });
      const filter = new URLSearchParams({
        $filter: "contains(UnparsedAddress, 'nothing') or endswith(REOS_NormalizedAddress, 'X')",
        $count: "true",
      });
      const options = parseQueryOptions(filter, fieldNames("Property"));
      await expect(
        queryCollection(db, tenantId, "Property", options, { statementTimeoutMs: 1 }),
      ).rejects.toMatchObject({ code: "database_timeout", status: 504 });
      const page = await queryCollection(db, tenantId, "Property", options, {});
      expect(page.count).toBe(0);
    },
    120_000,
  );
});
