import { describe, expect, it } from "vitest";
import { DEFAULT_SUITE, PRICE_PER_SQFT_BY_ZIP } from "../../../src/domain/quality/default-suite.ts";
import { evaluateRecord } from "../../../src/domain/quality/evaluate.ts";
import type { PriceSample } from "../../../src/domain/quality/price-reference.ts";
import { percentile, priceRangeByZip } from "../../../src/domain/quality/price-reference.ts";

/** n sales in one ZIP at 100, 200, ..., n*100 $/sqft (1000 sqft each). */
function ladder(zip: string, count: number): PriceSample[] {
  return Array.from({ length: count }, (_, index) => ({ zip, price: (index + 1) * 100_000, sqft: 1000 }));
}

describe("percentile", () => {
  it("interpolates linearly between ranks", () => {
    expect(percentile([1, 2, 3, 4, 5], 50)).toBe(3);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2.5);
    expect(percentile([10, 20], 5)).toBeCloseTo(10.5);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([1, 2, 3], 0)).toBe(1);
    expect(percentile([1, 2, 3], 100)).toBe(3);
  });

  it("rejects an empty sample", () => {
    expect(() => percentile([], 50)).toThrow(/empty/);
  });
});

describe("priceRangeByZip", () => {
  it("computes p5, median and p95 of $/sqft per ZIP", () => {
    const ranges = priceRangeByZip(ladder("98101", 21));
    // Values 100..2100: p5 at rank 1 -> 200, median at rank 10 -> 1100, p95 at rank 19 -> 2000.
    expect(ranges.get("98101")).toEqual({ low: 200, high: 2000, median: 1100, sampleSize: 21 });
  });

  it("is robust to a few extreme outliers", () => {
    const samples = [
      ...Array.from({ length: 40 }, (_, index) => ({
        zip: "98101",
        price: 500_000 + index * 1000,
        sqft: 1000,
      })),
      { zip: "98101", price: 1, sqft: 1000 },
      { zip: "98101", price: 900_000_000, sqft: 1000 },
    ];
    const range = priceRangeByZip(samples).get("98101");
    expect(range?.low).toBeGreaterThan(400);
    expect(range?.high).toBeLessThan(600);
  });

  it("skips ZIPs below the minimum sample size", () => {
    const ranges = priceRangeByZip([...ladder("98101", 10), ...ladder("98102", 9)]);
    expect([...ranges.keys()]).toEqual(["98101"]);
    expect(priceRangeByZip(ladder("98102", 9), { minSamples: 5 }).has("98102")).toBe(true);
  });

  it("groups ZIP+4 under the ZIP and ignores unusable samples", () => {
    const samples: PriceSample[] = [
      ...ladder("98101-0001", 10),
      { zip: "98101", price: 0, sqft: 1000 },
      { zip: "98101", price: 100_000, sqft: 0 },
      { zip: "98101", price: null, sqft: 1000 },
      { zip: "98101", price: Number.NaN, sqft: 1000 },
      { zip: null, price: 100_000, sqft: 1000 },
      { zip: "bad", price: 100_000, sqft: 1000 },
    ];
    expect(priceRangeByZip(samples).get("98101")?.sampleSize).toBe(10);
  });

  it("rounds to cents and honours custom percentiles", () => {
    const samples = [1, 2, 3].map((index) => ({ zip: "98101", price: index * 1000, sqft: 3 }));
    expect(
      priceRangeByZip(samples, { minSamples: 3, lowPercentile: 25, highPercentile: 75 }).get("98101"),
    ).toEqual({
      low: 500,
      high: 833.33,
      median: 666.67,
      sampleSize: 3,
    });
  });

  it("rejects invalid options", () => {
    expect(() => priceRangeByZip([], { lowPercentile: 95, highPercentile: 5 })).toThrow(/percentiles/);
    expect(() => priceRangeByZip([], { minSamples: 0 })).toThrow(/minSamples/);
  });

  it("feeds the default suite's price-per-sqft rule", () => {
    const references = { [PRICE_PER_SQFT_BY_ZIP]: priceRangeByZip(ladder("98101", 21)) };
    const now = new Date("2026-06-15T00:00:00Z");
    const check = (price: number) =>
      evaluateRecord({ address: "1 Main St", zip: "98101", price, sqft: 1000 }, DEFAULT_SUITE, {
        now,
        references,
      }).results.find((result) => result.ruleId === "price_per_sqft_in_zip_range")?.status;
    expect(check(1_000_000)).toBe("passed");
    expect(check(50_000)).toBe("failed");
    expect(check(4_000_000)).toBe("failed");
  });
});
