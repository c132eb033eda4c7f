/**
 * Writes the temporal split of the KC sales file.
 *   node scripts/avm-split.ts [--data <csv>] [--split-date 2014-12-01] [--out-dir data/kc]
 * -> <out-dir>/kc_train_through_2014-11-30.csv and <out-dir>/kc_test_from_2014-12-01.csv
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "./lib/args.ts";
import { splitCsvByDate } from "./lib/split.ts";

const args = parseArgs(process.argv.slice(2));
const dataPath = args.get("data") ?? "data/kc/kc_house_sales_2014-05_2015-01.csv";
const splitDate = args.get("split-date") ?? "2014-12-01";
const outDir = args.get("out-dir") ?? "data/kc";
const { header, before, onOrAfter, lastBefore } = splitCsvByDate(readFileSync(dataPath, "utf8"), splitDate);
const trainPath = join(outDir, `kc_train_through_${lastBefore}.csv`);
const testPath = join(outDir, `kc_test_from_${splitDate}.csv`);
writeFileSync(trainPath, `${[header, ...before].join("\n")}\n`);
writeFileSync(testPath, `${[header, ...onOrAfter].join("\n")}\n`);
console.log(`${trainPath}: ${before.length} sales; ${testPath}: ${onOrAfter.length} sales`);
