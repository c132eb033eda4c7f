import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runEvaluation } from "../../scripts/lib/avm-eval.ts";
import { parseKcCsv } from "../../scripts/lib/kc-csv.ts";
import { splitCsvByDate } from "../../scripts/lib/split.ts";
import type { AvmModel } from "../../src/domain/valuation/index.ts";
import { sale } from "../unit/valuation/fixtures/properties.ts";

const model = JSON.parse(readFileSync("models/avm-v1.json", "utf8")) as AvmModel;
const csv = readFileSync("data/kc/kc_house_sales_2014-05_2015-01.csv", "utf8");

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
    expect(runEvaluation([], test, model).ok).toBe(false);
  });
});
