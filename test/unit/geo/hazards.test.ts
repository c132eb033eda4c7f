import { describe, expect, it } from "vitest";
import {
  HAZARDS,
  NRI_DATA_VERSION,
  parseHazardRow,
  propertyHazards,
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

describe("propertyHazards", () => {
  const stored = {
    hazards_county_fips: "53033",
    hazards_version: NRI_DATA_VERSION,
    hazard_risk_score: "99.68",
    hazard_risk_rating: "Very High",
    hazards: {
      county: "King",
      state: "WA",
      scores: { AVLN: 99.27, CFLD: 71, HRCN: null, ERQK: "99.9" },
      ratings: { AVLN: "Very High", CFLD: "not a rating" },
    },
  };

  it("maps FEMA codes to readable names, numeric strings to numbers, and keeps only real ratings", () => {
    const { hazards, hazardsUnavailable } = propertyHazards(stored);
    expect(hazardsUnavailable).toBeNull();
    expect(hazards).toMatchObject({
      nriVersion: NRI_DATA_VERSION,
      countyFips: "53033",
      state: "WA",
      county: "King",
      riskScore: 99.68,
      riskRating: "Very High",
    });
    expect(hazards?.byType.avalanche).toEqual({ score: 99.27, rating: "Very High" });
    expect(hazards?.byType.coastalFlood).toEqual({ score: 71, rating: null });
    expect(hazards?.byType.earthquake.score).toBe(99.9);
    expect(hazards?.byType.hurricane.score).toBeNull();
    // Codes the row lacks come out as null rather than missing keys.
    expect(hazards?.byType.wildfire).toEqual({ score: null, rating: null });
    expect(Object.keys(hazards?.byType ?? {})).toEqual(HAZARDS.map(({ key }) => key));
  });

  it("accepts jsonb returned as text", () => {
    const { hazards } = propertyHazards({ ...stored, hazards: JSON.stringify({ scores: { TRND: 12.5 } }) });
    expect(hazards?.byType.tornado.score).toBe(12.5);
  });

  it("says why there are none: no county, or a county the NRI does not have", () => {
    expect(propertyHazards({ hazards_county_fips: null, hazards: null })).toEqual({
      hazards: null,
      hazardsUnavailable: "no_county",
    });
    expect(propertyHazards({ hazards_county_fips: "99999", hazards: null })).toEqual({
      hazards: null,
      hazardsUnavailable: "county_not_in_nri",
    });
  });
});

describe("parseHazardRow ratings", () => {
  it("reads per-hazard ratings where the source has them and derives none where it has not", () => {
    expect(parseHazardRow(femaRecord({})).hazard_ratings).toEqual({});
    const rated = parseHazardRow(femaRecord({ WFIR_RISKR: "Relatively Low", TSUN_RISKR: "Not Applicable" }));
    expect(rated.hazard_ratings).toEqual({ WFIR: "Relatively Low" });
    expect(() => parseHazardRow(femaRecord({ WFIR_RISKR: "Medium" }))).toThrow(/WFIR_RISKR/);
  });
});
