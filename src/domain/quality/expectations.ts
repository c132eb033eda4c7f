// One rule against one record: an evaluator per expectation, each answering passed, failed or not_evaluated with
// a message and what it observed. Missing values: only not_null fails on them. Every other expectation reports
// "not_evaluated", as Great Expectations excludes nulls from its other expectations; whether a field is required
// is not_null's job.
import type {
  ColumnPairGreaterOrEqualRule,
  DateBetweenRule,
  ProspectRecord,
  QualityContext,
  QualityRule,
  RuleResult,
  Severity,
  WithinReferenceRangeRule,
} from "./types.ts";
import {
  display,
  failed,
  isMissing,
  isMultipleOf,
  isValidIsoDate,
  matchesCondition,
  missing,
  notANumber,
  notEvaluated,
  type Outcome,
  passed,
  resolveBound,
  resolveDate,
  toNumber,
  uniqueKey,
} from "./values.ts";

/** Per-batch state for batch-level rules: for each unique rule, the index of each value's first record. */
export interface BatchState {
  index: number;
  firstIndexByRule: Map<string, Map<string, number>>;
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

export function compiledPattern(rule: Extract<QualityRule, { expectation: "match_regex" }>): RegExp {
  let pattern = patternCache.get(rule);
  if (pattern === undefined) {
    // Drop stateful flags: a global regex's lastIndex would make test() alternate between records.
    pattern = new RegExp(rule.pattern, (rule.flags ?? "").replace(/[gy]/g, ""));
    patternCache.set(rule, pattern);
  }
  return pattern;
}

export function evaluateRule(
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
