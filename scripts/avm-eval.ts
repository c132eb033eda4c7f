/**
 * Temporal backtest of the AVM with the same valueProperty code the Worker runs.
 *   node scripts/avm-eval.ts --train <csv> --test <csv> [--model models/avm-v1.json]
 *   node scripts/avm-eval.ts --data <csv> --split-date 2014-12-01 [--model ...]
 * Every test sale is valued as of its closing date from sales strictly before it (train + earlier
 * test sales). The model must have been trained only on data before the test period; this is checked.
 */
import { readFileSync } from "node:fs";
import type { AvmModel } from "../src/domain/valuation/index.ts";
import { parseArgs } from "./lib/args.ts";
import { runEvaluation } from "./lib/avm-eval.ts";
import { parseKcCsv } from "./lib/kc-csv.ts";

const args = parseArgs(process.argv.slice(2));
const modelPath = args.get("model") ?? "models/avm-v1.json";
const splitDate = args.get("split-date");
const single =
  args.get("data") ?? (splitDate !== undefined ? (args.get("train") ?? args.get("test")) : undefined);

let trainSales: ReturnType<typeof parseKcCsv>;
let testSales: ReturnType<typeof parseKcCsv>;
if (splitDate !== undefined) {
  if (single === undefined)
    throw new Error("--split-date needs --data <csv> (or a single --train/--test file)");
  const all = parseKcCsv(readFileSync(single, "utf8"));
  trainSales = all.filter((sale) => sale.closingDate < splitDate);
  testSales = all.filter((sale) => sale.closingDate >= splitDate);
} else {
  const trainPath = args.get("train");
  const testPath = args.get("test");
  if (trainPath === undefined || testPath === undefined) {
    throw new Error(
      "usage: avm-eval.ts --train <csv> --test <csv> [--model <json>] | --data <csv> --split-date <date>",
    );
  }
  trainSales = parseKcCsv(readFileSync(trainPath, "utf8"));
  testSales = parseKcCsv(readFileSync(testPath, "utf8"));
}
const model = JSON.parse(readFileSync(modelPath, "utf8")) as AvmModel;
const report = runEvaluation(trainSales, testSales, model);
for (const line of report.lines) console.log(line);
if (!report.ok) process.exitCode = 1;
