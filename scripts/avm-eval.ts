/**
 * Temporal backtest of the AVM with the same valueProperty code the Worker runs.
 *   node scripts/avm-eval.ts --train <csv> --test <csv> [--model models/avm-v2.json]
 *   node scripts/avm-eval.ts --data <csv> --split-date 2015-01-01 [--model ...]
 *   node scripts/avm-eval.ts --train <csv> --test <csv> --retrain [--trees N] [--save <json>]
 * Every test sale is valued as of its closing date from sales strictly before it (train + earlier test sales),
 * with the market series the cron would have written from those sales. Without --retrain the artifact is used
 * only when its training data ends before the test starts (exit code 1 otherwise); --retrain trains a model on
 * the --train sales first (the same training `npm run avm:train` runs) and evaluates that one.
 */
import { readFileSync, writeFileSync } from "node:fs";
import type { AvmModel } from "../src/domain/valuation/index.ts";
import { DEFAULT_TRAINING_OPTIONS, trainAvm } from "../src/domain/valuation/train.ts";
import { parseArgs } from "./lib/args.ts";
import { evaluationPlan, leakedTraining, runEvaluation } from "./lib/avm-eval.ts";
import { parseKcCsv } from "./lib/kc-csv.ts";

const plan = evaluationPlan(parseArgs(process.argv.slice(2)));
let trainSales: ReturnType<typeof parseKcCsv>;
let testSales: ReturnType<typeof parseKcCsv>;
if (plan.data.kind === "split") {
  const { path, splitDate } = plan.data;
  const all = parseKcCsv(readFileSync(path, "utf8"));
  trainSales = all.filter((sale) => sale.closingDate < splitDate);
  testSales = all.filter((sale) => sale.closingDate >= splitDate);
} else {
  trainSales = parseKcCsv(readFileSync(plan.data.trainPath, "utf8"));
  testSales = parseKcCsv(readFileSync(plan.data.testPath, "utf8"));
}

let model: AvmModel;
if (plan.retrain) {
  console.log(`retraining on ${trainSales.length} sales`);
  model = trainAvm(trainSales, {
    ...DEFAULT_TRAINING_OPTIONS,
    gbt: { ...DEFAULT_TRAINING_OPTIONS.gbt, ...(plan.trees !== undefined ? { trees: plan.trees } : {}) },
    log: (message) => console.log(message),
  });
  if (plan.savePath !== undefined) writeFileSync(plan.savePath, `${JSON.stringify(model)}\n`);
} else {
  model = JSON.parse(readFileSync(plan.modelPath, "utf8")) as AvmModel;
  const leak = leakedTraining(model, testSales);
  if (leak !== null) {
    console.error(`${leak}; evaluate it on later sales, or pass --retrain to train on --train first`);
    process.exit(1);
  }
}
const report = runEvaluation(trainSales, testSales, model, { candidateOrder: plan.candidates });
for (const line of report.lines) console.log(line);
if (!report.ok) process.exitCode = 1;
