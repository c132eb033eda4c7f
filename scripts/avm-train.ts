/**
 * Trains the AVM and writes the versioned JSON artifact.
 *   node scripts/avm-train.ts [--train <csv>] [--out models/avm-v2.json] [--until YYYY-MM-DD] [--trees N]
 *     [--version avm-v2] [--created-at <ISO timestamp, for a byte-identical artifact>]
 * Default training data: every sale of the project's King County CSV (through January 2015). The blend and the
 * FSD are still chosen time-forward, on the last two months valued from the earlier ones; out-of-time checks
 * train on less (`npm run avm:eval -- --retrain`, docs/valuation.md).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { DEFAULT_TRAINING_OPTIONS, trainAvm } from "../src/domain/valuation/train.ts";
import { parseArgs } from "./lib/args.ts";
import { parseKcCsv } from "./lib/kc-csv.ts";

const DEFAULT_TRAIN_CSV = "data/kc/kc_house_sales_2014-05_2015-01.csv";

const args = parseArgs(process.argv.slice(2));
const trainPath = args.get("train") ?? DEFAULT_TRAIN_CSV;
const until = args.get("until");
if (until !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(until)) throw new Error("--until is YYYY-MM-DD");
const outPath = args.get("out") ?? "models/avm-v2.json";
const trees = args.get("trees");

const started = Date.now();
const sales = parseKcCsv(readFileSync(trainPath, "utf8")).filter(
  (sale) => until === undefined || sale.closingDate <= until,
);
console.log(`training on ${sales.length} sales from ${trainPath}${until ? ` through ${until}` : ""}`);
const model = trainAvm(sales, {
  ...DEFAULT_TRAINING_OPTIONS,
  ...(args.has("version") ? { modelVersion: args.get("version") ?? "" } : {}),
  ...(args.has("created-at") ? { createdAt: args.get("created-at") ?? "" } : {}),
  gbt: { ...DEFAULT_TRAINING_OPTIONS.gbt, ...(trees ? { trees: Number(trees) } : {}) },
  log: (message) => console.log(message),
});
mkdirSync(dirname(outPath), { recursive: true });
const json = JSON.stringify(model);
writeFileSync(outPath, `${json}\n`);
console.log(
  `wrote ${outPath} (${(json.length / 1024).toFixed(0)} KiB, ${model.gbt.trees.length} trees) in ${((Date.now() - started) / 1000).toFixed(1)}s`,
);
