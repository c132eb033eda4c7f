// The pipeline's CSV parser and quality evaluator: the project's RFC 4180 parser (src/domain/csv.ts) and the
// default expectation suite (DEFAULT_SUITE in src/domain/quality/) behind the pipeline's narrow interfaces.
import { CsvError, parseCsvRecords } from "../csv.ts";
import {
  DEFAULT_SUITE,
  evaluateRecord,
  PRICE_PER_SQFT_BY_ZIP,
  type ProspectRecord,
  type QualityContext,
} from "../quality/index.ts";
import {
  CsvParseError,
  type CsvParser,
  type EnrichedRecord,
  type QualityEvaluator,
  type QualityReferences,
} from "./contracts.ts";

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

/** The rule's reference map, holding just the record's own ZIP (keyed as the rule keys it: first 5 characters). */
function contextOf(record: EnrichedRecord, references: QualityReferences): QualityContext {
  const range = references.zipPricePerSqft;
  if (!range || record.zip === undefined) return {};
  return { references: { [PRICE_PER_SQFT_BY_ZIP]: new Map([[record.zip.trim().slice(0, 5), range]]) } };
}

/**
 * Judges one record at a time, as the consumer receives them. unique_in_batch says "not evaluated" here:
 * duplicates within a batch are merged by the (tenant, address_hash) upsert instead. The per-ZIP price range is
 * evaluated when the caller passes the record's ZIP range (the consumer reads it with the record), and "not
 * evaluated" for a ZIP without one.
 */
export const qualityEvaluator: QualityEvaluator = {
  suiteVersion: DEFAULT_SUITE.id,
  evaluate(record, references = {}) {
    const validation = evaluateRecord(prospectRecord(record), DEFAULT_SUITE, contextOf(record, references));
    return {
      passed: validation.passed,
      results: validation.results.map((result) => ({
        ruleId: result.ruleId,
        passed: result.status !== "failed",
        status: result.status,
        severity: result.severity,
        message: result.message,
        observed: result.observed,
      })),
    };
  },
};
