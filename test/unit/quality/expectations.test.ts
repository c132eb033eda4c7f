// Each expectation type on its own, through one-rule suites.
import { describe, expect, it } from "vitest";
import { evaluateBatch, evaluateRecord } from "../../../src/domain/quality/evaluate.ts";
import type {
  ProspectRecord,
  QualityContext,
  QualityRule,
  ReferenceRange,
  RuleResult,
} from "../../../src/domain/quality/types.ts";
import { assertValidSuite } from "../../../src/domain/quality/validate-suite.ts";

const NOW = new Date("2026-06-15T12:00:00Z");

function run(rule: QualityRule, record: ProspectRecord, context: QualityContext = {}): RuleResult {
  const [result] = evaluateRecord(record, { id: "test", rules: [rule] }, { now: NOW, ...context }).results;
  if (result === undefined) throw new Error("no result");
  return result;
}

function status(rule: QualityRule, record: ProspectRecord, context: QualityContext = {}): string {
  return run(rule, record, context).status;
}

// Raw CSV input reaches the rules as strings; the rules accept numeric strings.
const asRecord = (fields: Record<string, unknown>) => fields as ProspectRecord;

describe("not_null", () => {
  const rule: QualityRule = { id: "address_required", expectation: "not_null", column: "address" };

  it("passes on a value and fails on null, undefined, empty and blank strings", () => {
    expect(status(rule, { address: "1 Main St" })).toBe("passed");
    expect(status(rule, { address: null })).toBe("failed");
    expect(status(rule, {})).toBe("failed");
    expect(status(rule, { address: "" })).toBe("failed");
    expect(status(rule, { address: "   " })).toBe("failed");
  });

  it("reports rule id, severity, message and observed value", () => {
    expect(run(rule, { address: "" })).toEqual({
      ruleId: "address_required",
      expectation: "not_null",
      severity: "error",
      status: "failed",
      passed: false,
      message: "address is required",
      observed: "",
    });
  });

  it("counts zero as a value", () => {
    expect(status({ id: "r", expectation: "not_null", column: "bedrooms" }, { bedrooms: 0 })).toBe("passed");
  });
});

describe("between", () => {
  const price: QualityRule = {
    id: "price_range",
    expectation: "between",
    column: "price",
    min: 1000,
    max: 500_000_000,
  };

  it("passes inside and on the bounds, fails outside", () => {
    expect(status(price, { price: 250_000 })).toBe("passed");
    expect(status(price, { price: 1000 })).toBe("passed");
    expect(status(price, { price: 500_000_000 })).toBe("passed");
    expect(run(price, { price: 999 })).toMatchObject({
      status: "failed",
      message: "price 999 is below the minimum 1000",
      observed: 999,
    });
    expect(run(price, { price: 600_000_000 }).message).toBe("price 600000000 is above the maximum 500000000");
  });

  it("does not evaluate a missing value", () => {
    expect(run(price, { price: null })).toMatchObject({ status: "not_evaluated", passed: true });
    expect(status(price, {})).toBe("not_evaluated");
  });

  it("fails a value that is not a number, and accepts numeric strings", () => {
    expect(run(price, asRecord({ price: "cheap" }))).toMatchObject({
      status: "failed",
      message: 'price "cheap" is not a number',
    });
    expect(status(price, { price: Number.NaN })).toBe("failed");
    expect(status(price, { price: Number.POSITIVE_INFINITY })).toBe("failed");
    expect(status(price, asRecord({ price: " 250000 " }))).toBe("passed");
  });

  it("supports strict bounds", () => {
    const sqft: QualityRule = {
      id: "sqft_positive",
      expectation: "between",
      column: "sqft",
      min: 0,
      strictMin: true,
    };
    expect(status(sqft, { sqft: 1 })).toBe("passed");
    expect(run(sqft, { sqft: 0 }).message).toBe("sqft 0 is not above the minimum 0");
    const under: QualityRule = { id: "u", expectation: "between", column: "floors", max: 3, strictMax: true };
    expect(status(under, { floors: 2.5 })).toBe("passed");
    expect(run(under, { floors: 3 }).message).toBe("floors 3 is not below the maximum 3");
  });

  it("resolves currentYear from the context clock", () => {
    const year: QualityRule = {
      id: "year_built_not_future",
      expectation: "between",
      column: "yearBuilt",
      min: 1600,
      max: "currentYear",
    };
    expect(status(year, { yearBuilt: 2026 })).toBe("passed");
    expect(run(year, { yearBuilt: 2027 }).message).toBe("yearBuilt 2027 is above the maximum 2026");
    expect(status(year, { yearBuilt: 1599 })).toBe("failed");
    expect(status(year, { yearBuilt: 2027 }, { now: new Date("2027-01-01T00:00:00Z") })).toBe("passed");
  });
});

describe("in_set", () => {
  const rule: QualityRule = {
    id: "state_code_valid",
    expectation: "in_set",
    column: "state",
    values: ["WA", "OR"],
  };

  it("passes listed values (trimmed), fails others including wrong case", () => {
    expect(status(rule, { state: "WA" })).toBe("passed");
    expect(status(rule, { state: " OR " })).toBe("passed");
    expect(run(rule, { state: "wa" })).toMatchObject({
      status: "failed",
      message: 'state "wa" is not one of the allowed values',
      observed: "wa",
    });
    expect(status(rule, { state: "Washington" })).toBe("failed");
    expect(status(rule, { state: null })).toBe("not_evaluated");
  });
});

describe("match_regex", () => {
  const rule: QualityRule = {
    id: "zip_format",
    expectation: "match_regex",
    column: "zip",
    pattern: "^[0-9]{5}(-[0-9]{4})?$",
  };

  it("passes the format and fails anything else", () => {
    expect(status(rule, { zip: "98101" })).toBe("passed");
    expect(status(rule, { zip: "98101-1234" })).toBe("passed");
    expect(status(rule, { zip: "9810" })).toBe("failed");
    expect(status(rule, { zip: "98101 1234" })).toBe("failed");
    expect(status(rule, asRecord({ zip: 98101 }))).toBe("passed");
    expect(status(rule, { zip: "" })).toBe("not_evaluated");
  });

  it("gives the same answer on every record even with a global flag", () => {
    const global: QualityRule = {
      id: "g",
      expectation: "match_regex",
      column: "zip",
      pattern: "^9",
      flags: "g",
    };
    const batch = evaluateBatch([{ zip: "98101" }, { zip: "98102" }, { zip: "98103" }], {
      id: "t",
      rules: [global],
    });
    expect(batch.rules[0]?.passed).toBe(3);
  });
});

describe("multiple_of", () => {
  const baths: QualityRule = {
    id: "bathrooms_in_halves",
    expectation: "multiple_of",
    column: "bathrooms",
    step: 0.5,
  };

  it("passes halves and fails quarters", () => {
    expect(status(baths, { bathrooms: 2.5 })).toBe("passed");
    expect(status(baths, { bathrooms: 0 })).toBe("passed");
    expect(run(baths, { bathrooms: 2.25 })).toMatchObject({
      status: "failed",
      message: "bathrooms 2.25 is not a multiple of 0.5",
    });
    expect(status(baths, { bathrooms: null })).toBe("not_evaluated");
  });

  it("tolerates binary float error", () => {
    const tenth: QualityRule = { id: "t", expectation: "multiple_of", column: "floors", step: 0.1 };
    expect(status(tenth, { floors: 0.1 + 0.2 })).toBe("passed");
  });
});

describe("date_between", () => {
  const rule: QualityRule = {
    id: "closing_date_valid",
    expectation: "date_between",
    column: "closingDate",
    min: "1900-01-01",
    max: "today",
  };

  it("passes real dates up to today (UTC) and fails future, too old or impossible dates", () => {
    expect(status(rule, { closingDate: "2026-06-15" })).toBe("passed");
    expect(status(rule, { closingDate: "1900-01-01" })).toBe("passed");
    expect(run(rule, { closingDate: "2026-06-16" }).message).toBe(
      "closingDate 2026-06-16 is after 2026-06-15",
    );
    expect(run(rule, { closingDate: "1899-12-31" }).message).toBe(
      "closingDate 1899-12-31 is before 1900-01-01",
    );
    expect(run(rule, { closingDate: "2025-02-30" }).message).toBe(
      'closingDate "2025-02-30" is not a valid YYYY-MM-DD date',
    );
    expect(status(rule, { closingDate: "06/15/2026" })).toBe("failed");
    expect(status(rule, { closingDate: null })).toBe("not_evaluated");
  });
});

describe("column_pair_greater_or_equal", () => {
  const rule: QualityRule = {
    id: "lot_vs_living",
    expectation: "column_pair_greater_or_equal",
    column: "lotSize",
    otherColumn: "sqft",
    divideOtherBy: "floors",
    unless: { column: "propertyType", in: ["condo"] },
    severity: "warning",
  };

  it("passes when the lot holds the footprint (living area / floors)", () => {
    expect(status(rule, { lotSize: 5000, sqft: 2000, floors: 1 })).toBe("passed");
    expect(status(rule, { lotSize: 1000, sqft: 2000, floors: 2 })).toBe("passed");
  });

  it("fails a lot smaller than the footprint, with the numbers observed", () => {
    expect(run(rule, { lotSize: 900, sqft: 2000, floors: 2 })).toMatchObject({
      status: "failed",
      severity: "warning",
      passed: false,
      message: "lotSize 900 is less than sqft 2000 / floors 2",
      observed: { lotSize: 900, sqft: 2000, floors: 2, required: 1000 },
    });
  });

  it("treats missing or nonsense floors as one floor", () => {
    expect(status(rule, { lotSize: 1500, sqft: 2000 })).toBe("failed");
    expect(status(rule, { lotSize: 1500, sqft: 2000, floors: 0 })).toBe("failed");
    expect(status(rule, { lotSize: 2000, sqft: 2000, floors: null })).toBe("passed");
  });

  it("exempts condos and skips missing values", () => {
    expect(run(rule, { lotSize: 0, sqft: 900, propertyType: "condo" })).toMatchObject({
      status: "not_evaluated",
      message: 'exempt: propertyType is "condo"',
    });
    expect(status(rule, { lotSize: 0, sqft: 900, propertyType: "single_family" })).toBe("failed");
    expect(run(rule, { sqft: 900 }).message).toBe("lotSize is missing");
    expect(run(rule, { lotSize: 900 }).message).toBe("sqft is missing");
  });

  it("fails non-numeric values", () => {
    expect(status(rule, asRecord({ lotSize: "big", sqft: 900 }))).toBe("failed");
    expect(status(rule, asRecord({ lotSize: 900, sqft: "n/a" }))).toBe("failed");
  });
});

describe("within_reference_range", () => {
  const rule: QualityRule = {
    id: "price_per_sqft_in_zip_range",
    expectation: "within_reference_range",
    reference: "pricePerSqftByZip",
    keyColumn: "zip",
    keyLength: 5,
    column: "price",
    per: "sqft",
    tolerance: 0.5,
    severity: "warning",
  };
  const references = {
    pricePerSqftByZip: new Map<string, ReferenceRange>([["98101", { low: 200, high: 600, sampleSize: 40 }]]),
  };

  it("passes inside the range widened by the tolerance", () => {
    expect(status(rule, { zip: "98101", price: 800_000, sqft: 2000 }, { references })).toBe("passed");
    // 120 $/sqft is below p5 (200) but within the 50% slack (100).
    expect(status(rule, { zip: "98101-4321", price: 240_000, sqft: 2000 }, { references })).toBe("passed");
    expect(status(rule, { zip: "98101", price: 1_800_000, sqft: 2000 }, { references })).toBe("passed");
  });

  it("fails far outside and reports the observed value and range", () => {
    const result = run(rule, { zip: "98101", price: 100_000, sqft: 2000 }, { references });
    expect(result).toMatchObject({
      status: "failed",
      severity: "warning",
      message: "price per sqft 50 is far outside the zip 98101 range 200-600",
      observed: { value: 50, key: "98101", low: 200, high: 600, allowedLow: 100, allowedHigh: 900 },
    });
    expect(status(rule, { zip: "98101", price: 2_000_000, sqft: 2000 }, { references })).toBe("failed");
  });

  it("is not evaluated without a reference for the ZIP or without any references", () => {
    expect(run(rule, { zip: "10001", price: 1, sqft: 2000 }, { references })).toMatchObject({
      status: "not_evaluated",
      passed: true,
      message: "no pricePerSqftByZip reference for zip 10001",
    });
    expect(status(rule, { zip: "98101", price: 1, sqft: 2000 })).toBe("not_evaluated");
  });

  it("is not evaluated with missing inputs or a non-positive area", () => {
    expect(status(rule, { zip: "98101", sqft: 2000 }, { references })).toBe("not_evaluated");
    expect(status(rule, { zip: "98101", price: 500_000 }, { references })).toBe("not_evaluated");
    expect(status(rule, { price: 500_000, sqft: 2000 }, { references })).toBe("not_evaluated");
    expect(status(rule, { zip: "98101", price: 500_000, sqft: 0 }, { references })).toBe("not_evaluated");
    expect(status(rule, asRecord({ zip: "98101", price: "lots", sqft: 2000 }), { references })).toBe(
      "failed",
    );
  });

  it("works on a plain column without a ratio", () => {
    const plain: QualityRule = {
      id: "p",
      expectation: "within_reference_range",
      reference: "priceByZip",
      keyColumn: "zip",
      column: "price",
    };
    const priceByZip = new Map([["98101", { low: 100, high: 200 }]]);
    expect(status(plain, { zip: "98101", price: 150 }, { references: { priceByZip } })).toBe("passed");
    expect(status(plain, { zip: "98101", price: 201 }, { references: { priceByZip } })).toBe("failed");
  });
});

describe("unique_within_batch", () => {
  const rule: QualityRule = {
    id: "unique_in_batch",
    expectation: "unique_within_batch",
    column: "addressHash",
  };

  it("is not evaluated on a single record", () => {
    expect(run(rule, { addressHash: "abc" })).toMatchObject({
      status: "not_evaluated",
      message: "addressHash uniqueness is only checked across a batch",
    });
  });

  it("keeps the first occurrence and fails later duplicates with the first index", () => {
    const batch = evaluateBatch(
      [
        { addressHash: "a" },
        { addressHash: "b" },
        { addressHash: "a" },
        { addressHash: null },
        { addressHash: "a" },
      ],
      { id: "t", rules: [rule] },
    );
    expect(batch.records.map((record) => record.results[0]?.status)).toEqual([
      "passed",
      "passed",
      "failed",
      "not_evaluated",
      "failed",
    ]);
    expect(batch.records[2]?.results[0]).toMatchObject({
      message: "addressHash duplicates record 0 in this batch",
      observed: { value: "a", firstIndex: 0 },
    });
  });
});

describe("when / unless conditions", () => {
  const rule: QualityRule = {
    id: "sold_has_closing_price",
    expectation: "not_null",
    column: "closingPrice",
    when: { column: "status", in: ["sold"] },
    severity: "warning",
  };

  it("applies the rule only when the condition holds", () => {
    expect(status(rule, { status: "sold", closingPrice: 500_000 })).toBe("passed");
    expect(status(rule, { status: "sold" })).toBe("failed");
    expect(run(rule, { status: "active" })).toMatchObject({
      status: "not_evaluated",
      message: "does not apply: status is not sold",
    });
    expect(status(rule, {})).toBe("not_evaluated");
  });
});

describe("assertValidSuite", () => {
  it("rejects duplicate ids, bad patterns, steps, bounds and tolerances", () => {
    const suite = {
      id: "broken",
      rules: [
        { id: "a", expectation: "not_null", column: "address" },
        { id: "a", expectation: "not_null", column: "city" },
        { id: "b", expectation: "match_regex", column: "zip", pattern: "([" },
        { id: "c", expectation: "multiple_of", column: "bathrooms", step: 0 },
        { id: "d", expectation: "between", column: "price" },
        { id: "e", expectation: "date_between", column: "closingDate", max: "tomorrow" },
        {
          id: "f",
          expectation: "within_reference_range",
          reference: "x",
          keyColumn: "zip",
          column: "price",
          tolerance: 2,
        },
      ] satisfies QualityRule[],
    };
    expect(() => assertValidSuite(suite)).toThrow(
      "invalid expectation suite broken: duplicate rule id a; b: invalid pattern ([; c: step must be a positive " +
        "number; d: between needs min or max; e: invalid date bound tomorrow; f: tolerance must be in [0, 1)",
    );
    expect(() => evaluateRecord({}, suite)).toThrow(/invalid expectation suite/);
  });
});
