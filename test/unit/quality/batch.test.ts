import { describe, expect, it } from "vitest";
import { DEFAULT_SUITE } from "../../../src/domain/quality/default-suite.ts";
import { evaluateBatch } from "../../../src/domain/quality/evaluate.ts";
import type { ExpectationSuite, ProspectRecord } from "../../../src/domain/quality/types.ts";

const NOW = new Date("2026-06-15T12:00:00Z");

const suite: ExpectationSuite = {
  id: "batch-test-v1",
  rules: [
    { id: "address_required", expectation: "not_null", column: "address" },
    { id: "price_range", expectation: "between", column: "price", min: 1000, max: 500_000_000 },
    {
      id: "sqft_plausible",
      expectation: "between",
      column: "sqft",
      min: 100,
      max: 100_000,
      severity: "warning",
    },
    { id: "unique_in_batch", expectation: "unique_within_batch", column: "addressHash" },
  ],
};

const records: ProspectRecord[] = [
  { address: "1 A St", price: 100_000, sqft: 1000, addressHash: "a" },
  { address: "2 B St", price: 200_000, sqft: 50, addressHash: "b" },
  { address: null, price: 10, addressHash: "c" },
  { address: "1 A St", price: 150_000, sqft: 1200, addressHash: "a" },
  { address: "5 E St", addressHash: null },
];

describe("evaluateBatch", () => {
  const batch = evaluateBatch(records, suite, { now: NOW });

  it("names the suite and time, and reports success only without quarantined records", () => {
    expect(batch.suiteId).toBe("batch-test-v1");
    expect(batch.evaluatedAt).toBe("2026-06-15T12:00:00.000Z");
    expect(batch.success).toBe(false);
  });

  it("returns per-record results in input order with their index", () => {
    expect(
      batch.records.map((record) => [record.index, record.passed, record.errorCount, record.warningCount]),
    ).toEqual([
      [0, true, 0, 0],
      [1, true, 0, 1],
      [2, false, 2, 0],
      [3, false, 1, 0],
      [4, true, 0, 0],
    ]);
    expect(batch.records[2]?.failures.map((failure) => failure.ruleId)).toEqual([
      "address_required",
      "price_range",
    ]);
  });

  it("computes per-rule pass rates over evaluated records only", () => {
    expect(batch.rules).toEqual([
      {
        ruleId: "address_required",
        expectation: "not_null",
        severity: "error",
        evaluated: 5,
        passed: 4,
        failed: 1,
        notEvaluated: 0,
        passRate: 0.8,
      },
      {
        ruleId: "price_range",
        expectation: "between",
        severity: "error",
        evaluated: 4,
        passed: 3,
        failed: 1,
        notEvaluated: 1,
        passRate: 0.75,
      },
      {
        ruleId: "sqft_plausible",
        expectation: "between",
        severity: "warning",
        evaluated: 3,
        passed: 2,
        failed: 1,
        notEvaluated: 2,
        passRate: 2 / 3,
      },
      {
        ruleId: "unique_in_batch",
        expectation: "unique_within_batch",
        severity: "error",
        evaluated: 4,
        passed: 3,
        failed: 1,
        notEvaluated: 1,
        passRate: 0.75,
      },
    ]);
  });

  it("computes the batch pass rate from quarantined records; warnings do not count against it", () => {
    expect(batch.statistics).toEqual({
      records: 5,
      passed: 3,
      quarantined: 2,
      withWarnings: 1,
      passRate: 0.6,
    });
  });

  it("handles an empty batch", () => {
    const empty = evaluateBatch([], suite, { now: NOW });
    expect(empty.success).toBe(true);
    expect(empty.records).toEqual([]);
    expect(empty.statistics).toEqual({
      records: 0,
      passed: 0,
      quarantined: 0,
      withWarnings: 0,
      passRate: null,
    });
    expect(empty.rules.every((rule) => rule.passRate === null && rule.evaluated === 0)).toBe(true);
  });

  it("succeeds when every record passes", () => {
    const clean = evaluateBatch(records.slice(0, 2), suite, { now: NOW });
    expect(clean.success).toBe(true);
    expect(clean.statistics.passRate).toBe(1);
  });

  it("compares uniqueness values trimmed, and treats each unique rule separately", () => {
    const twoKeys: ExpectationSuite = {
      id: "t",
      rules: [
        { id: "unique_hash", expectation: "unique_within_batch", column: "addressHash" },
        { id: "unique_ref", expectation: "unique_within_batch", column: "externalRef", severity: "warning" },
      ],
    };
    const result = evaluateBatch(
      [
        { addressHash: "x", externalRef: "1" },
        { addressHash: " x ", externalRef: "2" },
        { addressHash: "y", externalRef: "1" },
      ],
      twoKeys,
    );
    expect(result.records.map((record) => record.failures.map((failure) => failure.ruleId))).toEqual([
      [],
      ["unique_hash"],
      ["unique_ref"],
    ]);
    expect(result.records.map((record) => record.passed)).toEqual([true, false, true]);
  });

  it("evaluates a large batch against the default suite quickly", () => {
    const many: ProspectRecord[] = Array.from({ length: 20_000 }, (_, index) => ({
      address: `${index} Main St`,
      state: "WA",
      zip: "98101",
      price: 500_000 + index,
      bedrooms: 3,
      bathrooms: 2,
      sqft: 1500,
      lotSize: 5000,
      yearBuilt: 1990,
      addressHash: `h${index % 19_000}`,
    }));
    const started = Date.now();
    const result = evaluateBatch(many, DEFAULT_SUITE, { now: NOW });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(result.statistics.quarantined).toBe(1000);
  });
});
