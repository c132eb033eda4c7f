// What each per-row piece of a properties insert costs on the local platform's database: 100-row inserts (the
// consumer's chunk) into properties, repeated, while triggers and indexes are removed one after the other (each step
// keeps the removals before it). What-if measurements only: the database is thrown away.
//
//   node bench/props-cost.ts [repeats=5]                                  # PGlite (in memory)
//   DATABASE_URL=postgres://.../<fresh database> node bench/props-cost.ts  # PostgreSQL
import { startPlatform } from "../scripts/platform/index.ts";

const ADMIN = { user: "app_admin", password: "app_admin" };
const REPS = Number(process.argv[2] ?? 5);
const platform = await startPlatform({ databaseUrl: process.env.DATABASE_URL });
const db = platform.database;
const steps: [string, string][] = [
  ["all (as migrated)", ""],
  ["- hazards trigger (0008)", "drop trigger properties_county_hazards on properties"],
  [
    "- RESO timestamp triggers (0010)",
    "drop trigger properties_reso_timestamps on properties; drop trigger properties_reso_clock_flush on properties",
  ],
  ["- GIN search index", "drop index properties_search_idx"],
  [
    "- 12 secondary btree indexes",
    `drop index properties_tenant_created_idx, properties_tenant_price_asc_idx, properties_tenant_price_desc_idx,
     properties_tenant_sqft_idx, properties_tenant_updated_idx, properties_tenant_status_created_idx, properties_tenant_geo_idx,
     properties_tenant_zip_idx, properties_tenant_city_idx, properties_tenant_risk_asc_idx, properties_tenant_risk_desc_idx,
     properties_tenant_sold_location_idx`,
  ],
  ["- tenant FK", "alter table properties drop constraint properties_tenant_id_fkey"],
  [
    "- RLS",
    "alter table properties no force row level security; alter table properties disable row level security",
  ],
];
const out: { step: string; msPer100: number; msPerRow: number }[] = [];
let n = 0;
for (const [step, ddl] of steps) {
  if (ddl) await db.asOwner((s) => s.exec(ddl));
  const [t] =
    (
      await db.transaction(ADMIN, [
        { query: `insert into tenants (slug, name) values ('p${n}', 'P') returning id` },
      ])
    )[0]?.rows ?? [];
  const tenant = String(t?.[0]);
  const times: number[] = [];
  for (let rep = 0; rep < REPS; rep++) {
    const base = rep * 100;
    const started = performance.now();
    await db.transaction(ADMIN, [
      { query: "select set_config('app.current_tenant_id', $1, true)", params: [tenant] },
      {
        query: `insert into properties (tenant_id, address, city, state, zip, county_fips, latitude, longitude,
          normalized_address, address_hash, price, bedrooms, bathrooms, sqft, year_built, property_type, status, modification_timestamp, original_entry_timestamp)
        select $1::uuid, (1000 + g)::text || ' Bench Way', 'Seattle', 'WA', case when g % 2 = 0 then '98101' else '98052' end,
          '53033', 47.6, -122.3, (1000 + g)::text || ' BENCH WAY SEATTLE WA', md5($1::text || g::text), 450000 + g, 3, 2, 1500, 1990,
          'single_family', 'active', clock_timestamp() + g * interval '1 ms', clock_timestamp()
        from generate_series($2::int, $2::int + 99) g`,
        params: [tenant, base],
      },
    ]);
    times.push(performance.now() - started);
    n++;
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)] ?? 0;
  out.push({ step, msPer100: Math.round(median), msPerRow: Math.round(median) / 100 });
  console.error(step, Math.round(median));
}
console.log(JSON.stringify({ kind: db.kind, reps: REPS, steps: out }, null, 1));
await platform.close();
