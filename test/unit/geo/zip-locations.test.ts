import { describe, expect, it } from "vitest";
import type { ZipLocationRow } from "../../../src/domain/geo/zip-locations.ts";
import {
  lookupZipLocation,
  normalizeZip,
  parseZipLocationRow,
  SELECT_ZIP_LOCATION_SQL,
  toZipLocation,
} from "../../../src/domain/geo/zip-locations.ts";

const seattle = {
  zip: "98101",
  city: "Seattle",
  state: "WA",
  county_fips: "53033",
  county: "King",
  latitude: "47.6101",
  longitude: "-122.3366",
};

describe("normalizeZip", () => {
  it("accepts 5-digit and ZIP+4 forms", () => {
    expect(normalizeZip("98101")).toBe("98101");
    expect(normalizeZip(" 98101-1234 ")).toBe("98101");
    expect(normalizeZip("981011234")).toBe("98101");
    expect(normalizeZip("02134")).toBe("02134");
  });

  it("rejects anything else", () => {
    expect(normalizeZip("9810")).toBeNull();
    expect(normalizeZip("98101-12")).toBeNull();
    expect(normalizeZip("ABCDE")).toBeNull();
    expect(normalizeZip("")).toBeNull();
    expect(normalizeZip(null)).toBeNull();
    expect(normalizeZip(undefined)).toBeNull();
  });
});

describe("parseZipLocationRow", () => {
  it("parses a complete row", () => {
    expect(parseZipLocationRow(seattle)).toEqual({
      zip: "98101",
      city: "Seattle",
      state: "WA",
      county_fips: "53033",
      county_name: "King",
      latitude: 47.6101,
      longitude: -122.3366,
    });
  });

  it("keeps military codes without state or county as nulls", () => {
    const row = parseZipLocationRow({
      zip: "09001",
      city: "APO AA",
      state: "",
      county_fips: "",
      county: "",
      latitude: "38.1105",
      longitude: "15.6613",
    });
    expect(row.state).toBeNull();
    expect(row.county_fips).toBeNull();
    expect(row.county_name).toBeNull();
  });

  it("keeps a county name without FIPS (Marshall Islands)", () => {
    const row = parseZipLocationRow({ ...seattle, state: "MH", county_fips: "", county: "Marshall Islands" });
    expect(row.county_fips).toBeNull();
    expect(row.county_name).toBe("Marshall Islands");
  });

  it("rejects malformed values with the line number", () => {
    expect(() => parseZipLocationRow({ ...seattle, zip: "9810" }, 12)).toThrow(/^line 12: invalid zip/);
    expect(() => parseZipLocationRow({ ...seattle, city: " " })).toThrow(/no city/);
    expect(() => parseZipLocationRow({ ...seattle, state: "Wash" })).toThrow(/invalid state/);
    expect(() => parseZipLocationRow({ ...seattle, county_fips: "533" })).toThrow(/invalid county_fips/);
    expect(() => parseZipLocationRow({ ...seattle, latitude: "" })).toThrow(/invalid latitude/);
    expect(() => parseZipLocationRow({ ...seattle, latitude: "91" })).toThrow(/invalid latitude/);
    expect(() => parseZipLocationRow({ ...seattle, longitude: "east" })).toThrow(/invalid longitude/);
  });
});

describe("toZipLocation and lookupZipLocation", () => {
  const row: ZipLocationRow = {
    ...parseZipLocationRow(seattle),
    latitude: "47.6101",
    longitude: "-122.3366",
  };

  it("maps a stored row to the API shape", () => {
    expect(toZipLocation(row)).toEqual({
      zip: "98101",
      city: "Seattle",
      state: "WA",
      countyFips: "53033",
      countyName: "King",
      latitude: 47.6101,
      longitude: -122.3366,
    });
  });

  it("normalizes the ZIP before querying and returns null for unknown or invalid ZIPs", async () => {
    const calls: { sql: string; params: unknown[] }[] = [];
    const query = async (sql: string, params: unknown[]) => {
      calls.push({ sql, params });
      return params[0] === "98101" ? [row] : [];
    };
    expect((await lookupZipLocation(query, "98101-0001"))?.countyFips).toBe("53033");
    expect(await lookupZipLocation(query, "10001")).toBeNull();
    expect(await lookupZipLocation(query, "not a zip")).toBeNull();
    expect(calls).toEqual([
      { sql: SELECT_ZIP_LOCATION_SQL, params: ["98101"] },
      { sql: SELECT_ZIP_LOCATION_SQL, params: ["10001"] },
    ]);
  });
});
