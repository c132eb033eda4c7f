// Location and hazard lookups against the reference tables of migrations/0003 (ref_zip_locations,
// ref_county_hazards). Reference data changes only with a new data version, so answers are cached per isolate;
// a bounded map keeps a long-lived isolate's memory flat.
import { sql } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import type {
  CountyHazards,
  HazardLookup,
  LocationLookup,
  ZipLocation,
} from "../domain/pipeline/contracts.ts";

const CACHE_LIMIT = 50_000;
const zipCache = new Map<string, ZipLocation | null>();
const hazardCache = new Map<string, CountyHazards | null>();

function remember<T>(cache: Map<string, T>, key: string, value: T): T {
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, value);
  return value;
}

const toNumber = (value: unknown) => (value === null || value === undefined ? null : Number(value));

/**
 * Reads through the runtime role; the reference tables are not tenant data, but every query of the Worker runs
 * inside withTenant, so the lookup is bound to the tenant whose record it enriches.
 */
export function sqlReferenceLookup(db: Database, tenantId: string): LocationLookup & HazardLookup {
  return {
    async locateZip(zip5) {
      if (zipCache.has(zip5)) return zipCache.get(zip5) ?? null;
      const [result] = await db.withTenant(tenantId, (tx) => [
        tx.execute<Record<string, unknown>>(sql`
          select zip, city, state, county_fips, county_name, latitude, longitude
          from ref_zip_locations where zip = ${zip5} limit 1`),
      ]);
      const row = result.rows[0];
      return remember(
        zipCache,
        zip5,
        row
          ? {
              zip: String(row.zip),
              city: (row.city as string | null) ?? null,
              state: (row.state as string | null) ?? null,
              countyFips: (row.county_fips as string | null) ?? null,
              countyName: (row.county_name as string | null) ?? null,
              latitude: toNumber(row.latitude),
              longitude: toNumber(row.longitude),
            }
          : null,
      );
    },
    async countyHazards(countyFips) {
      if (hazardCache.has(countyFips)) return hazardCache.get(countyFips) ?? null;
      const [result] = await db.withTenant(tenantId, (tx) => [
        tx.execute<Record<string, unknown>>(sql`
          select county_fips, risk_score, risk_rating, hazard_scores, data_version
          from ref_county_hazards where county_fips = ${countyFips} limit 1`),
      ]);
      const row = result.rows[0];
      return remember(
        hazardCache,
        countyFips,
        row
          ? {
              countyFips: String(row.county_fips),
              riskScore: toNumber(row.risk_score),
              riskRating: (row.risk_rating as string | null) ?? null,
              hazardScores: (row.hazard_scores as Record<string, unknown> | null) ?? {},
              dataVersion: String(row.data_version),
            }
          : null,
      );
    },
  };
}
