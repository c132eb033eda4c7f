import { describe, expect, it } from "vitest";
import artifact from "../../../models/avm-v2.json";
import { FEATURE_VERSION, MODEL_FEATURE_NAMES } from "../../../src/domain/features/index.ts";
import {
  type AvmModel,
  accuracyMetrics,
  confidenceFromFsd,
  predictLogPrice,
  valueProperty,
} from "../../../src/domain/valuation/index.ts";
import { neighbourhoodSales, SUBJECT, sale, UNKNOWN_PROPERTY } from "./fixtures/properties.ts";

const model = artifact as unknown as AvmModel;
const AS_OF = "2014-12-01";

describe("model artifact", () => {
  it("matches the code's feature version and feature list", () => {
    expect(model.featureVersion).toBe(FEATURE_VERSION);
    expect(model.featureNames).toEqual([...MODEL_FEATURE_NAMES]);
    expect(model.imputation).toHaveLength(MODEL_FEATURE_NAMES.length);
    expect(model.training.to).toBe("2015-01-31");
    expect(model.market.base["*"]).toBeTypeOf("number");
    expect(model.coverage.areas).toEqual(["980", "981"]);
    expect(model.gbt.trees.length).toBeGreaterThan(0);
  });

  it("predicts deterministically and plausibly for a fixed subject", () => {
    const first = predictLogPrice(model, SUBJECT, AS_OF).logPrice;
    const second = predictLogPrice(model, { ...SUBJECT }, AS_OF).logPrice;
    expect(first).toBe(second);
    // A 2,000 sqft grade-8 1990 house in Kirkland sold for roughly $450k-$900k in 2014.
    expect(Math.exp(first)).toBeGreaterThan(450_000);
    expect(Math.exp(first)).toBeLessThan(900_000);
  });
});

describe("valueProperty", () => {
  const candidates = neighbourhoodSales();

  it("returns a consistent range: low/high = estimate·(1 ∓ FSD)", () => {
    const valuation = valueProperty(SUBJECT, candidates, model, AS_OF);
    expect(valuation.method).toBe("model+comps");
    expect(valuation.compsUsed).toBeGreaterThan(0);
    expect(valuation.low).toBeCloseTo(valuation.estimate * (1 - valuation.fsd), 6);
    expect(valuation.high).toBeCloseTo(valuation.estimate * (1 + valuation.fsd), 6);
    expect(valuation.low).toBeLessThan(valuation.estimate);
    expect(valuation.fsd).toBeGreaterThanOrEqual(model.fsd.min);
    expect(valuation.fsd).toBeLessThanOrEqual(model.fsd.max);
    expect(valuation.confidence).toBeCloseTo(confidenceFromFsd(valuation.fsd).confidence, 12);
    expect(valuation.modelVersion).toBe(model.modelVersion);
  });

  it("is deterministic", () => {
    const first = valueProperty(SUBJECT, candidates, model, AS_OF);
    const second = valueProperty(SUBJECT, [...candidates].reverse(), model, AS_OF);
    expect(second.estimate).toBeCloseTo(first.estimate, 6);
    expect(second.fsd).toBeCloseTo(first.fsd, 9);
  });

  it("ignores candidates that closed on or after the valuation date", () => {
    const future = [
      sale("future-1", AS_OF, 2_000_000),
      sale("future-2", "2015-01-10", 2_000_000, { latitude: 47.681 }),
    ];
    const without = valueProperty(SUBJECT, candidates, model, AS_OF);
    const withFuture = valueProperty(SUBJECT, [...candidates, ...future], model, AS_OF);
    expect(withFuture.estimate).toBe(without.estimate);
  });

  it("still values without any comps, with a wider FSD", () => {
    const withComps = valueProperty(SUBJECT, candidates, model, AS_OF);
    const alone = valueProperty(SUBJECT, [], model, AS_OF);
    expect(alone.method).toBe("model-only");
    expect(alone.compsUsed).toBe(0);
    expect(alone.estimate).toBeGreaterThan(0);
    expect(alone.fsd).toBeGreaterThan(withComps.fsd);
  });

  it("values a record with missing attributes, reporting them and widening the FSD", () => {
    const partial = { ...SUBJECT, grade: null, conditionRating: null, yearBuilt: null, lotSize: null };
    const full = valueProperty(SUBJECT, candidates, model, AS_OF);
    const valuation = valueProperty(partial, candidates, model, AS_OF);
    expect(valuation.missingAttributes).toEqual(
      expect.arrayContaining(["grade", "conditionRating", "yearBuilt"]),
    );
    expect(Number.isFinite(valuation.estimate)).toBe(true);
    expect(valuation.fsd).toBeGreaterThan(full.fsd);
  });

  it("values even an empty record (model-only, low confidence)", () => {
    const valuation = valueProperty(UNKNOWN_PROPERTY, candidates, model, AS_OF);
    expect(valuation.method).toBe("model-only");
    expect(Number.isFinite(valuation.estimate)).toBe(true);
    expect(valuation.confidenceBand).toBe("low");
  });
});

describe("confidenceFromFsd", () => {
  it("maps FSD to a 0-1 score and bands", () => {
    expect(confidenceFromFsd(0.08)).toEqual({ confidence: 0.84, band: "high" });
    expect(confidenceFromFsd(0.15).band).toBe("medium");
    expect(confidenceFromFsd(0.25)).toEqual({ confidence: 0.5, band: "low" });
    expect(confidenceFromFsd(0.8).confidence).toBe(0);
  });
});

describe("accuracyMetrics", () => {
  it("computes MdAPE, PPE, hit rate and FSD coverage", () => {
    const metrics = accuracyMetrics([
      { price: 100, estimate: 105, fsd: 0.1 },
      { price: 200, estimate: 260, fsd: 0.2 },
      { price: 300, estimate: 300, fsd: 0.1 },
      { price: 400, estimate: null, fsd: null },
    ]);
    expect(metrics.count).toBe(4);
    expect(metrics.valued).toBe(3);
    expect(metrics.hitRate).toBe(0.75);
    expect(metrics.mdape).toBeCloseTo(0.05, 12);
    expect(metrics.ppe10).toBeCloseTo(2 / 3, 12);
    expect(metrics.ppe20).toBeCloseTo(2 / 3, 12);
    expect(metrics.fsdCoverage).toBeCloseTo(2 / 3, 12);
  });
});
