import { describe, expect, it } from "vitest";
import {
  adjustComp,
  DEFAULT_ADJUSTMENT_RATES,
  type MarketIndex,
  selectComps,
} from "../../../src/domain/valuation/index.ts";
import { neighbourhoodSales, SUBJECT, sale } from "./fixtures/properties.ts";

const AS_OF = "2014-12-01";
const RISING_MARKET: MarketIndex = { months: ["2014-09", "2014-10", "2014-11"], logLevel: [0, 0.01, 0.02] };

describe("selectComps rules", () => {
  it("uses only sales closed strictly before the valuation date", () => {
    const sales = [
      sale("before", "2014-11-30", 600_000),
      sale("same-day", AS_OF, 600_000),
      sale("after", "2014-12-02", 600_000),
    ];
    const { comps } = selectComps(SUBJECT, sales, { asOfDate: AS_OF, minComps: 1 });
    expect(comps.map((comp) => comp.sale.id)).toEqual(["before"]);
  });

  it("applies distance, size band and recency limits", () => {
    const sales = [
      sale("near", "2014-11-01", 600_000, { latitude: 47.685 }),
      sale("far", "2014-11-01", 600_000, { latitude: 47.75 }),
      sale("too-big", "2014-11-01", 900_000, { sqft: 3000 }),
      sale("too-old", "2013-06-01", 500_000),
    ];
    const { comps, widened } = selectComps(SUBJECT, sales, { asOfDate: AS_OF, minComps: 1 });
    expect(widened).toBe(0);
    expect(comps.map((comp) => comp.sale.id)).toEqual(["near"]);
    expect(comps[0]?.distanceKm).toBeCloseTo(0.556, 2);
  });

  it("widens the search when too few comps qualify", () => {
    const sales = [sale("far", "2014-11-01", 600_000, { latitude: 47.692 })];
    const { comps, widened } = selectComps(SUBJECT, sales, {
      asOfDate: AS_OF,
      minComps: 1,
      maxDistanceKm: 1,
    });
    expect(widened).toBe(1);
    expect(comps).toHaveLength(1);
  });

  it("ranks by similarity, distance and recency and caps the count", () => {
    const { comps } = selectComps(SUBJECT, neighbourhoodSales(), { asOfDate: AS_OF, maxComps: 5 });
    expect(comps).toHaveLength(5);
    const weights = comps.reduce((sum, comp) => sum + comp.weight, 0);
    expect(weights).toBeCloseTo(1, 12);
    for (const comp of comps) {
      expect(comp.similarity).toBeGreaterThan(0.8);
      expect(comp.similarity).toBeLessThanOrEqual(1 + 1e-12);
    }
  });

  it("returns no comps (and no estimate) without a subject location", () => {
    const selection = selectComps({ ...SUBJECT, latitude: null }, neighbourhoodSales(), { asOfDate: AS_OF });
    expect(selection.comps).toEqual([]);
    expect(selection.estimate).toBeNull();
  });

  it("estimates within the range of the adjusted comp prices", () => {
    const { comps, estimate } = selectComps(SUBJECT, neighbourhoodSales(), { asOfDate: AS_OF });
    const adjusted = comps.map((comp) => comp.adjustedPrice);
    expect(estimate).toBeGreaterThanOrEqual(Math.min(...adjusted));
    expect(estimate).toBeLessThanOrEqual(Math.max(...adjusted));
  });
});

describe("comp adjustments", () => {
  const rates = DEFAULT_ADJUSTMENT_RATES;

  it("is (almost) zero for an identical house sold a month earlier", () => {
    // Only the subject being one month older than the comp was at its sale remains.
    const { adjustments, adjustedPrice } = adjustComp(
      SUBJECT,
      sale("twin", "2014-11-20", 600_000),
      AS_OF,
      rates,
    );
    expect(Object.values(adjustments).every((value) => Math.abs(value) < 200)).toBe(true);
    expect(Math.abs(adjustedPrice - 600_000)).toBeLessThan(200);
  });

  it("adds value for a larger subject and removes it for a smaller one", () => {
    const smallerComp = sale("small", "2014-11-20", 500_000, { sqft: 1600, sqftAbove: 1600 });
    const largerComp = sale("large", "2014-11-20", 700_000, { sqft: 2500, sqftAbove: 2500 });
    const up = adjustComp(SUBJECT, smallerComp, AS_OF, rates).adjustments.size;
    const down = adjustComp(SUBJECT, largerComp, AS_OF, rates).adjustments.size;
    expect(up).toBeGreaterThan(0);
    expect(down).toBeLessThan(0);
    // 25% more living area at elasticity 0.45: about +10.6% of the comp price.
    expect(up / 500_000).toBeCloseTo(Math.exp(0.45 * Math.log(2000 / 1600)) - 1, 3);
  });

  it("adjusts for market movement since the comp sold", () => {
    const comp = sale("sep", "2014-09-15", 500_000);
    const { adjustments } = adjustComp(SUBJECT, comp, AS_OF, rates, RISING_MARKET);
    expect(adjustments.time).toBeCloseTo(500_000 * (Math.exp(0.02) - 1), 6);
  });

  it("signs grade, condition, age, lot and room adjustments sensibly", () => {
    const worse = sale("worse", "2014-11-20", 500_000, {
      grade: 7,
      conditionRating: 2,
      yearBuilt: 1950,
      lotSize: 5000,
      bathrooms: 1.5,
    });
    const { adjustments } = adjustComp(SUBJECT, worse, AS_OF, rates);
    expect(adjustments.ageConditionGrade).toBeGreaterThan(0);
    expect(adjustments.lot).toBeGreaterThan(0);
    expect(adjustments.rooms).toBeGreaterThan(0);
    expect(adjustments.viewWaterfront).toBe(0);
  });

  it("adds up: closing price + adjustments = adjusted price", () => {
    const comp = sale("mixed", "2014-09-15", 520_000, {
      sqft: 1700,
      grade: 9,
      lotSize: 12_000,
      viewRating: 2,
    });
    const { adjustments, adjustedPrice } = adjustComp(SUBJECT, comp, AS_OF, rates, RISING_MARKET);
    const total = Object.values(adjustments).reduce((sum, value) => sum + value, 0);
    expect(520_000 + total).toBeCloseTo(adjustedPrice, 6);
    expect(adjustments.viewWaterfront).toBeLessThan(0);
  });

  it("ignores attributes unknown on either side", () => {
    const comp = sale("unknown-lot", "2014-11-20", 500_000, { lotSize: null, sqft: null });
    const { adjustments } = adjustComp(SUBJECT, comp, AS_OF, rates);
    expect(adjustments.lot).toBe(0);
    expect(adjustments.size).toBe(0);
  });
});
