// Per-ZIP price-per-sqft reference ranges for the quality rule price_per_sqft_in_zip_range, kept in
// zip_price_ranges (migrations/0006) so the consumer reads one row per record instead of scanning the ZIP.
//
// What is compared: list price (properties.price) per living-area sqft. The rule judges an incoming record's
// `price` per `sqft`, so its reference is the same measure over the tenant's loaded, not deleted properties, of
// every status: an asking price means the same thing on an active and a sold listing. Sale prices
// (closing_price) are a different measure and are left out.
//
// The cron refreshes a due tenant in one statement (percentile_cont: the type-7 interpolation that
// src/domain/quality/price-reference.ts defines, with its defaults), under that tenant's RLS context: a bug in
// the statement could not read another tenant's properties or write another tenant's ranges.
import { sql } from "drizzle-orm";
import type { AdminDb } from "../db/admin.ts";
import type { Database } from "../db/client.ts";
import { PRICE_RANGE_DEFAULTS, type ReferenceRange, referenceRange } from "../domain/quality/index.ts";

/** How stale a tenant's ranges may get: percentiles over 10+ samples per ZIP move slowly. */
export const PRICE_RANGE_REFRESH_MINUTES = 60;

export interface PriceRangeRefresh {
  tenantId: string;
  /** ZIPs with a range after the refresh. */
  zips: number;
  /** Usable samples (valid ZIP, positive price and sqft) in those ZIPs. */
  samples: number;
}

/**
 * Active tenants whose ranges were never computed or are older than the refresh interval, least recently
 * refreshed first.
 */
export async function tenantsDueForPriceRanges(adminDb: AdminDb, limit: number): Promise<string[]> {
  const rows = await adminDb.execute<{ id: string }>(sql`
    select t.id from tenants t left join zip_price_range_refreshes r on r.tenant_id = t.id
    where t.status = 'active'
      and (r.refreshed_at is null
        or r.refreshed_at < now() - make_interval(mins => ${PRICE_RANGE_REFRESH_MINUTES}::int))
    order by r.refreshed_at nulls first, t.id
    limit ${limit}`);
  return rows.map((row) => String(row.id));
}

// normalizeZip's pattern (src/domain/geo/zip-locations.ts): ZIP, ZIP+4 or nine digits, surrounding blanks ignored.
const zip5 = sql`substring(btrim(zip) from '^([0-9]{5})(?:-?[0-9]{4})?$')`;

/** Recomputes every ZIP range of one tenant, drops ranges whose ZIP fell below the minimum, in one statement. */
export async function refreshPriceRanges(db: Database, tenantId: string): Promise<PriceRangeRefresh> {
  const low = PRICE_RANGE_DEFAULTS.lowPercentile / 100;
  const high = PRICE_RANGE_DEFAULTS.highPercentile / 100;
  const [result] = await db.withTenant(tenantId, (tx) => [
    tx.execute<{ zips: number; samples: number }>(sql`
      with samples as (
        select ${zip5} as zip, price::float8 / sqft::float8 as value
        from properties
        where tenant_id = ${tenantId} and deleted_at is null
          and price > 0 and price <> 'NaN'::numeric and sqft > 0
      ), ranges as (
        select zip,
          percentile_cont(${low}::float8) within group (order by value) as low,
          percentile_cont(0.5::float8) within group (order by value) as median,
          percentile_cont(${high}::float8) within group (order by value) as high,
          count(*)::int as sample_size
        from samples
        where zip is not null
        group by zip
        having count(*) >= ${PRICE_RANGE_DEFAULTS.minSamples}::int
      ), upserted as (
        insert into zip_price_ranges (tenant_id, zip, low, median, high, sample_size, computed_at)
        select ${tenantId}, zip, low, median, high, sample_size, now() from ranges
        on conflict (tenant_id, zip) do update set
          low = excluded.low, median = excluded.median, high = excluded.high,
          sample_size = excluded.sample_size, computed_at = excluded.computed_at
        returning zip
      ), removed as (
        delete from zip_price_ranges r
        where r.tenant_id = ${tenantId} and not exists (select 1 from ranges where ranges.zip = r.zip)
        returning r.zip
      ), refreshed as (
        insert into zip_price_range_refreshes (tenant_id, refreshed_at, zips, samples)
        select ${tenantId}, now(), count(*), coalesce(sum(sample_size), 0) from ranges
        on conflict (tenant_id) do update set
          refreshed_at = excluded.refreshed_at, zips = excluded.zips, samples = excluded.samples
        returning zips, samples
      )
      -- upserted and removed run to completion although nothing reads them (PostgreSQL's rule for writing CTEs).
      select zips, samples from refreshed`),
  ]);
  const row = result.rows[0];
  return { tenantId, zips: Number(row?.zips ?? 0), samples: Number(row?.samples ?? 0) };
}

/** Reads a ZIP range row (low/median/high unrounded, as stored) as the rule's reference, or null when absent. */
export function priceRangeOfRow(row: {
  price_low?: unknown;
  price_median?: unknown;
  price_high?: unknown;
  price_samples?: unknown;
}): ReferenceRange | null {
  if (row.price_low === null || row.price_low === undefined) return null;
  return referenceRange({
    low: Number(row.price_low),
    median: Number(row.price_median),
    high: Number(row.price_high),
    sampleSize: Number(row.price_samples),
  });
}
