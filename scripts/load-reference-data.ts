// Loads the shipped reference CSVs (data/geo, data/fema_nri) into ref_zip_locations and ref_county_hazards
// (migration 0003) as batched multi-row upserts. Idempotent: a second run changes nothing. Runs as the owner
// role through any executor, so the platform can point it at PGlite or at pg/Neon; wrap the call in a
// transaction on the caller's side when a partial load must not be visible.
//
// From the command line, against Postgres as the owner role, in one transaction:
//   DATABASE_URL=postgres://owner@host/db ./node_modules/.bin/node scripts/load-reference-data.ts
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { parseCsvRecords } from "../src/domain/csv.ts";
import type { CountyHazardRow } from "../src/domain/geo/hazards.ts";
import { NRI_DATA_VERSION, parseHazardRow } from "../src/domain/geo/hazards.ts";
import type { ZipLocationRow } from "../src/domain/geo/zip-locations.ts";
import { parseZipLocationRow } from "../src/domain/geo/zip-locations.ts";

export type SqlExecutor = (sql: string, params: unknown[]) => Promise<unknown>;

export interface SqlStatement {
  sql: string;
  params: unknown[];
}

export interface ReferenceCsvs {
  zipLocationsCsv: string;
  countyHazardsCsv: string;
}

export interface ReferenceDataOptions {
  /** Rows per INSERT statement. Default 1000 (7,000 parameters, well under Postgres's 65,535). */
  batchSize?: number;
}

export const DATA_DIR = new URL("../data/", import.meta.url);
export const ZIP_LOCATIONS_CSV = new URL("geo/us_zip_county.csv", DATA_DIR);
export const COUNTY_HAZARDS_CSV = new URL("fema_nri/nri_v120_counties_risk.csv", DATA_DIR);

/** Largest CSV we expect to ship; a bigger file means a wrong file, not a bigger dataset. */
const MAX_CSV_BYTES = 50 * 1024 * 1024;

export function readReferenceCsvs(): ReferenceCsvs {
  return {
    zipLocationsCsv: readFileSync(ZIP_LOCATIONS_CSV, "utf8"),
    countyHazardsCsv: readFileSync(COUNTY_HAZARDS_CSV, "utf8"),
  };
}

export interface ParsedZipLocations {
  rows: ZipLocationRow[];
  /** Data rows in the CSV, before duplicates are resolved. */
  sourceRows: number;
  /** ZIPs that appear more than once in the CSV (one row kept per ZIP). */
  duplicateZips: string[];
}

/**
 * Parses the GeoNames CSV. GeoNames lists a few ZIPs twice (96860 and 96863 are both a Honolulu base and an
 * "FPO AA" entry); the primary key allows one, so the row with a county wins, else the first one.
 */
export function parseZipLocations(csv: string): ParsedZipLocations {
  const { records, lines } = parseCsvRecords(csv, { maxBytes: MAX_CSV_BYTES });
  const byZip = new Map<string, ZipLocationRow>();
  const duplicateZips: string[] = [];
  records.forEach((record, index) => {
    const row = parseZipLocationRow(record, lines[index]);
    const existing = byZip.get(row.zip);
    if (existing === undefined) {
      byZip.set(row.zip, row);
      return;
    }
    duplicateZips.push(row.zip);
    if (existing.county_fips === null && row.county_fips !== null) byZip.set(row.zip, row);
  });
  return { rows: [...byZip.values()], sourceRows: records.length, duplicateZips };
}

export function parseCountyHazards(csv: string, dataVersion: string = NRI_DATA_VERSION): CountyHazardRow[] {
  const { records, lines } = parseCsvRecords(csv, { maxBytes: MAX_CSV_BYTES });
  const seen = new Set<string>();
  return records.map((record, index) => {
    const row = parseHazardRow(record, dataVersion, lines[index]);
    // Unlike the ZIP table there is no sensible winner between two FEMA rows for one county.
    if (seen.has(row.county_fips))
      throw new Error(`line ${lines[index]}: duplicate county ${row.county_fips}`);
    seen.add(row.county_fips);
    return row;
  });
}

interface UpsertSpec<Row> {
  table: string;
  columns: readonly string[];
  /** Per-column SQL cast applied to the placeholder, e.g. "::jsonb". */
  casts?: Readonly<Record<string, string>>;
  key: string;
  values: (row: Row) => unknown[];
}

function upsertStatements<Row>(
  spec: UpsertSpec<Row>,
  rows: readonly Row[],
  batchSize: number,
): SqlStatement[] {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`invalid batch size ${batchSize}`);
  const columnList = spec.columns.join(", ");
  const updated = spec.columns.filter((column) => column !== spec.key);
  const assignments = updated.map((column) => `${column} = excluded.${column}`).join(", ");
  // Skipping unchanged rows keeps a reload from rewriting (and bloating) the whole table.
  const changed = `(${updated.map((column) => `${spec.table}.${column}`).join(", ")}) is distinct from (${updated
    .map((column) => `excluded.${column}`)
    .join(", ")})`;
  const statements: SqlStatement[] = [];
  for (let start = 0; start < rows.length; start += batchSize) {
    const batch = rows.slice(start, start + batchSize);
    const params: unknown[] = [];
    const tuples = batch.map((row) => {
      const placeholders = spec.values(row).map((value, index) => {
        params.push(value);
        return `$${params.length}${spec.casts?.[spec.columns[index] ?? ""] ?? ""}`;
      });
      return `(${placeholders.join(", ")})`;
    });
    statements.push({
      sql:
        `insert into ${spec.table} (${columnList}) values ${tuples.join(", ")} ` +
        `on conflict (${spec.key}) do update set ${assignments} where ${changed}`,
      params,
    });
  }
  return statements;
}

export function zipLocationStatements(rows: readonly ZipLocationRow[], batchSize = 1000): SqlStatement[] {
  return upsertStatements<ZipLocationRow>(
    {
      table: "ref_zip_locations",
      columns: ["zip", "city", "state", "county_fips", "county_name", "latitude", "longitude"],
      key: "zip",
      values: (row) => [
        row.zip,
        row.city,
        row.state,
        row.county_fips,
        row.county_name,
        row.latitude,
        row.longitude,
      ],
    },
    rows,
    batchSize,
  );
}

export function countyHazardStatements(rows: readonly CountyHazardRow[], batchSize = 1000): SqlStatement[] {
  return upsertStatements<CountyHazardRow>(
    {
      table: "ref_county_hazards",
      columns: [
        "county_fips",
        "state",
        "state_name",
        "county",
        "risk_score",
        "risk_rating",
        "hazard_scores",
        "hazard_ratings",
        "data_version",
      ],
      casts: { hazard_scores: "::jsonb", hazard_ratings: "::jsonb" },
      key: "county_fips",
      values: (row) => [
        row.county_fips,
        row.state,
        row.state_name,
        row.county,
        row.risk_score,
        row.risk_rating,
        JSON.stringify(row.hazard_scores),
        JSON.stringify(row.hazard_ratings),
        row.data_version,
      ],
    },
    rows,
    batchSize,
  );
}

/** All upserts for both reference tables, from the shipped CSVs unless others are given. */
export function referenceDataStatements(
  csvs: ReferenceCsvs = readReferenceCsvs(),
  options: ReferenceDataOptions = {},
): SqlStatement[] {
  const batchSize = options.batchSize ?? 1000;
  return [
    ...zipLocationStatements(parseZipLocations(csvs.zipLocationsCsv).rows, batchSize),
    ...countyHazardStatements(parseCountyHazards(csvs.countyHazardsCsv), batchSize),
  ];
}

export interface ReferenceLoadReport {
  zipLocations: number;
  zipSourceRows: number;
  duplicateZips: string[];
  countyHazards: number;
  statements: number;
}

/** Parses everything first, so a malformed file fails before anything is written. */
export async function loadReferenceData(
  execute: SqlExecutor,
  csvs: ReferenceCsvs = readReferenceCsvs(),
  options: ReferenceDataOptions = {},
): Promise<ReferenceLoadReport> {
  const batchSize = options.batchSize ?? 1000;
  const zips = parseZipLocations(csvs.zipLocationsCsv);
  const counties = parseCountyHazards(csvs.countyHazardsCsv);
  const statements = [
    ...zipLocationStatements(zips.rows, batchSize),
    ...countyHazardStatements(counties, batchSize),
  ];
  for (const statement of statements) {
    await execute(statement.sql, statement.params);
  }
  return {
    zipLocations: zips.rows.length,
    zipSourceRows: zips.sourceRows,
    duplicateZips: zips.duplicateZips,
    countyHazards: counties.length,
    statements: statements.length,
  };
}

async function main(): Promise<void> {
  const connectionString = process.env.DATABASE_URL;
  if (connectionString === undefined || connectionString === "") {
    throw new Error("set DATABASE_URL to the owner role's connection string");
  }
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query("begin");
    const report = await loadReferenceData((sql, params) => client.query(sql, params));
    await client.query("commit");
    console.log(JSON.stringify(report));
  } catch (error) {
    // The load error is the one worth reporting; a failed rollback on a broken connection would hide it.
    await client.query("rollback").catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
