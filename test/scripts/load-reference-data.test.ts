import { readFileSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReferenceCsvs } from "../../scripts/load-reference-data.ts";
import {
  loadReferenceData,
  parseZipLocations,
  readReferenceCsvs,
  referenceDataStatements,
} from "../../scripts/load-reference-data.ts";
import type { ZipLocationRow } from "../../src/domain/geo/zip-locations.ts";
import { lookupZipLocation } from "../../src/domain/geo/zip-locations.ts";

// The reference tables and the column the hazard ratings came with.
const MIGRATIONS = ["0003_reference_geo_hazards.sql", "0007_nri_hazard_ratings.sql"].map((file) =>
  readFileSync(new URL(`../../migrations/${file}`, import.meta.url), "utf8"),
);

let db: PGlite;
let csvs: ReferenceCsvs;
const execute = (sql: string, params: unknown[]) => db.query(sql, params);

async function count(sql: string): Promise<number> {
  const result = await db.query<{ n: number }>(`select count(*)::int as n from ${sql}`);
  return result.rows[0]?.n ?? -1;
}

beforeAll(async () => {
  db = new PGlite();
  await db.exec(`
    create role app_runtime nologin nosuperuser nocreatedb nocreaterole noinherit nobypassrls;
    create role app_admin nologin nosuperuser nocreatedb nocreaterole nobypassrls;
  `);
  for (const migration of MIGRATIONS) await db.exec(migration);
  csvs = readReferenceCsvs();
}, 60_000);

afterAll(async () => {
  await db?.close();
});

// Parsing and loading 45,000 rows into PGlite takes seconds; leave room for a loaded CI machine.
describe("load-reference-data", { timeout: 120_000 }, () => {
  it("batches the upserts at 1000 rows per statement", () => {
    const statements = referenceDataStatements(csvs);
    // 41,488 distinct ZIPs -> 42 statements; 3,232 counties -> 4 statements.
    expect(statements).toHaveLength(46);
    expect(statements[0]?.params).toHaveLength(7000);
    expect(statements[0]?.sql).toMatch(
      /^insert into ref_zip_locations .* on conflict \(zip\) do update set /,
    );
    expect(statements.at(-1)?.sql).toMatch(/^insert into ref_county_hazards /);
  });

  it("resolves the two ZIPs GeoNames lists twice in favour of the row with a county", () => {
    const parsed = parseZipLocations(csvs.zipLocationsCsv);
    expect(parsed.sourceRows).toBe(41_490);
    expect(parsed.duplicateZips.sort()).toEqual(["96860", "96863"]);
    expect(parsed.rows).toHaveLength(41_488);
    expect(parsed.rows.find((row) => row.zip === "96860")?.county_fips).toBe("15003");
  });

  it("loads every row", async () => {
    const report = await loadReferenceData(execute, csvs);
    expect(report).toEqual({
      zipLocations: 41_488,
      zipSourceRows: 41_490,
      duplicateZips: ["96860", "96863"],
      countyHazards: 3_232,
      statements: 46,
    });
    expect(await count("ref_zip_locations")).toBe(41_488);
    expect(await count("ref_zip_locations where county_fips is null")).toBe(511);
    expect(await count("ref_zip_locations where state is null")).toBe(509);
    expect(await count("ref_county_hazards")).toBe(3_232);
  });

  it("stores King County WA with rounded scores", async () => {
    const result = await db.query<{
      risk_score: string;
      risk_rating: string;
      data_version: string;
      state: string;
      county: string;
      hazard_scores: Record<string, number | null>;
      hazard_ratings: Record<string, string>;
    }>("select * from ref_county_hazards where county_fips = '53033'");
    const row = result.rows[0];
    expect(row).toMatchObject({
      data_version: "NRI v1.20 (December 2025)",
      state: "WA",
      county: "King",
      risk_score: "99.68",
      risk_rating: "Very High",
      // The shipped table has no per-hazard ratings, and none are made up.
      hazard_ratings: {},
    });
    expect(row?.hazard_scores.ERQK).toBe(99.9);
    expect(row?.hazard_scores.CFLD).toBe(71);
    expect(row?.hazard_scores.HRCN).toBeNull();
    expect(row?.hazard_scores.IFLD).toBe(99.46);
  });

  it("keeps Insufficient Data territories as nulls, not zeros", async () => {
    expect(await count("ref_county_hazards where risk_rating is null and risk_score is null")).toBe(88);
    const nullsInTerritories = await count(
      "ref_county_hazards, jsonb_each(hazard_scores) as score where risk_rating is null and score.value = 'null'::jsonb",
    );
    expect(nullsInTerritories).toBe(88 * 18);
    // Every non-empty score cell in the CSV, and only those, is a number in the table.
    const scoreCells = csvs.countyHazardsCsv
      .split(/\r?\n/)
      .slice(1)
      .flatMap((line) => line.split(",").slice(6))
      .filter((cell) => cell !== "").length;
    expect(
      await count(
        "ref_county_hazards, jsonb_each(hazard_scores) as score where jsonb_typeof(score.value) = 'number'",
      ),
    ).toBe(scoreCells);
  });

  it("has no float noise left in hazard scores", async () => {
    const noisy = await count(
      "ref_county_hazards, jsonb_each(hazard_scores) as score " +
        "where jsonb_typeof(score.value) = 'number' and score.value::text ~ '\\.[0-9]{3,}'",
    );
    expect(noisy).toBe(0);
  });

  it("looks ZIPs and counties up through the query helpers", async () => {
    const zipQuery = async (sql: string, params: unknown[]) =>
      (await db.query<ZipLocationRow>(sql, params)).rows;
    expect(await lookupZipLocation(zipQuery, "98101-1234")).toEqual({
      zip: "98101",
      city: "Seattle",
      state: "WA",
      countyFips: "53033",
      countyName: "King",
      latitude: expect.any(Number),
      longitude: expect.any(Number),
    });
    expect(await lookupZipLocation(zipQuery, "00000")).toBeNull();
  });

  it("is idempotent: loading twice leaves the same rows", async () => {
    const fingerprint = () =>
      db.query(
        "select (select md5(string_agg(t::text, '|' order by zip)) from ref_zip_locations t) as zips, " +
          "(select md5(string_agg(t::text, '|' order by county_fips)) from ref_county_hazards t) as counties",
      );
    const before = await fingerprint();
    await loadReferenceData(execute, csvs);
    expect(await count("ref_zip_locations")).toBe(41_488);
    expect(await count("ref_county_hazards")).toBe(3_232);
    const after = await fingerprint();
    expect(after.rows).toEqual(before.rows);
  });

  it("updates a changed row on reload", async () => {
    await db.query("update ref_zip_locations set city = 'Wrong' where zip = '98101'");
    await loadReferenceData(execute, csvs);
    const result = await db.query<{ city: string }>("select city from ref_zip_locations where zip = '98101'");
    expect(result.rows[0]?.city).toBe("Seattle");
  });

  it("lets app_runtime read but not write the reference tables", async () => {
    await db.exec("set role app_runtime");
    try {
      expect(await count("ref_county_hazards")).toBe(3_232);
      await expect(db.query("delete from ref_zip_locations")).rejects.toThrow(/permission denied/);
    } finally {
      await db.exec("reset role");
    }
  });
});
