// ZIP code -> place, county and centroid, from the GeoNames postal code table loaded into ref_zip_locations.
// The table is about 2 MB of CSV, too much to embed in the Worker bundle, so lookups go to Postgres.

export const ZIP_LOCATION_CREDIT = "GeoNames (geonames.org)";
export const ZIP_LOCATION_LICENSE = "CC BY 4.0";

/** The API shape of a ZIP code's location. */
export interface ZipLocation {
  zip: string;
  city: string;
  /** Null for military APO/FPO/DPO codes, which belong to no state. */
  state: string | null;
  countyFips: string | null;
  countyName: string | null;
  latitude: number;
  longitude: number;
}

/** A ref_zip_locations row as a Postgres driver returns it (drivers differ on numeric types, hence strings). */
export interface ZipLocationRow {
  zip: string;
  city: string;
  state: string | null;
  county_fips: string | null;
  county_name: string | null;
  latitude: number | string;
  longitude: number | string;
}

export type ZipLocationQuery = (sql: string, params: unknown[]) => Promise<ZipLocationRow[]>;

export const SELECT_ZIP_LOCATION_SQL =
  "select zip, city, state, county_fips, county_name, latitude, longitude from ref_zip_locations where zip = $1";

const ZIP5 = /^\d{5}$/;
const ZIP_PLUS4 = /^(\d{5})(?:-?\d{4})?$/;
const STATE = /^[A-Z]{2}$/;
const FIPS = /^\d{5}$/;

/** "98101", "98101-1234" and "981011234" all give "98101"; anything else gives null. */
export function normalizeZip(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return ZIP_PLUS4.exec(value.trim())?.[1] ?? null;
}

function emptyToNull(value: string | undefined): string | null {
  const trimmed = value?.trim() ?? "";
  return trimmed === "" ? null : trimmed;
}

function coordinate(
  value: string | undefined,
  limit: number,
  name: string,
  line: number | undefined,
): number {
  const parsed = Number(value);
  if (value === undefined || value.trim() === "" || !Number.isFinite(parsed) || Math.abs(parsed) > limit) {
    throw new Error(`${where(line)}invalid ${name} ${JSON.stringify(value)}`);
  }
  return parsed;
}

function where(line: number | undefined): string {
  return line === undefined ? "" : `line ${line}: `;
}

/**
 * Validates one record of data/geo/us_zip_county.csv (columns zip, city, state, county_fips, county, latitude,
 * longitude) and returns it as a ref_zip_locations row. Throws on malformed values so a bad file fails the load
 * instead of loading garbage.
 */
export function parseZipLocationRow(record: Readonly<Record<string, string>>, line?: number): ZipLocationRow {
  const zip = record.zip?.trim() ?? "";
  if (!ZIP5.test(zip)) throw new Error(`${where(line)}invalid zip ${JSON.stringify(record.zip)}`);
  const city = emptyToNull(record.city);
  if (city === null) throw new Error(`${where(line)}zip ${zip} has no city`);
  const state = emptyToNull(record.state);
  if (state !== null && !STATE.test(state))
    throw new Error(`${where(line)}invalid state ${JSON.stringify(state)}`);
  const countyFips = emptyToNull(record.county_fips);
  if (countyFips !== null && !FIPS.test(countyFips)) {
    throw new Error(`${where(line)}invalid county_fips ${JSON.stringify(countyFips)}`);
  }
  return {
    zip,
    city,
    state,
    county_fips: countyFips,
    county_name: emptyToNull(record.county),
    latitude: coordinate(record.latitude, 90, "latitude", line),
    longitude: coordinate(record.longitude, 180, "longitude", line),
  };
}

export function toZipLocation(row: ZipLocationRow): ZipLocation {
  return {
    zip: row.zip,
    city: row.city,
    state: row.state,
    countyFips: row.county_fips,
    countyName: row.county_name,
    latitude: Number(row.latitude),
    longitude: Number(row.longitude),
  };
}

/** Looks a ZIP (or ZIP+4) up through any query function; null when the input is no ZIP or is unknown. */
export async function lookupZipLocation(query: ZipLocationQuery, zip: string): Promise<ZipLocation | null> {
  const zip5 = normalizeZip(zip);
  if (zip5 === null) return null;
  const [row] = await query(SELECT_ZIP_LOCATION_SQL, [zip5]);
  return row === undefined ? null : toZipLocation(row);
}
