/**
 * CPU cost of a valuation with an AVM artifact, in this process (the Worker runs the same code):
 *   node scripts/avm-cost.ts [models/avm-v2.json]
 * Values the first 300 January 2015 sales of the KC file from the 200 nearest earlier sales (as avm:eval does) and
 * prints the process CPU time per valueProperty call and per predictGbt call (the trees alone), three rounds.
 */
import { readFileSync } from "node:fs";
import { EMPTY_NEIGHBOURHOOD, modelFeatures } from "../src/domain/features/index.ts";
import { attributesOf, candidatesAsOf } from "../src/domain/valuation/backtest.ts";
import { predictGbt } from "../src/domain/valuation/gbt.ts";
import type { AvmModel } from "../src/domain/valuation/model.ts";
import { valueProperty } from "../src/domain/valuation/value.ts";
import { parseKcCsv } from "./lib/kc-csv.ts";

const model = JSON.parse(readFileSync(process.argv[2] ?? "models/avm-v2.json", "utf8")) as AvmModel;
const all = parseKcCsv(readFileSync("data/kc/kc_house_sales_2014-05_2015-01.csv", "utf8"));
const hist = all.filter((s) => s.closingDate < "2015-01-01");
const subj = all.filter((s) => s.closingDate >= "2015-01-01").slice(0, 300);
const cands = candidatesAsOf(hist, subj);
const rows = subj.map(
  (s) =>
    modelFeatures(attributesOf(s), {
      asOfDate: s.closingDate,
      zipEffects: model.zipEffects,
      imputation: model.imputation,
      neighbourhood: EMPTY_NEIGHBOURHOOD,
    }).values,
);
const cpu = () => process.cpuUsage().user / 1000;
for (let rep = 0; rep < 3; rep++) {
  let t = cpu();
  let checksum = 0;
  subj.forEach((s, i) => {
    checksum += valueProperty(attributesOf(s), cands[i] ?? [], model, s.closingDate).estimate;
  });
  const v = (cpu() - t) / subj.length;
  t = cpu();
  for (let k = 0; k < 10; k++) for (const x of rows) checksum += predictGbt(model.gbt, x);
  const p = (cpu() - t) / (10 * rows.length);
  console.log(
    `${model.gbt.trees.length} trees: valueProperty ${v.toFixed(3)} ms CPU/call (200 candidates); predictGbt ${p.toFixed(4)} ms CPU/call (checksum ${checksum.toFixed(0)})`,
  );
}
