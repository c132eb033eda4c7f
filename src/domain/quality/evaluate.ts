// Interprets an expectation suite against records. Every rule runs on every record (no short-circuit), so a
// quarantined record carries all of its problems at once and the uploader can fix them in one pass.
//
// Missing values: only not_null fails on them. Every other expectation reports "not_evaluated", as Great
// Expectations excludes nulls from its other expectations; whether a field is required is not_null's job.

import type {
  BatchValidation,
  ColumnPairGreaterOrEqualRule,
  DateBetweenRule,
  ExpectationSuite,
  NumericBound,
  ProspectRecord,
  QualityContext,
  QualityRule,
  RecordValidation,
  RuleCondition,
  RuleResult,
  RuleStatistics,
  RuleStatus,
  Severity,
  WithinReferenceRangeRule,
} from "./types.ts";

/** Per-batch state for batch-level rules: for each unique rule, the index of each value's first record. */
interface BatchState {
  index: number;
  firstIndexByRule: Map<string, Map<string, number>>;
}

interface Outcome {
  status: RuleStatus;
  message: string;
  observed: unknown;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isMissing(value: unknown): boolean {
  return value === null || value === undefined || (typeof value === "string" && value.trim() === "");
}

/** Numbers, and numeric strings as raw CSV input carries them; null for anything else. */
function toNumber(value: unknown): number | null {
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "string" && value.trim() !== "") {
    const parsed = Number(value.trim());
    return Number.isFinite(parsed) ? parsed : null;
  }
  return null;
}

function display(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

function passed(message: string, observed: unknown): Outcome {
  return { status: "passed", message, observed };
}

function failed(message: string, observed: unknown): Outcome {
  return { status: "failed", message, observed };
}

function notEvaluated(message: string, observed: unknown = null): Outcome {
  return { status: "not_evaluated", message, observed };
}

function missing(column: string): Outcome {
  return notEvaluated(`${column} is missing`);
}

function notANumber(column: string, value: unknown): Outcome {
  return failed(`${column} ${display(value)} is not a number`, value);
}

function resolveBound(bound: NumericBound, now: Date): number {
  return bound === "currentYear" ? now.getUTCFullYear() : bound;
}

function todayUtc(now: Date): string {
  return now.toISOString().slice(0, 10);
}

function resolveDate(bound: string, now: Date): string {
  return bound === "today" ? todayUtc(now) : bound;
}

function isValidIsoDate(value: string): boolean {
  const match = ISO_DATE.exec(value);
  if (match === null) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function matchesCondition(record: ProspectRecord, condition: RuleCondition): boolean {
  const value = record[condition.column] ?? null;
  return condition.in.includes(value);
}

function uniqueKey(value: unknown): string {
  return typeof value === "string" ? value.trim() : String(value);
}

/** Floating-point-safe multiple test: 2.5 is a multiple of 0.5, 0.30000000000000004 of 0.1. */
function isMultipleOf(value: number, step: number): boolean {
  const quotient = value / step;
  return Math.abs(quotient - Math.round(quotient)) < 1e-9 * Math.max(1, Math.abs(quotient));
}

function evaluateBetween(
  rule: Extract<QualityRule, { expectation: "between" }>,
  value: unknown,
  now: Date,
): Outcome {
  const number = toNumber(value);
  if (number === null) return notANumber(rule.column, value);
  if (rule.min !== undefined) {
    const min = resolveBound(rule.min, now);
    if (rule.strictMin ? number <= min : number < min) {
      return failed(
        `${rule.column} ${number} is ${rule.strictMin ? "not above" : "below"} the minimum ${min}`,
        number,
      );
    }
  }
  if (rule.max !== undefined) {
    const max = resolveBound(rule.max, now);
    if (rule.strictMax ? number >= max : number > max) {
      return failed(
        `${rule.column} ${number} is ${rule.strictMax ? "not below" : "above"} the maximum ${max}`,
        number,
      );
    }
  }
  return passed(`${rule.column} ${number} is within range`, number);
}

function evaluateDateBetween(rule: DateBetweenRule, value: unknown, now: Date): Outcome {
  if (typeof value !== "string" || !isValidIsoDate(value.trim())) {
    return failed(`${rule.column} ${display(value)} is not a valid YYYY-MM-DD date`, value);
  }
  const date = value.trim();
  // ISO dates compare correctly as strings.
  if (rule.min !== undefined && date < resolveDate(rule.min, now)) {
    return failed(`${rule.column} ${date} is before ${resolveDate(rule.min, now)}`, date);
  }
  if (rule.max !== undefined && date > resolveDate(rule.max, now)) {
    return failed(`${rule.column} ${date} is after ${resolveDate(rule.max, now)}`, date);
  }
  return passed(`${rule.column} ${date} is within range`, date);
}

function evaluateColumnPair(rule: ColumnPairGreaterOrEqualRule, record: ProspectRecord): Outcome {
  const larger = record[rule.column];
  const other = record[rule.otherColumn];
  if (isMissing(larger)) return missing(rule.column);
  if (isMissing(other)) return missing(rule.otherColumn);
  const largerNumber = toNumber(larger);
  if (largerNumber === null) return notANumber(rule.column, larger);
  const otherNumber = toNumber(other);
  if (otherNumber === null) return notANumber(rule.otherColumn, other);
  const divisor =
    rule.divideOtherBy === undefined ? 1 : Math.max(1, toNumber(record[rule.divideOtherBy]) ?? 1);
  const required = otherNumber / divisor;
  const observed = {
    [rule.column]: largerNumber,
    [rule.otherColumn]: otherNumber,
    ...(rule.divideOtherBy === undefined ? {} : { [rule.divideOtherBy]: divisor }),
    required,
  };
  const per = rule.divideOtherBy === undefined ? "" : ` / ${rule.divideOtherBy} ${divisor}`;
  if (largerNumber < required) {
    return failed(
      `${rule.column} ${largerNumber} is less than ${rule.otherColumn} ${otherNumber}${per}`,
      observed,
    );
  }
  return passed(
    `${rule.column} ${largerNumber} is at least ${rule.otherColumn} ${otherNumber}${per}`,
    observed,
  );
}

function evaluateReferenceRange(
  rule: WithinReferenceRangeRule,
  record: ProspectRecord,
  context: QualityContext,
): Outcome {
  const rawValue = record[rule.column];
  if (isMissing(rawValue)) return missing(rule.column);
  const numerator = toNumber(rawValue);
  if (numerator === null) return notANumber(rule.column, rawValue);
  let value = numerator;
  let label: string = rule.column;
  if (rule.per !== undefined) {
    const rawPer = record[rule.per];
    if (isMissing(rawPer)) return missing(rule.per);
    const denominator = toNumber(rawPer);
    if (denominator === null) return notANumber(rule.per, rawPer);
    if (denominator <= 0) return notEvaluated(`${rule.per} ${denominator} is not positive`, denominator);
    value = numerator / denominator;
    label = `${rule.column} per ${rule.per}`;
  }

  const rawKey = record[rule.keyColumn];
  if (isMissing(rawKey)) return missing(rule.keyColumn);
  const fullKey = String(rawKey).trim();
  const key = rule.keyLength === undefined ? fullKey : fullKey.slice(0, rule.keyLength);
  const reference = context.references?.[rule.reference]?.get(key);
  if (reference === undefined) {
    return notEvaluated(`no ${rule.reference} reference for ${rule.keyColumn} ${key}`, { value, key });
  }

  const tolerance = rule.tolerance ?? 0;
  const low = reference.low * (1 - tolerance);
  const high = reference.high * (1 + tolerance);
  const observed = {
    value,
    key,
    low: reference.low,
    high: reference.high,
    allowedLow: low,
    allowedHigh: high,
  };
  const rounded = Math.round(value * 100) / 100;
  if (value < low || value > high) {
    return failed(
      `${label} ${rounded} is far outside the ${rule.keyColumn} ${key} range ${reference.low}-${reference.high}`,
      observed,
    );
  }
  return passed(`${label} ${rounded} is within the ${rule.keyColumn} ${key} range`, observed);
}

function evaluateUnique(
  rule: Extract<QualityRule, { expectation: "unique_within_batch" }>,
  value: unknown,
  batch: BatchState | undefined,
): Outcome {
  const firstIndex = batch?.firstIndexByRule.get(rule.id)?.get(uniqueKey(value));
  if (batch === undefined || firstIndex === undefined) {
    return notEvaluated(`${rule.column} uniqueness is only checked across a batch`, value);
  }
  // The first occurrence is kept; later ones are the duplicates.
  if (firstIndex === batch.index) return passed(`${rule.column} is unique in the batch`, value);
  return failed(`${rule.column} duplicates record ${firstIndex} in this batch`, { value, firstIndex });
}

function evaluateColumnRule(
  rule: Exclude<QualityRule, ColumnPairGreaterOrEqualRule | WithinReferenceRangeRule>,
  record: ProspectRecord,
  now: Date,
  batch: BatchState | undefined,
): Outcome {
  const value = record[rule.column];
  if (rule.expectation === "not_null") {
    return isMissing(value)
      ? failed(`${rule.column} is required`, value ?? null)
      : passed(`${rule.column} is present`, value);
  }
  if (isMissing(value)) return missing(rule.column);
  switch (rule.expectation) {
    case "between":
      return evaluateBetween(rule, value, now);
    case "in_set": {
      const text = typeof value === "string" ? value.trim() : String(value);
      return rule.values.includes(text)
        ? passed(`${rule.column} ${display(text)} is allowed`, text)
        : failed(`${rule.column} ${display(value)} is not one of the allowed values`, value);
    }
    case "match_regex": {
      const text = typeof value === "string" ? value.trim() : String(value);
      return compiledPattern(rule).test(text)
        ? passed(`${rule.column} matches the expected format`, text)
        : failed(`${rule.column} ${display(value)} does not match the expected format`, value);
    }
    case "multiple_of": {
      const number = toNumber(value);
      if (number === null) return notANumber(rule.column, value);
      return isMultipleOf(number, rule.step)
        ? passed(`${rule.column} ${number} is a multiple of ${rule.step}`, number)
        : failed(`${rule.column} ${number} is not a multiple of ${rule.step}`, number);
    }
    case "date_between":
      return evaluateDateBetween(rule, value, now);
    case "unique_within_batch":
      return evaluateUnique(rule, value, batch);
  }
}

const patternCache = new WeakMap<object, RegExp>();

function compiledPattern(rule: Extract<QualityRule, { expectation: "match_regex" }>): RegExp {
  let pattern = patternCache.get(rule);
  if (pattern === undefined) {
    // Drop stateful flags: a global regex's lastIndex would make test() alternate between records.
    pattern = new RegExp(rule.pattern, (rule.flags ?? "").replace(/[gy]/g, ""));
    patternCache.set(rule, pattern);
  }
  return pattern;
}

function evaluateRule(
  rule: QualityRule,
  record: ProspectRecord,
  context: QualityContext,
  now: Date,
  batch: BatchState | undefined,
): RuleResult {
  const severity: Severity = rule.severity ?? "error";
  let outcome: Outcome;
  if (rule.when !== undefined && !matchesCondition(record, rule.when)) {
    outcome = notEvaluated(`does not apply: ${rule.when.column} is not ${rule.when.in.join(" or ")}`);
  } else if (rule.unless !== undefined && matchesCondition(record, rule.unless)) {
    outcome = notEvaluated(`exempt: ${rule.unless.column} is ${display(record[rule.unless.column])}`);
  } else if (rule.expectation === "column_pair_greater_or_equal") {
    outcome = evaluateColumnPair(rule, record);
  } else if (rule.expectation === "within_reference_range") {
    outcome = evaluateReferenceRange(rule, record, context);
  } else {
    outcome = evaluateColumnRule(rule, record, now, batch);
  }
  return {
    ruleId: rule.id,
    expectation: rule.expectation,
    severity,
    status: outcome.status,
    passed: outcome.status !== "failed",
    message: outcome.message,
    observed: outcome.observed,
  };
}

const validatedSuites = new WeakSet<object>();

/** Throws on a suite that cannot be evaluated (duplicate ids, bad patterns, nonsense bounds). */
export function assertValidSuite(suite: ExpectationSuite): void {
  if (validatedSuites.has(suite)) return;
  const problems: string[] = [];
  const ids = new Set<string>();
  for (const rule of suite.rules) {
    if (ids.has(rule.id)) problems.push(`duplicate rule id ${rule.id}`);
    ids.add(rule.id);
    if (rule.expectation === "match_regex") {
      try {
        compiledPattern(rule);
      } catch {
        problems.push(`${rule.id}: invalid pattern ${rule.pattern}`);
      }
    }
    if (rule.expectation === "multiple_of" && !(Number.isFinite(rule.step) && rule.step > 0)) {
      problems.push(`${rule.id}: step must be a positive number`);
    }
    if (rule.expectation === "between" && rule.min === undefined && rule.max === undefined) {
      problems.push(`${rule.id}: between needs min or max`);
    }
    if (rule.expectation === "date_between") {
      for (const bound of [rule.min, rule.max]) {
        if (bound !== undefined && bound !== "today" && !isValidIsoDate(bound)) {
          problems.push(`${rule.id}: invalid date bound ${bound}`);
        }
      }
    }
    if (rule.expectation === "within_reference_range" && rule.tolerance !== undefined) {
      if (!(rule.tolerance >= 0 && rule.tolerance < 1))
        problems.push(`${rule.id}: tolerance must be in [0, 1)`);
    }
  }
  if (problems.length > 0) throw new Error(`invalid expectation suite ${suite.id}: ${problems.join("; ")}`);
  validatedSuites.add(suite);
}

function summarize(results: RuleResult[]): RecordValidation {
  const failures = results.filter((result) => result.status === "failed");
  const errorCount = failures.filter((result) => result.severity === "error").length;
  return {
    passed: errorCount === 0,
    results,
    failures,
    errorCount,
    warningCount: failures.length - errorCount,
  };
}

/**
 * Evaluates one record. unique_within_batch rules report "not_evaluated" here; use evaluateBatch for them.
 */
export function evaluateRecord(
  record: ProspectRecord,
  suite: ExpectationSuite,
  context: QualityContext = {},
): RecordValidation {
  assertValidSuite(suite);
  const now = context.now ?? new Date();
  return summarize(suite.rules.map((rule) => evaluateRule(rule, record, context, now, undefined)));
}

/** Evaluates a batch: per-record results plus per-rule and whole-batch pass rates. */
export function evaluateBatch(
  records: readonly ProspectRecord[],
  suite: ExpectationSuite,
  context: QualityContext = {},
): BatchValidation {
  assertValidSuite(suite);
  const now = context.now ?? new Date();

  const firstIndexByRule = new Map<string, Map<string, number>>();
  for (const rule of suite.rules) {
    if (rule.expectation !== "unique_within_batch") continue;
    const firstIndex = new Map<string, number>();
    records.forEach((record, index) => {
      const value = record[rule.column];
      if (isMissing(value)) return;
      const key = uniqueKey(value);
      if (!firstIndex.has(key)) firstIndex.set(key, index);
    });
    firstIndexByRule.set(rule.id, firstIndex);
  }

  const validations = records.map((record, index) => {
    const batch: BatchState = { index, firstIndexByRule };
    const results = suite.rules.map((rule) => evaluateRule(rule, record, context, now, batch));
    return { index, ...summarize(results) };
  });

  const rules: RuleStatistics[] = suite.rules.map((rule, ruleIndex) => {
    let passedCount = 0;
    let failedCount = 0;
    let notEvaluatedCount = 0;
    for (const validation of validations) {
      const status = validation.results[ruleIndex]?.status;
      if (status === "passed") passedCount++;
      else if (status === "failed") failedCount++;
      else notEvaluatedCount++;
    }
    const evaluated = passedCount + failedCount;
    return {
      ruleId: rule.id,
      expectation: rule.expectation,
      severity: rule.severity ?? "error",
      evaluated,
      passed: passedCount,
      failed: failedCount,
      notEvaluated: notEvaluatedCount,
      passRate: evaluated === 0 ? null : passedCount / evaluated,
    };
  });

  const passedRecords = validations.filter((validation) => validation.passed).length;
  return {
    suiteId: suite.id,
    success: passedRecords === validations.length,
    evaluatedAt: now.toISOString(),
    records: validations,
    rules,
    statistics: {
      records: validations.length,
      passed: passedRecords,
      quarantined: validations.length - passedRecords,
      withWarnings: validations.filter((validation) => validation.warningCount > 0).length,
      passRate: validations.length === 0 ? null : passedRecords / validations.length,
    },
  };
}
