// The pure part of `npm run avm:monitor`: served valuations (valuation_log) against the sale prices that arrived
// later, summarized per model version with the backtest's accuracy metrics.
import { type AccuracyMetrics, accuracyMetrics } from "../../src/domain/valuation/index.ts";
import { VALUATION_LOG_RETENTION_DAYS } from "../../src/services/retention.ts";

/** `--days`: how far back to look, 365 by default and at most valuation_log's retention (docs/retention.md). */
export function monitorDays(value: string | undefined): number {
  const days = Number(value ?? VALUATION_LOG_RETENTION_DAYS);
  if (!Number.isInteger(days) || days < 1 || days > VALUATION_LOG_RETENTION_DAYS) {
    throw new Error(
      `--days is a whole number from 1 to ${VALUATION_LOG_RETENTION_DAYS} (valuation_log keeps ` +
        `${VALUATION_LOG_RETENTION_DAYS} days)`,
    );
  }
  return days;
}

export interface ValuationOutcome {
  modelVersion: string;
  estimate: number;
  fsd: number;
  /** The closing price of the sale that followed the valuation. */
  salePrice: number;
}

export interface ModelVersionReport extends AccuracyMetrics {
  modelVersion: string;
}

export function monitorReport(outcomes: readonly ValuationOutcome[]): ModelVersionReport[] {
  const byVersion = new Map<string, ValuationOutcome[]>();
  for (const outcome of outcomes) {
    if (!(outcome.salePrice > 0) || !(outcome.estimate > 0)) continue;
    const list = byVersion.get(outcome.modelVersion) ?? [];
    list.push(outcome);
    byVersion.set(outcome.modelVersion, list);
  }
  return [...byVersion]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([modelVersion, list]) => ({
      modelVersion,
      ...accuracyMetrics(
        list.map((item) => ({ price: item.salePrice, estimate: item.estimate, fsd: item.fsd })),
      ),
    }));
}

const percent = (value: number) => (Number.isFinite(value) ? `${(value * 100).toFixed(1)}%` : "n/a");

/** A fixed-width table: MdAPE, PPE10 and FSD coverage (share of sales within estimate ± FSD; ~68% is honest). */
export function formatMonitorReport(reports: readonly ModelVersionReport[]): string {
  if (reports.length === 0) return "no served valuation has a later sale yet";
  const header = ["model version", "sales", "MdAPE", "PPE10", "coverage"];
  const rows = reports.map((report) => [
    report.modelVersion,
    String(report.valued),
    percent(report.mdape),
    percent(report.ppe10),
    percent(report.fsdCoverage),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}
