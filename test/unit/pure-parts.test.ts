// The pipeline's CSV parser and quality evaluator behind their narrow interfaces.
import { describe, expect, it } from "vitest";
import { CsvParseError, type EnrichedRecord } from "../../src/domain/pipeline/contracts.ts";
import { csvParser, qualityEvaluator } from "../../src/domain/pipeline/pure-parts.ts";

describe("csvParser", () => {
  it("answers the header and rows, skipping blank lines", () => {
    expect(csvParser.parse('address,price\n"1 Main St, Seattle",100\n\n2 Elm St,200\n')).toEqual({
      header: ["address", "price"],
      rows: [
        { address: "1 Main St, Seattle", price: "100" },
        { address: "2 Elm St", price: "200" },
      ],
    });
  });

  it("turns malformed CSV into a CsvParseError", () => {
    expect(() => csvParser.parse('address,price\n"1 Main St,100\n')).toThrow(CsvParseError);
  });
});

describe("qualityEvaluator", () => {
  const base: EnrichedRecord = {
    address: "1 Main St",
    normalizedAddress: "1 MAIN ST",
    addressHash: "h1",
    hazards: null,
  } as EnrichedRecord;

  it("passes a sparse but valid record: absent fields are not failures", () => {
    const evaluation = qualityEvaluator.evaluate(base);
    expect(evaluation.passed).toBe(true);
    expect(evaluation.results.every((result) => result.passed)).toBe(true);
    expect(evaluation.results.map((result) => result.ruleId)).toContain("price_range");
    expect(qualityEvaluator.suiteVersion).toMatch(/\S/);
  });

  it("fails a record with out-of-range values and says which rule failed", () => {
    const evaluation = qualityEvaluator.evaluate({ ...base, latitude: 123, bedrooms: -2 } as EnrichedRecord);
    expect(evaluation.passed).toBe(false);
    const failed = evaluation.results.filter((result) => !result.passed).map((result) => result.ruleId);
    expect(failed).toEqual(expect.arrayContaining(["latitude_range", "bedrooms_range"]));
    const latitude = evaluation.results.find((result) => result.ruleId === "latitude_range");
    expect(latitude?.observed).toBe(123);
    expect(latitude?.severity).toBe("error");
  });

  it("judges price per sqft against the ZIP range it is given, and says when it has none", () => {
    const record = { ...base, zip: " 98101-2201", price: 90_000, sqft: 1000 } as EnrichedRecord;
    const rule = (references?: Parameters<typeof qualityEvaluator.evaluate>[1]) => {
      const evaluation = qualityEvaluator.evaluate(record, references);
      const result = evaluation.results.find((entry) => entry.ruleId === "price_per_sqft_in_zip_range");
      return { passed: evaluation.passed, status: result?.status, severity: result?.severity };
    };
    const range = { low: 280, median: 320, high: 360, sampleSize: 40 };
    expect(rule({ zipPricePerSqft: range })).toEqual({ passed: false, status: "failed", severity: "error" });
    expect(rule({ zipPricePerSqft: { ...range, low: 150 } })).toMatchObject({
      passed: true,
      status: "passed",
    });
    expect(rule({ zipPricePerSqft: null })).toMatchObject({ passed: true, status: "not_evaluated" });
    expect(rule()).toMatchObject({ passed: true, status: "not_evaluated" });
  });
});
