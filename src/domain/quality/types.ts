// Data quality rules are data (like a Great Expectations expectation suite), so a suite can be versioned,
// stored next to the results it produced and shown to users, and the evaluator stays one small interpreter.

/** One prospect/property record as the pipeline has it after parsing and address normalization. */
export interface ProspectRecord {
  address?: string | null;
  city?: string | null;
  state?: string | null;
  zip?: string | null;
  latitude?: number | null;
  longitude?: number | null;
  price?: number | null;
  bedrooms?: number | null;
  bathrooms?: number | null;
  sqft?: number | null;
  lotSize?: number | null;
  floors?: number | null;
  yearBuilt?: number | null;
  propertyType?: string | null;
  status?: string | null;
  closingPrice?: number | null;
  /** ISO date, YYYY-MM-DD. */
  closingDate?: string | null;
  externalRef?: string | null;
  /** Added by the pipeline from the normalized address before evaluation. */
  normalizedAddress?: string | null;
  addressHash?: string | null;
}

export type ProspectField = keyof ProspectRecord;

export type Severity = "error" | "warning";

/** Applies a rule only to records whose `column` value is (or, for `unless`, is not) one of `in`. */
export interface RuleCondition {
  column: ProspectField;
  in: readonly (string | number | boolean | null)[];
}

interface RuleBase {
  /** Stable identifier, unique within a suite; quarantine records and dashboards refer to it. */
  id: string;
  /** Default "error". Error failures quarantine the record; warnings are reported only. */
  severity?: Severity;
  description?: string;
  when?: RuleCondition;
  unless?: RuleCondition;
}

/** "currentYear" resolves against the evaluation context's clock, so a suite never goes stale. */
export type NumericBound = number | "currentYear";

export interface NotNullRule extends RuleBase {
  expectation: "not_null";
  column: ProspectField;
}

export interface BetweenRule extends RuleBase {
  expectation: "between";
  column: ProspectField;
  min?: NumericBound;
  max?: NumericBound;
  /** Exclude the bound itself (value > min instead of >= min). */
  strictMin?: boolean;
  strictMax?: boolean;
}

export interface InSetRule extends RuleBase {
  expectation: "in_set";
  column: ProspectField;
  values: readonly string[];
}

export interface MatchRegexRule extends RuleBase {
  expectation: "match_regex";
  column: ProspectField;
  /** Regular expression source, anchored by the author where a full match is meant. */
  pattern: string;
  flags?: string;
}

export interface MultipleOfRule extends RuleBase {
  expectation: "multiple_of";
  column: ProspectField;
  step: number;
}

export interface DateBetweenRule extends RuleBase {
  expectation: "date_between";
  column: ProspectField;
  /** YYYY-MM-DD, or "today" (UTC, from the context's clock). */
  min?: string;
  max?: string;
}

export interface ColumnPairGreaterOrEqualRule extends RuleBase {
  expectation: "column_pair_greater_or_equal";
  /** The column expected to be the larger one. */
  column: ProspectField;
  otherColumn: ProspectField;
  /** Divide the other column by this one first (e.g. living area per floor); missing or < 1 counts as 1. */
  divideOtherBy?: ProspectField;
}

export interface WithinReferenceRangeRule extends RuleBase {
  expectation: "within_reference_range";
  /** Name of the reference map in the context, e.g. "pricePerSqftByZip". */
  reference: string;
  /** Column whose value selects the reference entry. */
  keyColumn: ProspectField;
  /** Use only the first n characters of the key (5 turns a ZIP+4 into its ZIP). */
  keyLength?: number;
  /** The measured value: `column`, or `column / per` when `per` is set. */
  column: ProspectField;
  per?: ProspectField;
  /**
   * How far outside [low, high] still passes, as a fraction: 0.5 passes down to low * 0.5 and up to
   * high * 1.5. Reference ranges are percentiles of noisy data, so a value just outside is not an error.
   */
  tolerance?: number;
}

export interface UniqueWithinBatchRule extends RuleBase {
  expectation: "unique_within_batch";
  column: ProspectField;
}

export type QualityRule =
  | NotNullRule
  | BetweenRule
  | InSetRule
  | MatchRegexRule
  | MultipleOfRule
  | DateBetweenRule
  | ColumnPairGreaterOrEqualRule
  | WithinReferenceRangeRule
  | UniqueWithinBatchRule;

export type Expectation = QualityRule["expectation"];

export interface ExpectationSuite {
  /** Version id, e.g. "properties-v1"; stored with every validation result. */
  id: string;
  rules: readonly QualityRule[];
}

/** A reference interval for a group of records, e.g. p5..p95 of $/sqft in one ZIP. */
export interface ReferenceRange {
  low: number;
  high: number;
  median?: number;
  sampleSize?: number;
}

export interface QualityContext {
  /** The clock for "currentYear" and "today". Default: the time of the call. */
  now?: Date;
  /** Reference maps by name, keyed by group (e.g. ZIP). */
  references?: Readonly<Record<string, ReadonlyMap<string, ReferenceRange>>>;
}

export type RuleStatus = "passed" | "failed" | "not_evaluated";

export interface RuleResult {
  ruleId: string;
  expectation: Expectation;
  severity: Severity;
  status: RuleStatus;
  /** False only for "failed": a rule that could not be evaluated (missing value, no reference) never fails. */
  passed: boolean;
  message: string;
  /** The value(s) the rule looked at, for the quarantine record and UI. */
  observed: unknown;
}

export interface RecordValidation {
  /** False when any error-severity rule failed: the caller quarantines the record. */
  passed: boolean;
  results: RuleResult[];
  /** Every failed rule, errors and warnings, in suite order. */
  failures: RuleResult[];
  errorCount: number;
  warningCount: number;
}

export interface RuleStatistics {
  ruleId: string;
  expectation: Expectation;
  severity: Severity;
  evaluated: number;
  passed: number;
  failed: number;
  notEvaluated: number;
  /** passed / evaluated; null when no record could be evaluated. */
  passRate: number | null;
}

export interface BatchValidation {
  suiteId: string;
  /** True when no record failed an error-severity rule. */
  success: boolean;
  evaluatedAt: string;
  records: (RecordValidation & { index: number })[];
  rules: RuleStatistics[];
  statistics: {
    records: number;
    passed: number;
    quarantined: number;
    withWarnings: number;
    /** passed / records; null for an empty batch. */
    passRate: number | null;
  };
}
