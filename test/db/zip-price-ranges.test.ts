// The cron's per-ZIP price per sqft ranges (src/services/price-ranges.ts), on PGlite and a real PostgreSQL 15:
// percentile_cont in SQL gives exactly the ranges the rule's TypeScript definition (priceRangeByZip) gives for
// the same properties, per tenant, and never from another tenant's properties.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminDb } from "../../src/db/admin.ts";
import { createDatabase } from "../../src/db/client.ts";
import { type PriceSample, priceRangeByZip } from "../../src/domain/quality/price-reference.ts";
import {
  priceRangeOfRow,
  refreshPriceRanges,
  tenantsDueForPriceRanges,
} from "../../src/services/price-ranges.ts";
import { type Engine, POSTGRES_ADMIN_URL, postgresAvailable, startEngine } from "../helpers/engines.ts";

const postgresUp = await postgresAvailable();
if (!postgresUp && process.env.CI) {
  throw new Error(`PostgreSQL is required in CI and is not reachable at ${POSTGRES_ADMIN_URL}`);
}
const engines = postgresUp ? (["pglite", "postgres"] as const) : (["pglite"] as const);

interface Seed extends PriceSample {
  deleted?: boolean;
}

/** Deterministic pseudo-random prices (whole cents) and living areas around a $/sqft level. */
function samples(zip: string, count: number, perSqft: number, seed: number): Seed[] {
  let state = seed;
  const next = () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
  return Array.from({ length: count }, () => {
    const sqft = 700 + Math.floor(next() * 3000);
    const price = Math.round(sqft * perSqft * (0.6 + next() * 0.8) * 100) / 100;
    return { zip, price, sqft };
  });
}

describe.each(engines)("zip price ranges on %s", (engineName) => {
  let engine: Engine;
  const tenants: Record<"a" | "b" | "idle", string> = { a: "", b: "", idle: "" };
  const seeds: Record<"a" | "b", Seed[]> = { a: [], b: [] };

  async function insert(tenantId: string, rows: Seed[]) {
    const records = rows.map((row, index) => ({
      address: `${index + 1} Sample St`,
      hash: crypto.randomUUID(),
      zip: row.zip ?? null,
      price: row.price ?? null,
      sqft: row.sqft ?? null,
      deleted: row.deleted ?? false,
    }));
    await engine.admin`
      insert into properties (tenant_id, address, normalized_address, address_hash, zip, price, sqft, property_type,
        status, deleted_at)
      select ${tenantId}, r.address, upper(r.address), r.hash, r.zip, r.price, r.sqft, 'single_family',
        case when r.deleted then 'deleted' else 'active' end, case when r.deleted then now() end
      from jsonb_to_recordset(${JSON.stringify(records)}::jsonb)
        as r(address text, hash text, zip text, price numeric, sqft integer, deleted boolean)`;
  }

  async function rangesOf(tenantId: string) {
    const rows = await engine.admin`
      select zip, low as price_low, median as price_median, high as price_high, sample_size as price_samples
      from zip_price_ranges where tenant_id = ${tenantId} order by zip`;
    return new Map(rows.map((row) => [String(row.zip), priceRangeOfRow(row)]));
  }

  beforeAll(async () => {
    engine = await startEngine(engineName);
    for (const name of ["a", "b", "idle"] as const) {
      const [row] = await engine.admin`
        insert into tenants (slug, name) values (${`${name}-${crypto.randomUUID().slice(0, 8)}`}, ${name})
        returning id`;
      tenants[name] = String(row?.id);
    }
    seeds.a = [
      ...samples("98101", 37, 420, 1),
      // ZIP+4 counts toward its 5-digit ZIP.
      ...samples("98052", 6, 380, 2),
      ...samples("98052-1234", 6, 380, 3),
      // Nine samples: below the minimum of ten.
      ...samples("10001", 9, 900, 4),
      // Not usable: no price, no sqft, a zero price, no ZIP; and a deleted property.
      { zip: "98101", price: null, sqft: 1500 },
      { zip: "98101", price: 650_000, sqft: null },
      { zip: "98101", price: 0, sqft: 1200 },
      { zip: null, price: 500_000, sqft: 1000 },
      { zip: "98101", price: 99_000_000, sqft: 800, deleted: true },
    ];
    // The same ZIP at ten times tenant A's level: if any of it leaked into A's range (or A's into B's), the
    // ranges would no longer match each tenant's own samples.
    seeds.b = samples("98101", 15, 4200, 5);
    await insert(tenants.a, seeds.a);
    await insert(tenants.b, seeds.b);
  });

  afterAll(async () => {
    await engine?.close();
  });

  it("computes each tenant's ranges exactly as priceRangeByZip does, from that tenant's properties only", async () => {
    const db = createDatabase({ url: engine.platform.runtimeDatabaseUrl, timeoutMs: 10_000 });
    expect(await refreshPriceRanges(db, tenants.a)).toEqual({ tenantId: tenants.a, zips: 2, samples: 49 });
    expect(await refreshPriceRanges(db, tenants.b)).toEqual({ tenantId: tenants.b, zips: 1, samples: 15 });

    const usable = (rows: Seed[]) => rows.filter((row) => !row.deleted);
    const expectedA = priceRangeByZip(usable(seeds.a));
    const expectedB = priceRangeByZip(usable(seeds.b));
    expect([...expectedA.keys()].sort()).toEqual(["98052", "98101"]);
    expect(await rangesOf(tenants.a)).toEqual(expectedA);
    expect(await rangesOf(tenants.b)).toEqual(expectedB);
    const a = expectedA.get("98101");
    const b = expectedB.get("98101");
    expect(a?.sampleSize).toBe(37);
    expect(b?.sampleSize).toBe(15);
    expect(a && b && a.high < b.low).toBe(true);
    expect(await rangesOf(tenants.idle)).toEqual(new Map());
  });

  it("shows the runtime role only its own tenant's ranges", async () => {
    const db = createDatabase({ url: engine.platform.runtimeDatabaseUrl, timeoutMs: 10_000 });
    await refreshPriceRanges(db, tenants.b);
    const setTenant = (tenantId: string) =>
      engine.runtime`select set_config('app.current_tenant_id', ${tenantId}, true)`;
    const [, seenByB] = await engine.runtime.transaction([
      setTenant(tenants.b),
      engine.runtime`select tenant_id, zip from zip_price_ranges`,
    ]);
    expect(seenByB).toEqual([{ tenant_id: tenants.b, zip: "98101" }]);
    const [, none] = await engine.runtime.transaction([
      setTenant(""),
      engine.runtime`select zip from zip_price_ranges`,
    ]);
    expect(none).toEqual([]);
    await expect(
      engine.runtime.transaction([
        setTenant(tenants.b),
        engine.runtime`insert into zip_price_ranges (tenant_id, zip, low, median, high, sample_size)
          values (${tenants.a}, '99999', 1, 2, 3, 10)`,
      ]),
    ).rejects.toThrow(/row-level security/);
  });

  it("drops a ZIP that fell below the minimum and picks only the tenants that are due", async () => {
    const db = createDatabase({ url: engine.platform.runtimeDatabaseUrl, timeoutMs: 10_000 });
    const adminDb = createAdminDb({ url: engine.platform.adminDatabaseUrl, timeoutMs: 10_000 });
    await refreshPriceRanges(db, tenants.a);
    await refreshPriceRanges(db, tenants.b);
    // 12 samples in 98052 (6 of them ZIP+4); deleting 3 leaves 9.
    await engine.admin`update properties set status = 'deleted', deleted_at = now()
      where id in (select id from properties where tenant_id = ${tenants.a} and zip like '98052%' limit 3)`;
    expect(await refreshPriceRanges(db, tenants.a)).toMatchObject({ zips: 1 });
    expect([...(await rangesOf(tenants.a)).keys()]).toEqual(["98101"]);

    // Fresh ranges are not due; a tenant never refreshed is.
    expect(await tenantsDueForPriceRanges(adminDb, 10)).toEqual([tenants.idle]);
    await engine.runtime.transaction([
      engine.runtime`select set_config('app.current_tenant_id', ${tenants.a}, true)`,
      engine.runtime`update zip_price_range_refreshes set refreshed_at = now() - interval '61 minutes'`,
    ]);
    expect(await tenantsDueForPriceRanges(adminDb, 10)).toEqual([tenants.idle, tenants.a]);
    await engine.admin`update tenants set status = 'suspended' where id = ${tenants.idle}`;
    expect(await tenantsDueForPriceRanges(adminDb, 10)).toEqual([tenants.a]);
  });
});
