import { describe, expect, it } from "vitest";
import type { StoredCountyHazardRow } from "../../../src/domain/geo/hazards.ts";
import {
  HAZARDS,
  hazardSummary,
  lookupCountyHazards,
  NRI_DATA_VERSION,
  parseHazardRow,
  roundScore,
} from "../../../src/domain/geo/hazards.ts";

const HAZARD_COLUMNS = HAZARDS.map(({ code }) => `${code}_RISKS`);

function femaRecord(overrides: Record<string, string> = {}): Record<string, string> {
  const record: Record<string, string> = {
    STCOFIPS: "01003",
    STATE: "Alabama",
    STATEABBRV: "AL",
    COUNTY: "Baldwin",
    RISK_SCORE: "96.72391857506362",
    RISK_RATNG: "Relatively High",
  };
  for (const column of HAZARD_COLUMNS) record[column] = "50";
  return { ...record, ...overrides };
}

describe("parseHazardRow", () => {
  it("parses a county row and rounds float noise to 2 decimals", () => {
    const row = parseHazardRow(femaRecord({ AVLN_RISKS: "", CFLD_RISKS: "85.79999999999998" }));
    expect(row).toMatchObject({
      county_fips: "01003",
      state: "AL",
      state_name: "Alabama",
      county: "Baldwin",
      risk_score: 96.72,
      risk_rating: "Relatively High",
      data_version: NRI_DATA_VERSION,
    });
    expect(row.hazard_scores.AVLN).toBeNull();
    expect(row.hazard_scores.CFLD).toBe(85.8);
    expect(row.hazard_scores.WNTW).toBe(50);
    expect(Object.keys(row.hazard_scores)).toHaveLength(18);
  });

  it("turns Insufficient Data rows into null scores and a null rating, not zeros", () => {
    const row = parseHazardRow(
      femaRecord({ STCOFIPS: "60010", STATEABBRV: "AS", RISK_SCORE: "", RISK_RATNG: "Insufficient Data" }),
    );
    expect(row.risk_score).toBeNull();
    expect(row.risk_rating).toBeNull();
    expect(Object.values(row.hazard_scores).every((score) => score === null)).toBe(true);
  });

  it("keeps a real zero score as zero", () => {
    expect(parseHazardRow(femaRecord({ TSUN_RISKS: "0" })).hazard_scores.TSUN).toBe(0);
  });

  it("rejects malformed values with the line number", () => {
    expect(() => parseHazardRow(femaRecord({ STCOFIPS: "1003" }), NRI_DATA_VERSION, 7)).toThrow(
      /^line 7: invalid STCOFIPS/,
    );
    expect(() => parseHazardRow(femaRecord({ RISK_RATNG: "Extreme" }))).toThrow(/RISK_RATNG/);
    expect(() => parseHazardRow(femaRecord({ HAIL_RISKS: "abc" }))).toThrow(/HAIL_RISKS/);
    expect(() => parseHazardRow(femaRecord({ HAIL_RISKS: "101" }))).toThrow(/HAIL_RISKS/);
    expect(() => parseHazardRow(femaRecord({ STATEABBRV: "Alabama" }))).toThrow(/STATEABBRV/);
    const missing = femaRecord();
    delete missing.IFLD_RISKS;
    expect(() => parseHazardRow(missing)).toThrow(/missing column IFLD_RISKS/);
  });

  it("takes another data version", () => {
    expect(parseHazardRow(femaRecord(), "NRI v1.21").data_version).toBe("NRI v1.21");
  });
});

describe("roundScore", () => {
  it("removes binary noise", () => {
    expect(roundScore(85.79999999999998)).toBe(85.8);
    expect(roundScore(0.1 + 0.2)).toBe(0.3);
    expect(roundScore(99.90458015267176)).toBe(99.9);
  });
});

describe("hazardSummary", () => {
  const stored: StoredCountyHazardRow = {
    county_fips: "53033",
    state: "WA",
    state_name: "Washington",
    county: "King",
    risk_score: "99.68",
    risk_rating: "Very High",
    hazard_scores: { AVLN: 99.27, CFLD: 71, HRCN: null, ERQK: "99.9" },
    data_version: NRI_DATA_VERSION,
  };

  it("maps FEMA codes to readable names and numeric strings to numbers", () => {
    const summary = hazardSummary(stored);
    expect(summary).toMatchObject({
      dataVersion: NRI_DATA_VERSION,
      countyFips: "53033",
      state: "WA",
      county: "King",
      riskScore: 99.68,
      riskRating: "Very High",
    });
    expect(summary.hazards.avalanche).toBe(99.27);
    expect(summary.hazards.coastalFlood).toBe(71);
    expect(summary.hazards.earthquake).toBe(99.9);
    expect(summary.hazards.hurricane).toBeNull();
    // Codes the row lacks come out as null rather than missing keys.
    expect(summary.hazards.wildfire).toBeNull();
    expect(Object.keys(summary.hazards)).toEqual(HAZARDS.map(({ key }) => key));
  });

  it("accepts jsonb returned as text and null scores", () => {
    const summary = hazardSummary({
      ...stored,
      risk_score: null,
      risk_rating: null,
      hazard_scores: JSON.stringify({ TRND: 12.5 }),
    });
    expect(summary.riskScore).toBeNull();
    expect(summary.riskRating).toBeNull();
    expect(summary.hazards.tornado).toBe(12.5);
  });

  it("round-trips a parsed row", () => {
    const summary = hazardSummary(parseHazardRow(femaRecord({ WFIR_RISKS: "45.73791348600509" })));
    expect(summary.hazards.wildfire).toBe(45.74);
    expect(summary.riskScore).toBe(96.72);
  });
});

describe("lookupCountyHazards", () => {
  it("queries by FIPS and skips invalid input without a query", async () => {
    const calls: unknown[][] = [];
    const query = async (_sql: string, params: unknown[]) => {
      calls.push(params);
      return params[0] === "53033" ? [{ ...parseHazardRow(femaRecord({ STCOFIPS: "53033" })) }] : [];
    };
    expect((await lookupCountyHazards(query, "53033"))?.countyFips).toBe("53033");
    expect(await lookupCountyHazards(query, "99999")).toBeNull();
    expect(await lookupCountyHazards(query, "King")).toBeNull();
    expect(calls).toEqual([["53033"], ["99999"]]);
  });
});
