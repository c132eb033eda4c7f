import type { SoldProperty } from "../../src/domain/features/index.ts";
import type { AvmModel } from "../../src/domain/valuation/index.ts";
import {
  type AccuracyMetrics,
  accuracyMetrics,
  type BacktestRecord,
  backtest,
} from "../../src/domain/valuation/index.ts";

export interface EvaluationReport {
  metrics: AccuracyMetrics;
  records: BacktestRecord[];
  lines: string[];
  /** False when the model saw data from the test period (the numbers would be leaked). */
  ok: boolean;
}

const percent = (value: number) => `${(100 * value).toFixed(2)}%`;

function byDate(a: SoldProperty, b: SoldProperty): number {
  return a.closingDate < b.closingDate ? -1 : a.closingDate > b.closingDate ? 1 : 0;
}

/** Runs the temporal backtest and formats the report printed by scripts/avm-eval.ts. */
export function runEvaluation(
  trainSales: readonly SoldProperty[],
  testSales: readonly SoldProperty[],
  model: AvmModel,
): EvaluationReport {
  const test = [...testSales].sort(byDate);
  const train = [...trainSales].sort(byDate);
  const testFrom = test[0]?.closingDate ?? "";
  const testTo = test[test.length - 1]?.closingDate ?? "";
  const leaked = test.length > 0 && model.training.to >= testFrom;
  const started = Date.now();
  const records = backtest(train, test, model);
  const metrics = accuracyMetrics(
    records.map((record) => ({
      price: record.sale.closingPrice,
      estimate: record.valuation?.estimate ?? null,
      fsd: record.valuation?.fsd ?? null,
    })),
  );
  const modelOnly = accuracyMetrics(
    records.map((record) => ({
      price: record.sale.closingPrice,
      estimate: record.valuation?.diagnostics.modelEstimate ?? null,
      fsd: null,
    })),
  );
  const bands = new Map<string, number>();
  for (const record of records) {
    const band = record.valuation?.confidenceBand ?? "not valued";
    bands.set(band, (bands.get(band) ?? 0) + 1);
  }
  const lines = [
    `model ${model.modelVersion} (features ${model.featureVersion}), trained on ${model.training.from}..${model.training.to} (${model.training.sales} sales)`,
    `history (train): ${train.length} sales ${train[0]?.closingDate ?? "-"}..${train[train.length - 1]?.closingDate ?? "-"}`,
    `test: ${test.length} sales ${testFrom}..${testTo}, each valued from sales strictly before its date`,
    `valued:         ${metrics.valued}/${metrics.count}`,
    `hit rate:       ${percent(metrics.hitRate)}`,
    `MdAPE:          ${percent(metrics.mdape)}`,
    `PPE10:          ${percent(metrics.ppe10)}`,
    `PPE20:          ${percent(metrics.ppe20)}`,
    `FSD calibration (price within estimate ± FSD): ${percent(metrics.fsdCoverage)} (median FSD ${percent(metrics.medianFsd)}; ~68% is honest)`,
    `confidence bands: ${[...bands.entries()].map(([band, count]) => `${band} ${count}`).join(", ")}`,
    `learned model before the comps blend: MdAPE ${percent(modelOnly.mdape)}, PPE10 ${percent(modelOnly.ppe10)}, PPE20 ${percent(modelOnly.ppe20)}`,
    `elapsed ${((Date.now() - started) / 1000).toFixed(1)}s`,
  ];
  if (leaked)
    lines.push(
      `ERROR: model training data ends ${model.training.to}, not before the test period (${testFrom})`,
    );
  return { metrics, records, lines, ok: !leaked };
}
