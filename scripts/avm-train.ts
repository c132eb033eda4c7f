/**
 * Trains the AVM and writes the versioned JSON artifact.
 *   node scripts/avm-train.ts [--train <csv>] [--out models/avm-v1.json] [--until 2014-11-30] [--trees N]
 *     [--version avm-v1] [--created-at <ISO timestamp, for a byte-identical artifact>]
 * Default training data: the project's King County CSV restricted to sales through 2014-11-30, so
 * the Dec 2014 / Jan 2015 sales stay an untouched temporal holdout.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { DEFAULT_TRAINING_OPTIONS, trainAvm } from "../src/domain/valuation/train.ts";
import { parseArgs } from "./lib/args.ts";
import { parseKcCsv } from "./lib/kc-csv.ts";

const DEFAULT_TRAIN_CSV = "data/kc/kc_house_sales_2014-05_2015-01.csv";
const DEFAULT_UNTIL = "2014-11-30";

const args = parseArgs(process.argv.slice(2));
const trainPath = args.get("train") ?? DEFAULT_TRAIN_CSV;
// The full KC file includes the holdout, so it is cut at 2014-11-30 unless --until says otherwise.
const until = args.get("until") ?? (args.has("train") ? undefined : DEFAULT_UNTIL);
const outPath = args.get("out") ?? "models/avm-v1.json";
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
