import { describe, expect, it } from "vitest";
import { buildCoverage, coverageOf } from "../../../src/domain/valuation/coverage.ts";
import { isoDateToEpochDay } from "../../../src/domain/valuation/geo.ts";
import {
  ALL_AREAS,
  chooseMarketView,
  type HedonicLevelModel,
  localMarketLevel,
  MARKET_HISTORY_DAYS,
  type MarketObservation,
  MarketTimeline,
  marketAreaOf,
  marketDrift,
  marketPointDates,
  marketSettingsOf,
  marketStalenessDays,
} from "../../../src/domain/valuation/market.ts";
import { fsdFromDesign } from "../../../src/domain/valuation/value.ts";
import { SUBJECT, sale } from "./fixtures/properties.ts";

const HEDONIC: HedonicLevelModel = { intercept: 13, slopes: Array(12).fill(0), means: Array(12).fill(0) };

function observations(from: number, days: number, level: (day: number) => number): MarketObservation[] {
  const list: MarketObservation[] = [];
  for (let day = from; day < from + days; day++) {
    // Four sales a day scattered ±0.1 around the level, and one outlier the trim must drop.
    for (const noise of [-0.1, -0.05, 0.05, 0.1])
      list.push({ day, area: "981", residual: level(day) + noise });
  }
  list.push({ day: from, area: "981", residual: 5 });
  return list;
}

describe("marketAreaOf", () => {
  it("is the 3-digit prefix of a 5-digit or ZIP+4 code, null otherwise", () => {
    expect(marketAreaOf("98103")).toBe("981");
    expect(marketAreaOf("33101-1234")).toBe("331");
    expect(marketAreaOf("981")).toBeNull();
    expect(marketAreaOf(null)).toBeNull();
  });
});

describe("localMarketLevel", () => {
  it("finds a flat level among trimmed noise and needs minSales observations", () => {
    const flat = observations(1000, 60, () => 0.05);
    const level = localMarketLevel(flat, 1060, 60, 30);
    expect(level?.level).toBeCloseTo(0.05, 6);
    expect(level?.sales).toBe(240);
    expect(localMarketLevel(flat, 1060, 60, 1000)).toBeNull();
    // Only sales strictly before the day count: nothing before the first day.
    expect(localMarketLevel(flat, 1000, 60, 1)).toBeNull();
  });

  it("follows half of a rising market's trend past the window's centre", () => {
    const slope = 0.001;
    const rising = observations(1000, 60, (day) => slope * (day - 1000));
    const level = localMarketLevel(rising, 1060, 60, 30);
    // Mean of the window: 0.0295 at day 1029.5; half the trend over the 30.5 days to day 1060.
    expect(level?.level).toBeCloseTo(0.0295 + 0.5 * slope * 30.5, 4);
  });

  it("caps an implausibly steep trend", () => {
    const steep = observations(1000, 60, (day) => 0.01 * (day - 1000));
    const level = localMarketLevel(steep, 1060, 60, 30);
    expect(level?.level).toBeCloseTo(0.295 + 0.5 * 0.0015 * 30.5, 3);
  });
});

describe("market points", () => {
  it("are the Sundays after training within the history, then the valuation day", () => {
    const dates = marketPointDates("2015-01-31", "2015-02-20");
    expect(dates).toEqual(["2015-02-01", "2015-02-08", "2015-02-15", "2015-02-20"]);
    expect(marketPointDates("2015-01-31", "2015-01-31")).toEqual([]);
    const late = marketPointDates("2015-01-31", "2026-12-03");
    expect(isoDateToEpochDay("2026-12-03") - isoDateToEpochDay(late[0] ?? "")).toBeLessThanOrEqual(
      MARKET_HISTORY_DAYS,
    );
    for (const date of late.slice(0, -1)) expect(new Date(`${date}T00:00:00Z`).getUTCDay()).toBe(0);
  });

  it("give the movement since training: interpolated between points, the last point after them", () => {
    const settings = { windowDays: 60, minSales: 30, base: { [ALL_AREAS]: 0.01, "981": 0.02 } };
    const view = {
      area: "981",
      points: [
        { asOf: "2015-02-08", level: 0.03 },
        { asOf: "2015-02-15", level: 0.05 },
      ],
    };
    expect(marketDrift(settings, "2015-01-31", view, "2015-01-20")).toBe(0);
    expect(marketDrift(settings, "2015-01-31", view, "2015-02-08")).toBeCloseTo(0.01, 10);
    expect(marketDrift(settings, "2015-01-31", view, "2015-02-11")).toBeCloseTo(0.01 + (3 / 7) * 0.02, 10);
    expect(marketDrift(settings, "2015-01-31", view, "2015-03-30")).toBeCloseTo(0.03, 10);
    // From the base on the day after training to the first point.
    expect(marketDrift(settings, "2015-01-31", view, "2015-02-04")).toBeCloseTo((3 / 7) * 0.01, 10);
    expect(marketDrift(settings, "2015-01-31", undefined, "2015-03-30")).toBe(0);
    expect(marketDrift(undefined, "2015-01-31", view, "2015-03-30")).toBe(0);
    expect(marketStalenessDays("2015-01-31", view, "2015-02-15")).toBe(0);
    expect(marketStalenessDays("2015-01-31", view, "2016-02-15")).toBe(364);
    expect(marketStalenessDays("2015-01-31", undefined, "2015-02-05")).toBe(4);
  });

  it("use the subject's area when it is current and has a base, else the tenant-wide series", () => {
    const settings = { windowDays: 60, minSales: 30, base: { [ALL_AREAS]: 0, "981": 0 } };
    const all = [{ asOf: "2015-02-15", level: 0.02 }];
    const current = new Map([
      [ALL_AREAS, all],
      ["981", [{ asOf: "2015-02-15", level: 0.04 }]],
      ["980", [{ asOf: "2015-02-15", level: 0.04 }]],
    ]);
    expect(chooseMarketView(settings, current, "981")?.area).toBe("981");
    expect(chooseMarketView(settings, current, "980")?.area).toBe(ALL_AREAS);
    expect(chooseMarketView(settings, current, null)?.area).toBe(ALL_AREAS);
    const stale = new Map([
      [ALL_AREAS, all],
      ["981", [{ asOf: "2015-02-08", level: 0.04 }]],
    ]);
    expect(chooseMarketView(settings, stale, "981")?.area).toBe(ALL_AREAS);
    expect(chooseMarketView(settings, new Map(), "981")).toBeUndefined();
  });

  it("of a timeline are built only from sales before each point", () => {
    const sales = Array.from({ length: 80 }, (_, i) =>
      sale(
        `s${i}`,
        `2015-01-${String(1 + (i % 28)).padStart(2, "0")}`,
        442_413 * (i % 2 === 0 ? 1.05 : 0.95),
        {
          ...SUBJECT,
          zip: "98103",
          sqft: null,
          lotSize: null,
          bedrooms: null,
          bathrooms: null,
          floors: null,
          waterfront: null,
          viewRating: null,
          conditionRating: null,
          grade: null,
          yearBuilt: null,
        },
      ),
    );
    const model = { hedonic: HEDONIC, zipEffects: {}, training: { to: "2015-01-31" } };
    const settings = marketSettingsOf(model, sales, "2015-01-31", 60, 30);
    expect(settings.base[ALL_AREAS]).toBeCloseTo(Math.log(442_413) - 13, 2);
    expect(settings.base["981"]).toBeCloseTo(settings.base[ALL_AREAS] ?? 0, 10);
    // A sale on the valuation day itself and later ones must not move the level the valuation sees.
    const later = [...sales, sale("late", "2015-02-10", 5_000_000, { ...SUBJECT, zip: "98103" })];
    const timeline = new MarketTimeline({ ...model, market: settings }, later);
    const view = timeline.view("98103", "2015-02-10");
    expect(view?.area).toBe("981");
    expect(view?.points.map((point) => point.asOf)).toEqual(["2015-02-01", "2015-02-08", "2015-02-10"]);
    for (const point of view?.points ?? []) expect(point.level).toBeCloseTo(settings.base["981"] ?? 0, 2);
  });
});

describe("coverage", () => {
  const coverage = buildCoverage([
    sale("a", "2014-10-01", 500_000, { latitude: 47.62, longitude: -122.35, zip: "98109" }),
    sale("b", "2014-10-01", 500_000, { latitude: 47.68, longitude: -122.2, zip: "98033" }),
  ]);

  it("accepts a location near a training sale and refuses one far from all of them", () => {
    expect(coverage.areas).toEqual(["980", "981"]);
    expect(coverageOf(coverage, { ...SUBJECT, latitude: 47.64, longitude: -122.32 })).toEqual({
      inside: true,
    });
    const miami = coverageOf(coverage, { ...SUBJECT, latitude: 25.77, longitude: -80.19, zip: "33130" });
    expect(miami.inside).toBe(false);
    // 40 km south of both sales: still Washington, but no training sale anywhere near.
    expect(coverageOf(coverage, { ...SUBJECT, latitude: 47.26, longitude: -122.35 }).inside).toBe(false);
  });

  it("judges a subject without a location by its ZIP's area", () => {
    const noLocation = { ...SUBJECT, latitude: null, longitude: null };
    expect(coverageOf(coverage, { ...noLocation, zip: "98052" }).inside).toBe(true);
    expect(coverageOf(coverage, { ...noLocation, zip: "33130" })).toEqual({
      inside: false,
      reason: "The ZIP code is outside the area the valuation model was trained on.",
    });
    expect(coverageOf(coverage, { ...noLocation, zip: null }).inside).toBe(false);
  });
});

describe("FSD out of date", () => {
  it("widens with the time since the last market reading", () => {
    const model = { fsd: { coefficients: [Math.log(0.1)], scale: 1, min: 0.03, max: 0.6 } } as Parameters<
      typeof fsdFromDesign
    >[0];
    expect(fsdFromDesign(model, [1])).toBeCloseTo(0.1, 10);
    expect(fsdFromDesign(model, [1], 365)).toBeCloseTo(Math.sqrt(0.01 + 0.0036), 10);
    expect(fsdFromDesign(model, [1], 365 * 200)).toBe(0.6);
  });
});
