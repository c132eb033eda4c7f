import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { parseKcCsv } from "../../scripts/lib/kc-csv.ts";
import { FEATURE_VERSION, MODEL_FEATURE_NAMES, type SoldProperty } from "../../src/domain/features/index.ts";
import { attributesOf, candidatesAsOf } from "../../src/domain/valuation/backtest.ts";
import { averageGbts, predictGbt, trainGbt } from "../../src/domain/valuation/gbt.ts";
import { ridgeRegression } from "../../src/domain/valuation/linear.ts";
import type { AvmModel } from "../../src/domain/valuation/model.ts";
import {
  type AvmTrainingOptions,
  DEFAULT_TRAINING_OPTIONS,
  fitHedonic,
  trainAvm,
} from "../../src/domain/valuation/train.ts";
import { valueProperty } from "../../src/domain/valuation/value.ts";

// Every 9th sale of the KC file keeps all months (the file is sorted by date) at a fraction of the cost.
const all = parseKcCsv(readFileSync("data/kc/kc_house_sales_2014-05_2015-01.csv", "utf8"));
const train = all.filter((sale, i) => i % 9 === 0 && sale.closingDate <= "2014-11-30");
const holdout = all.filter((sale, i) => i % 9 === 4 && sale.closingDate >= "2014-12-01").slice(0, 150);

const SMALL: AvmTrainingOptions = {
  ...DEFAULT_TRAINING_OPTIONS,
  modelVersion: "avm-test",
  gbt: { ...DEFAULT_TRAINING_OPTIONS.gbt, trees: 40, learningRate: 0.15, maxDepth: 3, bins: 32 },
  compsBlendWeights: [0, 0.3],
};

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1] ?? Number.NaN;
}

describe("ridgeRegression", () => {
  it("recovers known coefficients of a noiseless linear model (least squares when lambda -> 0)", () => {
    // y = 3 + 2 x1 - 0.5 x2 on a grid
    const rows: number[][] = [];
    const targets: number[] = [];
    for (let a = -3; a <= 3; a++)
      for (let b = 0; b <= 4; b++) {
        rows.push([1, a, b]);
        targets.push(3 + 2 * a - 0.5 * b);
      }
    const coefficients = ridgeRegression(rows, targets, 1e-9);
    expect(coefficients).toHaveLength(3);
    expect(coefficients[0]).toBeCloseTo(3, 6);
    expect(coefficients[1]).toBeCloseTo(2, 6);
    expect(coefficients[2]).toBeCloseTo(-0.5, 6);
  });

  it("shrinks penalized coefficients toward zero and leaves unpenalized ones free", () => {
    // Centered single feature: y = 5 + 4 x, x in {-1, 1} repeated
    const rows = [
      [1, -1],
      [1, 1],
      [1, -1],
      [1, 1],
    ];
    const targets = [1, 9, 1, 9];
    const lambda = 4;
    const [intercept, slope] = ridgeRegression(rows, targets, lambda, new Set([0]));
    // Closed form for orthogonal columns: slope = sum(x y) / (sum(x^2) + lambda) = 16 / 8
    expect(slope).toBeCloseTo(16 / (4 + lambda), 6);
    expect(intercept).toBeCloseTo(5, 6);
    // Penalizing everything also shrinks the intercept: 20 / (4 + 4)
    const [shrunk] = ridgeRegression(rows, targets, lambda);
    expect(shrunk).toBeCloseTo(20 / 8, 6);
  });

  it("handles zero features, ragged rows and an empty problem", () => {
    expect(ridgeRegression([], [], 1)).toEqual([]);
    // A column that is all zero gets coefficient 0 under any ridge penalty.
    const [a, b] = ridgeRegression([[1, 0], [2, 0], [3]], [2, 4, 6], 1e-9);
    expect(a).toBeCloseTo(2, 6);
    expect(b).toBeCloseTo(0, 6);
  });

  it("stays finite on a singular (collinear) design", () => {
    const rows = [
      [1, 2],
      [2, 4],
      [3, 6],
    ];
    const coefficients = ridgeRegression(rows, [1, 2, 3], 0);
    for (const c of coefficients) expect(Number.isFinite(c)).toBe(true);
  });
});

describe("fitHedonic", () => {
  it("finds a positive size effect, a market index per month and centred ZIP effects", () => {
    const hedonic = fitHedonic(train);
    expect(hedonic.marketIndex.months).toEqual([
      "2014-05",
      "2014-06",
      "2014-07",
      "2014-08",
      "2014-09",
      "2014-10",
      "2014-11",
    ]);
    expect(hedonic.marketIndex.logLevel[0]).toBe(0);
    expect(hedonic.adjustmentRates.logSqft).toBeGreaterThan(0.1);
    expect(hedonic.adjustmentRates.grade).toBeGreaterThan(0);
    const effects = Object.values(hedonic.zipEffects);
    expect(effects.length).toBeGreaterThan(50);
    expect(Math.abs(effects.reduce((sum, v) => sum + v, 0) / effects.length)).toBeLessThan(1e-3);
  });

  it("imputes missing attributes with the mean instead of failing", () => {
    const sparse: SoldProperty[] = train.slice(0, 200).map((sale, i) =>
      i % 2 === 0
        ? {
            ...sale,
            sqft: null,
            lotSize: null,
            bedrooms: null,
            waterfront: null,
            yearBuilt: null,
            zip: null,
          }
        : sale,
    );
    const hedonic = fitHedonic(sparse);
    for (const rate of Object.values(hedonic.adjustmentRates)) expect(Number.isFinite(rate)).toBe(true);
    expect(Object.keys(hedonic.zipEffects)).not.toContain("");
  });
});

describe("trainGbt / averageGbts", () => {
  it("fits a step function with squared and Huber loss and reports a validation curve", () => {
    const rows = Array.from({ length: 200 }, (_, i) => [i / 200, (i * 7) % 13]);
    const targets = rows.map(([x]) => ((x ?? 0) < 0.5 ? 1 : 3));
    const options = {
      ...DEFAULT_TRAINING_OPTIONS.gbt,
      trees: 30,
      maxDepth: 2,
      minSamplesLeaf: 5,
      learningRate: 0.3,
    };
    const progress: number[] = [];
    const squared = trainGbt(rows, targets, options, { rows, targets }, (p) => progress.push(p.tree));
    expect(progress).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(squared.validationCurve).toHaveLength(30);
    expect(squared.validationCurve.at(-1)).toBeLessThan(squared.validationCurve[0] ?? 0);
    expect(predictGbt(squared.model, [0.1, 0])).toBeCloseTo(1, 1);
    expect(predictGbt(squared.model, [0.9, 0])).toBeCloseTo(3, 1);
    const huber = trainGbt(rows, targets, { ...options, huberDelta: 0.5 });
    expect(huber.validationCurve).toEqual([]);
    // The Huber base score is the median target, not the mean.
    expect(huber.model.baseScore).toBe(3);
    expect(predictGbt(huber.model, [0.1, 0])).toBeLessThan(predictGbt(huber.model, [0.9, 0]));

    const averaged = averageGbts([squared.model, huber.model]);
    expect(averaged.trees).toHaveLength(60);
    expect(averaged.baseScore).toBeCloseTo((squared.model.baseScore + 3) / 2, 10);
    expect(averageGbts([])).toEqual({ baseScore: 0, trees: [] });
  });

  it("still grows trees when feature sampling picks none", () => {
    const rows = Array.from({ length: 60 }, (_, i) => [i]);
    const targets = rows.map(([x]) => (x ?? 0) * 2);
    const { model } = trainGbt(rows, targets, {
      ...DEFAULT_TRAINING_OPTIONS.gbt,
      trees: 10,
      featureFraction: 0,
      minSamplesLeaf: 5,
      maxDepth: 3,
    });
    expect(model.trees.some((tree) => tree.feature.some((f) => f === 0))).toBe(true);
  });
});

describe("trainAvm", () => {
  let first: AvmModel;
  let second: AvmModel;
  const messages: string[] = [];

  beforeAll(() => {
    first = trainAvm(train, { ...SMALL, log: (message) => messages.push(message) });
    second = trainAvm(train, SMALL);
  }, 120_000);

  it("writes an artifact with versions, training window, feature names and trees", () => {
    expect(first.modelVersion).toBe("avm-test");
    expect(first.featureVersion).toBe(FEATURE_VERSION);
    expect(first.featureNames).toEqual([...MODEL_FEATURE_NAMES]);
    expect(first.imputation).toHaveLength(MODEL_FEATURE_NAMES.length);
    for (const value of first.imputation) expect(Number.isFinite(value)).toBe(true);
    expect(first.training).toEqual({
      from: train[0]?.closingDate,
      to: train.at(-1)?.closingDate,
      sales: train.length,
      seeds: [42],
    });
    expect(first.gbt.trees).toHaveLength(40);
    for (const tree of first.gbt.trees)
      expect(Math.max(...tree.feature)).toBeLessThan(MODEL_FEATURE_NAMES.length);
    expect([0, 0.3]).toContain(first.compsBlendWeight);
    expect(first.validation.from >= "2014-10-01").toBe(true);
    expect(first.validation.to).toBe(train.at(-1)?.closingDate);
    expect(first.validation.count).toBe(train.filter((s) => s.closingDate >= "2014-10-01").length);
    expect(first.validation.mdape).toBeGreaterThan(0);
    expect(first.validation.mdape).toBeLessThan(0.3);
    expect(first.fsd.coefficients.length).toBeGreaterThan(1);
    expect(first.fsd.scale).toBeGreaterThan(0);
    expect(Number.isNaN(Date.parse(first.createdAt))).toBe(false);
    expect(messages[0]).toMatch(/^validation slice: 2014-10\.\. \(\d+ sales\), fit on \d+$/);
    expect(messages.some((m) => m.startsWith("  comps blend weight 0.3: MdAPE"))).toBe(true);
    expect(messages.some((m) => /best validation rmse at tree \d+/.test(m))).toBe(true);
    expect(messages.at(-1)).toMatch(/^ {2}1 x 40 trees in/);
  });

  it("is deterministic for the same sales and seed apart from createdAt", () => {
    expect({ ...second, createdAt: "" }).toEqual({ ...first, createdAt: "" });
  });

  it("values held-out sales sensibly and rises with living area", () => {
    const candidates = candidatesAsOf(train, holdout);
    const errors = holdout.map((sale, i) => {
      const valuation = valueProperty(attributesOf(sale), candidates[i] ?? [], first, sale.closingDate);
      return Math.abs(valuation.estimate - sale.closingPrice) / sale.closingPrice;
    });
    expect(median(errors)).toBeLessThan(0.3);

    const subject = attributesOf(holdout[0] as SoldProperty);
    const estimates = [1000, 2000, 3500].map(
      (sqft) =>
        valueProperty({ ...subject, sqft, sqftAbove: sqft, sqftBasement: 0 }, [], first, "2014-12-15")
          .estimate,
    );
    expect(estimates[1]).toBeGreaterThan(estimates[0] ?? 0);
    expect(estimates[2]).toBeGreaterThan(estimates[1] ?? 0);
  });

  it("chooses the tree settings with the lowest validation MdAPE, whatever their order, and refits with them", () => {
    // May-September; validation = August-September (about 400 sales).
    const small = train.filter((sale) => sale.closingDate < "2014-10-01");
    // 2 trees at this learning rate leave most of the price unexplained: never the better candidate.
    for (const gbtCandidates of [
      [{ trees: 2 }, { trees: 30 }],
      [{ trees: 30 }, { trees: 2 }],
    ]) {
      const log: string[] = [];
      const model = trainAvm(small, {
        ...SMALL,
        gbtCandidates,
        validationFromMonth: "2014-08",
        log: (message) => log.push(message),
      });
      expect(model.gbt.trees).toHaveLength(30);
      const scores = log.filter((line) => /^ {2}trees \{"trees":\d+\}: validation MdAPE/.test(line));
      expect(scores).toHaveLength(2);
    }
    // One candidate: no choice, no score lines.
    const log: string[] = [];
    trainAvm(small, { ...SMALL, gbtCandidates: [{ trees: 3 }], log: (message) => log.push(message) });
    expect(log.some((line) => line.includes("validation MdAPE"))).toBe(false);
  }, 120_000);

  it("keeps a fixed createdAt and an explicit validation month", () => {
    const model = trainAvm(train.slice(0, 600), {
      ...SMALL,
      gbt: { ...SMALL.gbt, trees: 5 },
      ensembleSeeds: [1, 2],
      validationFromMonth: "2014-06",
      createdAt: "2020-01-01T00:00:00.000Z",
    });
    expect(model.createdAt).toBe("2020-01-01T00:00:00.000Z");
    expect(model.training.seeds).toEqual([1, 2]);
    expect(model.gbt.trees).toHaveLength(10);
    expect(model.validation.from >= "2014-06-01").toBe(true);
  }, 60_000);
});
