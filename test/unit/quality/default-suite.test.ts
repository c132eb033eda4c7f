// Every rule of the default suite: one passing and one failing record each, plus missing-value handling.
import { describe, expect, it } from "vitest";
import {
  DEFAULT_SUITE,
  PRICE_PER_SQFT_BY_ZIP,
  PROPERTIES_V1,
} from "../../../src/domain/quality/default-suite.ts";
import { evaluateBatch, evaluateRecord } from "../../../src/domain/quality/evaluate.ts";
import type { ProspectRecord, QualityContext, RuleResult } from "../../../src/domain/quality/types.ts";

const NOW = new Date("2026-06-15T12:00:00Z");

const context: QualityContext = {
  now: NOW,
  references: { [PRICE_PER_SQFT_BY_ZIP]: new Map([["98101", { low: 300, high: 700, sampleSize: 50 }]]) },
};

const good: ProspectRecord = {
  address: "1200 6th Ave",
  city: "Seattle",
  state: "WA",
  zip: "98101",
  latitude: 47.61,
  longitude: -122.33,
  price: 900_000,
  bedrooms: 3,
  bathrooms: 2.5,
  sqft: 1800,
  lotSize: 4000,
  floors: 2,
  yearBuilt: 1998,
  propertyType: "single_family",
  status: "sold",
  closingPrice: 880_000,
  closingDate: "2026-05-01",
  externalRef: "MLS-1",
  normalizedAddress: "1200 6TH AVE SEATTLE WA 98101",
  addressHash: "h1",
};

function resultFor(record: ProspectRecord, ruleId: string): RuleResult {
  const result = evaluateRecord(record, DEFAULT_SUITE, context).results.find(
    (entry) => entry.ruleId === ruleId,
  );
  if (result === undefined) throw new Error(`no rule ${ruleId}`);
  return result;
}

const cases: { ruleId: string; fail: Partial<ProspectRecord>; severity: "error" | "warning" }[] = [
  { ruleId: "address_required", fail: { address: " " }, severity: "error" },
  { ruleId: "state_code_valid", fail: { state: "XX" }, severity: "error" },
  { ruleId: "zip_format", fail: { zip: "981" }, severity: "error" },
  { ruleId: "latitude_range", fail: { latitude: 91 }, severity: "error" },
  { ruleId: "longitude_range", fail: { longitude: -181 }, severity: "error" },
  { ruleId: "price_range", fail: { price: 900 }, severity: "error" },
  { ruleId: "bedrooms_range", fail: { bedrooms: 101 }, severity: "error" },
  { ruleId: "bedrooms_whole", fail: { bedrooms: 2.5 }, severity: "error" },
  { ruleId: "bathrooms_range", fail: { bathrooms: -1 }, severity: "error" },
  { ruleId: "bathrooms_in_halves", fail: { bathrooms: 1.75 }, severity: "error" },
  { ruleId: "sqft_positive", fail: { sqft: 0 }, severity: "error" },
  // At the ZIP's price per sqft, so only the size itself is in question.
  { ruleId: "sqft_plausible", fail: { sqft: 250_000, price: 125_000_000 }, severity: "warning" },
  { ruleId: "lot_size_non_negative", fail: { lotSize: -5 }, severity: "error" },
  { ruleId: "year_built_not_future", fail: { yearBuilt: 2027 }, severity: "error" },
  { ruleId: "lot_vs_living", fail: { lotSize: 500 }, severity: "warning" },
  { ruleId: "price_per_sqft_in_zip_range", fail: { price: 100_000 }, severity: "error" },
  { ruleId: "property_type_valid", fail: { propertyType: "castle" }, severity: "error" },
  { ruleId: "status_valid", fail: { status: "deleted" }, severity: "error" },
  { ruleId: "closing_price_range", fail: { closingPrice: 10 }, severity: "error" },
  { ruleId: "closing_date_valid", fail: { closingDate: "2026-07-01" }, severity: "error" },
  { ruleId: "sold_has_closing_price", fail: { closingPrice: null }, severity: "warning" },
];

describe("DEFAULT_SUITE", () => {
  it("is versioned and has unique rule ids", () => {
    expect(DEFAULT_SUITE.id).toBe("properties-v2");
    const ids = DEFAULT_SUITE.rules.map((rule) => rule.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("differs from properties-v1 only in quarantining a price per sqft far outside its ZIP's range", () => {
    expect(PROPERTIES_V1.id).toBe("properties-v1");
    expect(PROPERTIES_V1.rules.map((rule) => rule.id)).toEqual(DEFAULT_SUITE.rules.map((rule) => rule.id));
    const changed = DEFAULT_SUITE.rules.filter(
      (rule, index) => JSON.stringify(rule) !== JSON.stringify(PROPERTIES_V1.rules[index]),
    );
    expect(changed.map((rule) => [rule.id, rule.severity])).toEqual([
      ["price_per_sqft_in_zip_range", "error"],
    ]);
    const v1 = PROPERTIES_V1.rules.find((rule) => rule.id === "price_per_sqft_in_zip_range");
    expect(v1?.severity).toBe("warning");
    const outlier = { ...good, price: 100_000 };
    expect(evaluateRecord(outlier, PROPERTIES_V1, context).passed).toBe(true);
    expect(evaluateRecord(outlier, DEFAULT_SUITE, context).passed).toBe(false);
  });

  it("has a failing case in this file for every rule except the batch-only one", () => {
    const covered = new Set([...cases.map((entry) => entry.ruleId), "unique_in_batch"]);
    expect(DEFAULT_SUITE.rules.map((rule) => rule.id).filter((id) => !covered.has(id))).toEqual([]);
  });

  it("passes a complete, plausible record", () => {
    const validation = evaluateRecord(good, DEFAULT_SUITE, context);
    expect(validation.failures).toEqual([]);
    expect(validation.passed).toBe(true);
    // Only uniqueness needs a batch.
    expect(
      validation.results.filter((result) => result.status === "not_evaluated").map((r) => r.ruleId),
    ).toEqual(["unique_in_batch"]);
  });

  for (const { ruleId, fail, severity } of cases) {
    it(`${ruleId} fails with severity ${severity}`, () => {
      const record = { ...good, ...fail };
      const result = resultFor(record, ruleId);
      expect(result).toMatchObject({ status: "failed", passed: false, severity });
      const validation = evaluateRecord(record, DEFAULT_SUITE, context);
      expect(validation.passed).toBe(severity === "warning");
      expect(validation.failures.map((failure) => failure.ruleId)).toContain(ruleId);
    });
  }

  it("accepts edge values the database accepts", () => {
    const edges: ProspectRecord = {
      ...good,
      zip: "98101-1234",
      state: "PR",
      bedrooms: 0,
      bathrooms: 0,
      lotSize: 0,
      propertyType: "condo",
      yearBuilt: 2026,
      closingDate: "2026-06-15",
    };
    expect(evaluateRecord(edges, DEFAULT_SUITE, context).failures).toEqual([]);
  });

  it("requires only the address: a record with nothing else passes with everything else not evaluated", () => {
    const validation = evaluateRecord({ address: "1 Main St" }, DEFAULT_SUITE, context);
    expect(validation.passed).toBe(true);
    expect(validation.failures).toEqual([]);
    const statuses = new Set(
      validation.results.filter((r) => r.ruleId !== "address_required").map((r) => r.status),
    );
    expect([...statuses]).toEqual(["not_evaluated"]);
  });

  it("lists every failure of a bad record, not just the first", () => {
    const validation = evaluateRecord(
      { ...good, address: null, zip: "ABCDE", price: 1, bathrooms: 1.3, yearBuilt: 3000, lotSize: 100 },
      DEFAULT_SUITE,
      context,
    );
    expect(validation.passed).toBe(false);
    expect(validation.failures.map((failure) => failure.ruleId)).toEqual([
      "address_required",
      "zip_format",
      "price_range",
      "bathrooms_in_halves",
      "year_built_not_future",
      "lot_vs_living",
    ]);
    expect(validation.errorCount).toBe(5);
    expect(validation.warningCount).toBe(1);
  });

  it("quarantines on errors only: warnings alone keep the record", () => {
    const validation = evaluateRecord({ ...good, lotSize: 500, closingPrice: null }, DEFAULT_SUITE, context);
    expect(validation.passed).toBe(true);
    expect(validation.warningCount).toBe(2);
    expect(validation.errorCount).toBe(0);
  });

  it("flags the second copy of an address in a batch", () => {
    const batch = evaluateBatch([good, { ...good, externalRef: "MLS-2" }], DEFAULT_SUITE, context);
    expect(batch.records.map((record) => record.passed)).toEqual([true, false]);
    expect(batch.records[1]?.failures.map((failure) => failure.ruleId)).toEqual(["unique_in_batch"]);
  });

  it("uses the clock of the context for year and date rules", () => {
    const later: QualityContext = { ...context, now: new Date("2027-03-01T00:00:00Z") };
    const record = { ...good, yearBuilt: 2027, closingDate: "2026-07-01" };
    expect(evaluateRecord(record, DEFAULT_SUITE, later).passed).toBe(true);
  });
});
