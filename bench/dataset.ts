// The benchmark's deterministic data set: N properties spread over T tenants around Seattle, generated in SQL
// (generate_series) so a million rows load in seconds. Same scale, same rows, every run.

export const BENCH_TENANT_PREFIX = "bench-";

/**
 * Where the synthetic properties lie: a box of King County every point of which the shipped valuation model
 * covers (models/avm-v2.json's coverage cells; test/db/bench-dataset.test.ts checks it), so the valuation
 * scenario measures valuations rather than 422 outside_model_area answers.
 */
export const BENCH_AREA = { south: 47.25, north: 47.75, west: -122.4, east: -121.85 } as const;

export function benchTenantId(index: number): string {
  return `00000000-0000-4000-9000-${String(index + 1).padStart(12, "0")}`;
}

/**
 * One tenant's rows. Pseudo-random but deterministic: each attribute is a different multiplicative hash of
 * the row number. About half the rows are sold (with closing price and date) so comps have candidates.
 */
export function tenantPropertiesSql(count: number): string {
  return `
    insert into properties (
      tenant_id, external_ref, address, city, state, zip, county, county_fips, latitude, longitude,
      normalized_address, address_hash, price, bedrooms, bathrooms, sqft, lot_size, year_built,
      property_type, floors, waterfront, view_rating, condition_rating, grade, sqft_above, sqft_basement,
      status, closing_price, closing_date, created_at, updated_at
    )
    select
      current_setting('app.current_tenant_id')::uuid,
      'bench:' || i,
      (100 + i % 9900) || ' ' || (array['Pine', 'Oak', 'Cedar', 'Maple', 'Alder', 'Birch', 'Spruce', 'Elm'])[1 + i % 8]
        || ' ' || (array['St', 'Ave', 'Way', 'Pl', 'Dr'])[1 + (i / 8) % 5] || ' Unit ' || (i / 9900),
      (array['Seattle', 'Bellevue', 'Kent', 'Renton', 'Redmond', 'Kirkland'])[1 + (i / 3) % 6],
      'WA',
      (98001 + (i * 7) % 198)::text,
      'King', '53033',
      ${BENCH_AREA.south} + ((i::bigint * 2654435761) % 1000003) / 1000003.0 * ${(BENCH_AREA.north - BENCH_AREA.south).toFixed(4)},
      ${BENCH_AREA.west} + ((i::bigint * 40503) % 1000033) / 1000033.0 * ${(BENCH_AREA.east - BENCH_AREA.west).toFixed(4)},
      'BENCH ' || i, md5(current_setting('app.current_tenant_id') || ':' || i),
      150000 + ((i::bigint * 69069) % 1000003) / 1000003.0 * 1850000,
      1 + (i * 13) % 6,
      1 + ((i * 17) % 7) * 0.5,
      600 + ((i::bigint * 1103515245) % 1000039) / 1000039.0 * 4400,
      1000 + (i * 31) % 20000,
      1900 + (i * 37) % 125,
      (array['single_family', 'single_family', 'single_family', 'condo', 'townhouse'])[1 + i % 5],
      1 + (i % 3) * 0.5,
      i % 97 = 0,
      (i * 11) % 5,
      1 + (i * 3) % 5,
      4 + (i * 7) % 9,
      600 + (i * 19) % 3000,
      (i * 23) % 1200,
      case when i % 2 = 0 then 'sold' else (array['active', 'pending', 'off_market'])[1 + i % 3] end,
      case when i % 2 = 0 then 150000 + ((i::bigint * 69069) % 1000003) / 1000003.0 * 1850000 end,
      case when i % 2 = 0 then date '2026-10-31' - (i % 720) end,
      timestamptz '2026-01-01' + make_interval(secs => i),
      timestamptz '2026-01-01' + make_interval(secs => i)
    from generate_series(1, ${Math.floor(count)}) as i`;
}
