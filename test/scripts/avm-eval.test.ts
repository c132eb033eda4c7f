import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { parseArgs } from "../../scripts/lib/args.ts";
import { evaluationPlan, leakedTraining, runEvaluation } from "../../scripts/lib/avm-eval.ts";
import { parseKcCsv } from "../../scripts/lib/kc-csv.ts";
import { splitCsvByDate } from "../../scripts/lib/split.ts";
import type { AvmModel } from "../../src/domain/valuation/index.ts";
import { DEFAULT_TRAINING_OPTIONS, trainAvm } from "../../src/domain/valuation/train.ts";
import { sale } from "../unit/valuation/fixtures/properties.ts";

const shipped = JSON.parse(readFileSync("models/avm-v2.json", "utf8")) as AvmModel;
const csv = readFileSync("data/kc/kc_house_sales_2014-05_2015-01.csv", "utf8");

// The shipped artifact is trained through January 2015, so the December checks need a model trained before it:
// a small one on every 9th sale through November (the same training code, fewer and shallower trees).
let model: AvmModel;
beforeAll(() => {
  const sales = parseKcCsv(csv).filter((s, i) => i % 9 === 0 && s.closingDate <= "2014-11-30");
  model = trainAvm(sales, {
    ...DEFAULT_TRAINING_OPTIONS,
    modelVersion: "avm-eval-test",
    gbt: { ...DEFAULT_TRAINING_OPTIONS.gbt, trees: 40, learningRate: 0.15, maxDepth: 3, bins: 32 },
    compsBlendWeights: [0, 0.3],
    market: { windowDays: 60, minSales: 20 },
  });
}, 180_000);

const plan = (...argv: string[]) => evaluationPlan(parseArgs(argv));

describe("avm-eval options", () => {
  it("reads a train/test pair or one file split at a date, with the shipped artifact by default", () => {
    expect(plan("--train", "a.csv", "--test", "b.csv")).toEqual({
      data: { kind: "files", trainPath: "a.csv", testPath: "b.csv" },
      modelPath: "models/avm-v2.json",
      retrain: false,
      candidates: "nearest",
    });
    expect(
      plan("--data", "all.csv", "--split-date", "2015-01-01", "--model", "m.json", "--candidates", "similar"),
    ).toEqual({
      data: { kind: "split", path: "all.csv", splitDate: "2015-01-01" },
      modelPath: "m.json",
      retrain: false,
      candidates: "similar",
    });
    expect(
      plan("--train", "a.csv", "--test", "b.csv", "--retrain", "--trees", "50", "--save", "m.json"),
    ).toEqual({
      data: { kind: "files", trainPath: "a.csv", testPath: "b.csv" },
      modelPath: "models/avm-v2.json",
      retrain: true,
      candidates: "nearest",
      trees: 50,
      savePath: "m.json",
    });
  });

  it("refuses options that contradict each other or are unknown, naming them", () => {
    expect(() => plan("--train", "a.csv")).toThrow(/^usage:/);
    expect(() => plan("--train", "a.csv", "--test", "b.csv", "--retrain", "--model", "m.json")).toThrow(
      /drop --model/,
    );
    expect(() => plan("--train", "a.csv", "--test", "b.csv", "--trees", "5")).toThrow(/--retrain only/);
    expect(() => plan("--train", "a.csv", "--test", "b.csv", "--retrain", "--trees", "0")).toThrow(
      /positive integer/,
    );
    expect(() => plan("--train", "a.csv", "--test", "b.csv", "--retrain=yes")).toThrow(/takes no value/);
    expect(() => plan("--data", "all.csv", "--split-date", "2015-1-1")).toThrow(/YYYY-MM-DD/);
    expect(() => plan("--split-date", "2015-01-01")).toThrow(/needs --data/);
    expect(() => plan("--train", "a.csv", "--test", "b.csv", "--candidates", "vector")).toThrow(
      /--candidates is nearest or similar/,
    );
    expect(() => plan("--train", "a.csv", "--test", "b.csv", "--modle", "m.json")).toThrow(
      /unknown option --modle/,
    );
  });

  it("refuses, before valuing anything, the artifact on sales it was trained on", () => {
    expect(shipped.training.to).toBe("2015-01-31");
    expect(leakedTraining(shipped, [sale("t", "2015-02-01", 1)])).toBeNull();
    expect(leakedTraining(shipped, [sale("t", "2015-02-01", 1), sale("u", "2015-01-31", 1)])).toBe(
      `model ${shipped.modelVersion} was trained on sales through 2015-01-31, not before the test period (2015-01-31)`,
    );
    const run = spawnSync(
      process.execPath,
      [
        "scripts/avm-eval.ts",
        "--data",
        "data/kc/kc_house_sales_2014-05_2015-01.csv",
        "--split-date",
        "2015-01-01",
      ],
      { encoding: "utf8" },
    );
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("not before the test period (2015-01-02)");
    expect(run.stderr).toContain("--retrain");
    expect(run.stdout).not.toContain("MdAPE");
  });
});

describe("KC csv tooling", () => {
  it("parses the product shape and splits by date", () => {
    const sales = parseKcCsv(csv);
    expect(sales).toHaveLength(15_611);
    expect(sales[0]?.closingDate).toBe("2014-05-02");
    expect(sales[0]?.yearRenovated).toBeNull();
    const { before, onOrAfter, lastBefore } = splitCsvByDate(csv, "2014-12-01");
    expect(before).toHaveLength(13_162);
    expect(onOrAfter).toHaveLength(2_449);
    expect(lastBefore).toBe("2014-11-30");
  });
});

describe("runEvaluation", () => {
  it("values every test sale from earlier sales only and reports metrics matching a hand computation", () => {
    const sales = parseKcCsv(csv).filter((s) => s.zip === "98117");
    const train = sales.filter((s) => s.closingDate < "2014-12-01");
    const test = sales.filter((s) => s.closingDate >= "2014-12-01" && s.closingDate < "2014-12-16");
    const report = runEvaluation(train, test, model);
    expect(report.ok).toBe(true);
    expect(report.records).toHaveLength(test.length);
    for (const record of report.records) {
      for (const comp of record.valuation?.comps ?? [])
        expect(comp.sale.closingDate < record.sale.closingDate).toBe(true);
    }
    const errors = report.records
      .map((r) => Math.abs((r.valuation?.estimate ?? Number.NaN) - r.sale.closingPrice) / r.sale.closingPrice)
      .sort((a, b) => a - b);
    const middle = errors.length >> 1;
    const median =
      errors.length % 2 === 1 ? errors[middle] : ((errors[middle - 1] ?? 0) + (errors[middle] ?? 0)) / 2;
    expect(report.metrics.hitRate).toBe(1);
    expect(report.metrics.mdape).toBeCloseTo(median ?? Number.NaN, 12);
    expect(report.metrics.ppe10).toBeCloseTo(errors.filter((e) => e <= 0.1).length / errors.length, 12);
    expect(report.lines.some((line) => line.startsWith("MdAPE:"))).toBe(true);
  });

  it("computes the metrics of a hand-checkable three-sale example", () => {
    // Three identical houses on one street: each later sale is valued from the earlier ones.
    const history = [
      sale("h1", "2014-11-01", 600_000),
      sale("h2", "2014-11-05", 600_000, { latitude: 47.6805 }),
      sale("h3", "2014-11-09", 600_000, { latitude: 47.6795 }),
    ];
    const test = [sale("t1", "2014-12-03", 600_000, { latitude: 47.681 })];
    const report = runEvaluation(history, test, model);
    const valuation = report.records[0]?.valuation;
    expect(valuation).toBeDefined();
    const estimate = valuation?.estimate ?? 0;
    const error = Math.abs(estimate - 600_000) / 600_000;
    expect(report.metrics.count).toBe(1);
    expect(report.metrics.mdape).toBeCloseTo(error, 12);
    expect(report.metrics.ppe10).toBe(error <= 0.1 ? 1 : 0);
    expect(report.metrics.fsdCoverage).toBe(error <= (valuation?.fsd ?? 0) ? 1 : 0);
  });

  it("flags a model trained on data from the test period", () => {
    const test = [sale("t1", "2014-11-15", 600_000)];
    const report = runEvaluation([], test, model);
    expect(report.ok).toBe(false);
    expect(report.lines.at(-1)).toMatch(/^ERROR: model avm-eval-test was trained on sales through 2014-11-/);
  });
});
