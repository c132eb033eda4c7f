import type { SoldProperty } from "../../src/domain/features/index.ts";
import type { AvmModel } from "../../src/domain/valuation/index.ts";
import {
  type AccuracyMetrics,
  accuracyMetrics,
  type BacktestOptions,
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

export const DEFAULT_MODEL_PATH = "models/avm-v2.json";

export interface EvaluationPlan {
  data:
    | { kind: "files"; trainPath: string; testPath: string }
    | { kind: "split"; path: string; splitDate: string };
  modelPath: string;
  retrain: boolean;
  /** Candidates of each valuation: the nearest sales (SQL path) or the most similar ones (vector index path). */
  candidates: "nearest" | "similar";
  trees?: number;
  savePath?: string;
}

const USAGE =
  "usage: avm-eval.ts --train <csv> --test <csv> [--model <json> | --retrain [--trees N] [--save <json>]]" +
  " | --data <csv> --split-date <YYYY-MM-DD> [...]; [--candidates nearest|similar]";

/** What scripts/avm-eval.ts is asked to do; a usage error names the bad option. */
export function evaluationPlan(args: ReadonlyMap<string, string>): EvaluationPlan {
  const known = new Set([
    "train",
    "test",
    "data",
    "split-date",
    "model",
    "retrain",
    "trees",
    "save",
    "candidates",
  ]);
  const candidates = args.get("candidates") ?? "nearest";
  if (candidates !== "nearest" && candidates !== "similar")
    throw new Error(`--candidates is nearest or similar; ${USAGE}`);
  for (const name of args.keys()) if (!known.has(name)) throw new Error(`unknown option --${name}; ${USAGE}`);
  const retrain = args.get("retrain") === "true";
  if (args.has("retrain") && !retrain) throw new Error(`--retrain takes no value; ${USAGE}`);
  if (retrain && args.has("model")) throw new Error(`--retrain trains its own model: drop --model; ${USAGE}`);
  if (!retrain && (args.has("trees") || args.has("save")))
    throw new Error(`--trees and --save apply to --retrain only; ${USAGE}`);
  let trees: number | undefined;
  if (args.has("trees")) {
    trees = Number(args.get("trees"));
    if (!Number.isInteger(trees) || trees < 1) throw new Error(`--trees is a positive integer; ${USAGE}`);
  }
  const splitDate = args.get("split-date");
  let data: EvaluationPlan["data"];
  if (splitDate !== undefined) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(splitDate)) throw new Error(`--split-date is YYYY-MM-DD; ${USAGE}`);
    const path = args.get("data") ?? args.get("train") ?? args.get("test");
    if (path === undefined) throw new Error(`--split-date needs --data <csv>; ${USAGE}`);
    data = { kind: "split", path, splitDate };
  } else {
    const trainPath = args.get("train");
    const testPath = args.get("test");
    if (trainPath === undefined || testPath === undefined) throw new Error(USAGE);
    data = { kind: "files", trainPath, testPath };
  }
  return {
    data,
    modelPath: args.get("model") ?? DEFAULT_MODEL_PATH,
    retrain,
    candidates,
    ...(trees !== undefined ? { trees } : {}),
    ...(args.has("save") ? { savePath: args.get("save") as string } : {}),
  };
}

/** Why `model` may not be evaluated on `testSales` (it saw sales of the test period), or null. */
export function leakedTraining(model: AvmModel, testSales: readonly SoldProperty[]): string | null {
  const testFrom = testSales.reduce<string | null>(
    (first, sale) => (first === null || sale.closingDate < first ? sale.closingDate : first),
    null,
  );
  if (testFrom === null || model.training.to < testFrom) return null;
  return `model ${model.modelVersion} was trained on sales through ${model.training.to}, not before the test period (${testFrom})`;
}

function byDate(a: SoldProperty, b: SoldProperty): number {
  return a.closingDate < b.closingDate ? -1 : a.closingDate > b.closingDate ? 1 : 0;
}

/** Runs the temporal backtest and formats the report printed by scripts/avm-eval.ts. */
export function runEvaluation(
  trainSales: readonly SoldProperty[],
  testSales: readonly SoldProperty[],
  model: AvmModel,
  options: BacktestOptions = {},
): EvaluationReport {
  const test = [...testSales].sort(byDate);
  const train = [...trainSales].sort(byDate);
  const testFrom = test[0]?.closingDate ?? "";
  const testTo = test[test.length - 1]?.closingDate ?? "";
  const leak = leakedTraining(model, test);
  const started = Date.now();
  const records = backtest(train, test, model, options);
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
  const compsOnly = accuracyMetrics(
    records.map((record) => ({
      price: record.sale.closingPrice,
      estimate: record.valuation?.diagnostics.compsEstimate ?? null,
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
    `test: ${test.length} sales ${testFrom}..${testTo}, each valued from sales strictly before its date (candidates: ${options.candidateOrder ?? "nearest"})`,
    `valued:         ${metrics.valued}/${metrics.count}`,
    `hit rate:       ${percent(metrics.hitRate)}`,
    `MdAPE:          ${percent(metrics.mdape)}`,
    `PPE10:          ${percent(metrics.ppe10)}`,
    `PPE20:          ${percent(metrics.ppe20)}`,
    `FSD calibration (price within estimate ± FSD): ${percent(metrics.fsdCoverage)} (median FSD ${percent(metrics.medianFsd)}; ~68% is honest)`,
    `confidence bands: ${[...bands.entries()].map(([band, count]) => `${band} ${count}`).join(", ")}`,
    `learned model before the comps blend: MdAPE ${percent(modelOnly.mdape)}, PPE10 ${percent(modelOnly.ppe10)}, PPE20 ${percent(modelOnly.ppe20)}`,
    `adjusted-comps estimate alone: MdAPE ${percent(compsOnly.mdape)}, PPE10 ${percent(compsOnly.ppe10)}, hit rate ${percent(compsOnly.hitRate)}`,
    `elapsed ${((Date.now() - started) / 1000).toFixed(1)}s`,
  ];
  if (leak !== null) lines.push(`ERROR: ${leak}`);
  return { metrics, records, lines, ok: leak === null };
}
