// How rules read raw values (CSV text or JSON scalars) and phrase their outcomes: shared by the expectation
// evaluators, the suite check and the batch's uniqueness index.
import type { NumericBound, ProspectRecord, RuleCondition, RuleStatus } from "./types.ts";

export interface Outcome {
  status: RuleStatus;
  message: string;
  observed: unknown;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isMissing(value: unknown): boolean {
  return value === null || value === undefined || (typeof value === "string" && value.trim() === "");
}

/** Numbers, and numeric strings as raw CSV input carries them; null for anything else. */
export function toNumber(value: unknown): number | null {
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "string" && value.trim() !== "") {
    const parsed = Number(value.trim());
    return Number.isFinite(parsed) ? parsed : null;
  }
  return null;
}

export function display(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

export function passed(message: string, observed: unknown): Outcome {
  return { status: "passed", message, observed };
}

export function failed(message: string, observed: unknown): Outcome {
  return { status: "failed", message, observed };
}

export function notEvaluated(message: string, observed: unknown = null): Outcome {
  return { status: "not_evaluated", message, observed };
}

export function missing(column: string): Outcome {
  return notEvaluated(`${column} is missing`);
}

export function notANumber(column: string, value: unknown): Outcome {
  return failed(`${column} ${display(value)} is not a number`, value);
}

export function resolveBound(bound: NumericBound, now: Date): number {
  return bound === "currentYear" ? now.getUTCFullYear() : bound;
}

function todayUtc(now: Date): string {
  return now.toISOString().slice(0, 10);
}

export function resolveDate(bound: string, now: Date): string {
  return bound === "today" ? todayUtc(now) : bound;
}

export function isValidIsoDate(value: string): boolean {
  const match = ISO_DATE.exec(value);
  if (match === null) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

export function matchesCondition(record: ProspectRecord, condition: RuleCondition): boolean {
  const value = record[condition.column] ?? null;
  return condition.in.includes(value);
}

export function uniqueKey(value: unknown): string {
  return typeof value === "string" ? value.trim() : String(value);
}

/** Floating-point-safe multiple test: 2.5 is a multiple of 0.5, 0.30000000000000004 of 0.1. */
export function isMultipleOf(value: number, step: number): boolean {
  const quotient = value / step;
  return Math.abs(quotient - Math.round(quotient)) < 1e-9 * Math.max(1, Math.abs(quotient));
}
