// The check a suite passes before any record is evaluated against it: every rule can be evaluated.
import { compiledPattern } from "./expectations.ts";
import type { ExpectationSuite } from "./types.ts";
import { isValidIsoDate } from "./values.ts";

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
