// The pipeline's CSV parser and quality evaluator: the project's RFC 4180 parser (src/domain/csv.ts) and the
// "properties-v1" expectation suite (src/domain/quality/) behind the pipeline's narrow interfaces.
import { CsvError, parseCsvRecords } from "../domain/csv.ts";
import { DEFAULT_SUITE, evaluateRecord, type ProspectRecord } from "../domain/quality/index.ts";
import { CsvParseError, type CsvParser, type EnrichedRecord, type QualityEvaluator } from "./contracts.ts";

export const csvParser: CsvParser = {
  parse(text) {
    try {
      const { header, records } = parseCsvRecords(text, { skipEmptyLines: true });
      return { header, rows: records };
    } catch (error) {
      if (error instanceof CsvError) throw new CsvParseError(error.message);
      throw error;
    }
  },
};

function prospectRecord(record: EnrichedRecord): ProspectRecord {
  return {
    address: record.address,
    city: record.city ?? null,
    state: record.state ?? null,
    zip: record.zip ?? null,
    latitude: record.latitude ?? null,
    longitude: record.longitude ?? null,
    price: record.price ?? null,
    bedrooms: record.bedrooms ?? null,
    bathrooms: record.bathrooms ?? null,
    sqft: record.sqft ?? null,
    lotSize: record.lotSize ?? null,
    yearBuilt: record.yearBuilt ?? null,
    propertyType: record.propertyType ?? null,
    status: record.status ?? null,
    closingPrice: record.closingPrice ?? null,
    closingDate: record.closingDate ?? null,
    externalRef: record.externalRef ?? null,
    normalizedAddress: record.normalizedAddress,
    addressHash: record.addressHash,
  };
}

/**
 * Judges one record at a time, as the consumer receives them. Rules that need more than the record say
 * "not evaluated" here: duplicates within a batch are merged by the (tenant, address_hash) upsert instead, and
 * the per-ZIP price range needs a reference the caller does not pass yet.
 */
export const qualityEvaluator: QualityEvaluator = {
  suiteVersion: DEFAULT_SUITE.id,
  evaluate(record) {
    const validation = evaluateRecord(prospectRecord(record), DEFAULT_SUITE);
    return {
      passed: validation.passed,
      results: validation.results.map((result) => ({
        ruleId: result.ruleId,
        passed: result.status !== "failed",
        severity: result.severity,
        message: result.message,
        observed: result.observed,
      })),
    };
  },
};
