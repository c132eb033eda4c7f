import { describe, expect, it } from "vitest";
import {
  averageGbts,
  DEFAULT_GBT_OPTIONS,
  predictGbt,
  predictTree,
  seededRandom,
  trainGbt,
} from "../../../src/domain/valuation/gbt.ts";

function stepData(count: number) {
  const random = seededRandom(1);
  const rows: number[][] = [];
  const targets: number[] = [];
  for (let i = 0; i < count; i++) {
    const x = random();
    const noise = random();
    rows.push([x, noise]);
    targets.push(x > 0.5 ? 2 : 1);
  }
  return { rows, targets };
}

const OPTIONS = { ...DEFAULT_GBT_OPTIONS, trees: 60, learningRate: 0.2, maxDepth: 2, minSamplesLeaf: 5 };

describe("gradient-boosted trees", () => {
  it("learns a step function", () => {
    const { rows, targets } = stepData(400);
    const { model } = trainGbt(rows, targets, OPTIONS);
    expect(predictGbt(model, [0.2, 0.5])).toBeCloseTo(1, 1);
    expect(predictGbt(model, [0.8, 0.5])).toBeCloseTo(2, 1);
  });

  it("is deterministic for a seed", () => {
    const { rows, targets } = stepData(200);
    const first = trainGbt(rows, targets, OPTIONS).model;
    const second = trainGbt(rows, targets, OPTIONS).model;
    expect(JSON.stringify(first)).toBe(JSON.stringify(second));
  });

  it("records a validation curve and supports the Huber loss", () => {
    const { rows, targets } = stepData(300);
    const withOutlier = targets.map((t, i) => (i === 0 ? t + 100 : t));
    const { model, validationCurve } = trainGbt(
      rows,
      withOutlier,
      { ...OPTIONS, huberDelta: 0.5 },
      { rows: rows.slice(0, 50), targets: targets.slice(0, 50) },
    );
    expect(validationCurve).toHaveLength(OPTIONS.trees);
    expect(predictGbt(model, [0.8, 0.5])).toBeCloseTo(2, 0);
  });

  it("averages ensembles", () => {
    const one = {
      baseScore: 1,
      trees: [{ feature: [-1], threshold: [0], left: [-1], right: [-1], value: [2] }],
    };
    const two = {
      baseScore: 3,
      trees: [{ feature: [-1], threshold: [0], left: [-1], right: [-1], value: [4] }],
    };
    expect(predictGbt(averageGbts([one, two]), [])).toBe((1 + 2 + 3 + 4) / 2);
  });

  it("predicts with the packed trees exactly what summing predictTree gives", () => {
    const { rows, targets } = stepData(400);
    const { model } = trainGbt(rows, targets, { ...OPTIONS, maxDepth: 4, trees: 40 });
    for (const x of [...rows.slice(0, 50), [-1, 2], [0.5, 0.5], [Number.NaN, 0]]) {
      const summed = model.trees.reduce((sum, tree) => sum + predictTree(tree, x), model.baseScore);
      expect(predictGbt(model, x)).toBe(summed);
    }
    // A second model object is packed on its own (the cache is keyed by the model).
    const other = {
      baseScore: 5,
      trees: [{ feature: [0, -1, -1], threshold: [0.5], left: [1], right: [2], value: [0, 1, 2] }],
    };
    expect(predictGbt(other, [0.2])).toBe(6);
    expect(predictGbt(other, [0.9])).toBe(7);
  });
});
