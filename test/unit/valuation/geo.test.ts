import { describe, expect, it } from "vitest";
import { daysBetween, haversineKm } from "../../../src/domain/valuation/index.ts";

describe("haversineKm", () => {
  it("is zero for the same point and symmetric", () => {
    expect(haversineKm(47.6, -122.3, 47.6, -122.3)).toBe(0);
    expect(haversineKm(47.6, -122.3, 47.7, -122.1)).toBeCloseTo(haversineKm(47.7, -122.1, 47.6, -122.3), 12);
  });

  it("gives ~111.2 km per degree of latitude", () => {
    expect(haversineKm(47, -122, 48, -122)).toBeCloseTo(111.2, 1);
  });

  it("matches a known distance (Seattle Space Needle to Bellevue downtown, ~11.2 km)", () => {
    expect(haversineKm(47.6205, -122.3493, 47.6101, -122.2015)).toBeCloseTo(11.16, 1);
  });

  it("shrinks east-west distances with latitude", () => {
    expect(haversineKm(47.5, -122, 47.5, -121)).toBeCloseTo(111.2 * Math.cos((47.5 * Math.PI) / 180), 0);
  });
});

describe("daysBetween", () => {
  it("counts calendar days in UTC", () => {
    expect(daysBetween("2014-12-31", "2015-01-01")).toBe(1);
    expect(daysBetween("2014-05-02", "2014-11-30")).toBe(212);
    expect(daysBetween("2014-11-30", "2014-05-02")).toBe(-212);
  });
});
