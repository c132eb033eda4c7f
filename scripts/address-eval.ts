/**
 * Scores parseAddress against the usaddress labelled data.
 *
 *   ./node_modules/.bin/node scripts/address-eval.ts data/address/usaddress_training_labeled.xml [--split heldout|dev|all] [--show-failures N]
 *
 * The default split is heldout. Split rule: scripts/lib/labelled-addresses.ts. Comparison rule:
 * scripts/lib/address-scoring.ts. --show-failures refuses to print held-out failures, so that nobody tunes on them.
 */
import { readFileSync } from "node:fs";
import { type EvaluationResult, evaluateParser } from "./lib/address-scoring.ts";
import { parseLabelledXml, type SplitName, selectSplit } from "./lib/labelled-addresses.ts";

const SPLITS: readonly SplitName[] = ["heldout", "dev", "all"];

function percent(part: number, whole: number): string {
  return whole === 0 ? "n/a" : `${((100 * part) / whole).toFixed(1)}%`;
}

export function formatReport(split: SplitName, result: EvaluationResult): string {
  const lines = [
    `split: ${split}`,
    `addresses: ${result.addresses}`,
    `fully right: ${result.fullyRight} (${percent(result.fullyRight, result.addresses)})`,
    "",
    "tag                         labelled  predicted  matched  precision  recall",
  ];
  for (const score of result.tagScores) {
    lines.push(
      [
        score.tag.padEnd(26),
        String(score.labelled).padStart(9),
        String(score.predicted).padStart(10),
        String(score.matched).padStart(8),
        percent(score.matched, score.predicted).padStart(10),
        percent(score.matched, score.labelled).padStart(7),
      ].join(" "),
    );
  }
  return lines.join("\n");
}

function main(argv: readonly string[]): number {
  const xmlPath = argv[0];
  let split: SplitName = "heldout";
  let failuresToShow = 0;
  for (let index = 1; index < argv.length; index++) {
    const argument = argv[index];
    const value = argv[index + 1];
    if (argument === "--split" && SPLITS.includes(value as SplitName)) {
      split = value as SplitName;
      index++;
    } else if (argument === "--show-failures" && value !== undefined && /^\d+$/.test(value)) {
      failuresToShow = Number(value);
      index++;
    } else {
      console.error(`unknown or incomplete argument: ${argument}`);
      return 2;
    }
  }
  if (xmlPath === undefined) {
    console.error("usage: address-eval.ts <labelled.xml> [--split heldout|dev|all] [--show-failures N]");
    return 2;
  }
  const addresses = selectSplit(parseLabelledXml(readFileSync(xmlPath, "utf8")), split);
  const result = evaluateParser(addresses);
  console.log(formatReport(split, result));
  if (failuresToShow > 0) {
    if (split !== "dev") {
      console.error("--show-failures is only allowed with --split dev");
      return 2;
    }
    for (const failure of result.failures.slice(0, failuresToShow)) {
      console.log(`\n${failure.raw}`);
      for (const tag of new Set([...Object.keys(failure.expected), ...Object.keys(failure.actual)])) {
        if (failure.expected[tag] !== failure.actual[tag]) {
          console.log(
            `  ${tag}: expected ${failure.expected[tag] ?? "-"}, got ${failure.actual[tag] ?? "-"}`,
          );
        }
      }
    }
  }
  return 0;
}

process.exitCode = main(process.argv.slice(2));
