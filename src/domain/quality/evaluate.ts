// Interprets an expectation suite against records. Every rule runs on every record (no short-circuit), so a
// quarantined record carries all of its problems at once and the uploader can fix them in one pass. The rules
// themselves are evaluated in expectations.ts.
import { type BatchState, evaluateRule } from "./expectations.ts";
import type {
  BatchValidation,
  ExpectationSuite,
  ProspectRecord,
  QualityContext,
  RecordValidation,
  RuleResult,
  RuleStatistics,
} from "./types.ts";
import { assertValidSuite } from "./validate-suite.ts";
import { isMissing, uniqueKey } from "./values.ts";

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
