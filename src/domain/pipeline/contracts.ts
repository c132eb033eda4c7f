// The narrow interfaces the pipeline consumes from pure parts written elsewhere (CSV parsing, quality rules,
// ZIP/county location, FEMA hazards), and the record shapes it moves between intake, feeds and the consumer.
// The real implementations plug in here; nothing in the pipeline depends on how they work inside.
import { z } from "zod";
import { LISTING_STATUSES } from "../property-status.ts";
import { PROPERTY_TYPES } from "../property-types.ts";
import type { ReferenceRange } from "../quality/index.ts";

export interface CsvTable {
  header: string[];
  /** One object per data row, keyed by header name; every value is the cell's text. */
  rows: Record<string, string>[];
}

export interface CsvParser {
  /** Parses RFC 4180 text whose first row is the header; throws CsvParseError on malformed input. */
  parse(text: string): CsvTable;
}

export class CsvParseError extends Error {
  override readonly name = "CsvParseError";
}

export type QualitySeverity = "error" | "warning";

export interface QualityRuleResult {
  ruleId: string;
  /** False only when the rule failed; a rule that could not be evaluated (status "not_evaluated") passes. */
  passed: boolean;
  /** Results stored before status was recorded have none; batch pass rates count those as evaluated. */
  status?: "passed" | "failed" | "not_evaluated";
  severity: QualitySeverity;
  message: string;
  observed?: unknown;
}

export interface QualityEvaluation {
  /** False when any rule of severity "error" failed: such a record is quarantined, not loaded. */
  passed: boolean;
  results: QualityRuleResult[];
}

/** Reference data a record is judged against, read by the consumer together with the record. */
export interface QualityReferences {
  /** Price per sqft range of the record's 5-digit ZIP among the tenant's properties; null when too few. */
  zipPricePerSqft?: ReferenceRange | null;
}

export interface QualityEvaluator {
  /** Version id of the rule suite, stored with every result so a pass rate always names its rules. */
  readonly suiteVersion: string;
  evaluate(record: EnrichedRecord, references?: QualityReferences): QualityEvaluation;
}

export interface ZipLocation {
  zip: string;
  city: string | null;
  state: string | null;
  countyFips: string | null;
  countyName: string | null;
  latitude: number | null;
  longitude: number | null;
}

export interface CountyHazards {
  countyFips: string;
  riskScore: number | null;
  riskRating: string | null;
  hazardScores: Record<string, unknown>;
  dataVersion: string;
}

export interface LocationLookup {
  /** The ZIP's centroid and county, or null for a ZIP the reference table does not know. */
  locateZip(zip5: string): Promise<ZipLocation | null>;
}

export interface HazardLookup {
  /** The county's National Risk Index, or null when the county has none. */
  countyHazards(countyFips: string): Promise<CountyHazards | null>;
}

/** The fields a prospect record may carry, from JSON intake, CSV intake or a feed. */
export const RECORD_FIELDS = [
  "externalRef",
  "address",
  "city",
  "state",
  "zip",
  "county",
  "countyFips",
  "latitude",
  "longitude",
  "price",
  "bedrooms",
  "bathrooms",
  "sqft",
  "lotSize",
  "yearBuilt",
  "propertyType",
  "status",
  "closingPrice",
  "closingDate",
] as const;

export type RecordField = (typeof RECORD_FIELDS)[number];

/** What intake stores: known fields with scalar values. Types are checked by the consumer, per record. */
export type RawRecord = Partial<Record<RecordField, string | number | boolean | null>>;

// CSV and feeds deliver text; blanks mean "not given", numbers may arrive as "425,000".
const blankToUndefined = (value: unknown) =>
  value === null || (typeof value === "string" && value.trim() === "") ? undefined : value;
const numeric = (schema: z.ZodNumber) =>
  z.preprocess((value) => {
    const present = blankToUndefined(value);
    return typeof present === "string" ? Number(present.replaceAll(",", "").trim()) : present;
  }, schema.optional());
const text = (max: number) =>
  z.preprocess((value) => {
    const present = blankToUndefined(value);
    return typeof present === "string" ? present.trim() : present;
  }, z.string().max(max).optional());

/** The consumer's typed view of a record; anything that does not fit is a quarantine reason, not a crash. */
export const enrichedRecordSchema = z.object({
  externalRef: text(100),
  address: z.preprocess(
    (value) => (typeof value === "string" ? value.trim() : value),
    z.string().min(1).max(500),
  ),
  city: text(100),
  state: z.preprocess((value) => {
    const present = blankToUndefined(value);
    return typeof present === "string" ? present.trim().toUpperCase() : present;
  }, z.string().optional()),
  zip: text(10),
  county: text(100),
  countyFips: text(5),
  latitude: numeric(z.number()),
  longitude: numeric(z.number()),
  price: numeric(z.number()),
  bedrooms: numeric(z.number()),
  bathrooms: numeric(z.number()),
  sqft: numeric(z.number()),
  lotSize: numeric(z.number()),
  yearBuilt: numeric(z.number()),
  propertyType: z.preprocess(blankToUndefined, z.enum(PROPERTY_TYPES).optional()),
  status: z.preprocess(blankToUndefined, z.enum(LISTING_STATUSES).optional()),
  closingPrice: numeric(z.number()),
  closingDate: z.preprocess(blankToUndefined, z.iso.date().optional()),
});

export type ParsedRecord = z.infer<typeof enrichedRecordSchema>;

/** A parsed record after address normalization, location and hazards: what quality rules judge. */
export interface EnrichedRecord extends ParsedRecord {
  normalizedAddress: string;
  addressHash: string;
  hazards: CountyHazards | null;
}
