/**
 * Regenerates src/domain/address/usps-tables.ts from the USPS Publication 28 CSVs in data/usps/.
 * The Worker cannot read files at run time, so the tables are compiled into a TS module that the bundle includes.
 *
 *   ./node_modules/.bin/node scripts/generate-usps-tables.ts
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
const suffixCsvPath = "data/usps/street_suffixes_pub28_c1.csv";
const unitCsvPath = "data/usps/secondary_unit_designators_pub28_c2.csv";
const outputPath = "src/domain/address/usps-tables.ts";

function readCsvRows(relativePath: string, expectedHeader: string): string[][] {
  const lines = readFileSync(join(projectRoot, relativePath), "utf8")
    .split(/\r?\n/)
    .filter((line) => line !== "");
  const [header, ...body] = lines;
  if (header !== expectedHeader) throw new Error(`${relativePath}: unexpected header ${header}`);
  return body.map((line) => line.split(",").map((cell) => cell.trim().toUpperCase()));
}

const suffixVariantToStandard = new Map<string, string>();
const suffixStandardToPrimary = new Map<string, string>();
for (const [primary, variant, standard] of readCsvRows(
  suffixCsvPath,
  "primary_suffix_name,commonly_used,usps_standard_abbreviation",
)) {
  if (!primary || !variant || !standard) throw new Error(`${suffixCsvPath}: incomplete row`);
  const previous = suffixVariantToStandard.get(variant);
  // Appendix C1 lists "MDW" under both MEADOW (-> MDW) and MEADOWS (-> MDWS). A spelling that is itself a
  // standard abbreviation must map to itself, otherwise normalizing would not be idempotent.
  const keepPrevious = previous !== undefined && previous !== standard && previous === variant;
  if (!keepPrevious) suffixVariantToStandard.set(variant, standard);
  // The primary name is also a valid spelling even when the CSV does not list it as a variant.
  if (!suffixVariantToStandard.has(primary)) suffixVariantToStandard.set(primary, standard);
  suffixStandardToPrimary.set(standard, primary);
}

const unitDesignators: Array<{ name: string; abbreviation: string; requiresNumber: boolean }> = [];
for (const [name, abbreviation, requiresNumber] of readCsvRows(
  unitCsvPath,
  "designator,usps_abbreviation,requires_secondary_number",
)) {
  if (!name || !abbreviation || (requiresNumber !== "Y" && requiresNumber !== "N")) {
    throw new Error(`${unitCsvPath}: bad row`);
  }
  unitDesignators.push({ name, abbreviation, requiresNumber: requiresNumber === "Y" });
}

function sortedEntries(map: Map<string, string>): Array<[string, string]> {
  return [...map.entries()].sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));
}

const output = `// GENERATED FILE, do not edit by hand. Regenerate with: ./node_modules/.bin/node scripts/generate-usps-tables.ts
// Sources: ${suffixCsvPath} (USPS Publication 28 Appendix C1, via npm "street-types", MIT)
//          ${unitCsvPath} (USPS Publication 28 Appendix C2)
// Attribution and licences: data/usps/README.md

/** Every commonly used street suffix spelling (uppercase, no punctuation) to its USPS standard abbreviation. */
export const STREET_SUFFIX_TO_STANDARD: ReadonlyMap<string, string> = new Map([
${sortedEntries(suffixVariantToStandard)
  .map(([variant, standard]) => `  ["${variant}", "${standard}"],`)
  .join("\n")}
]);

/** USPS standard suffix abbreviation to the spelled-out primary suffix name. */
export const STREET_SUFFIX_STANDARD_TO_NAME: ReadonlyMap<string, string> = new Map([
${sortedEntries(suffixStandardToPrimary)
  .map(([standard, primary]) => `  ["${standard}", "${primary}"],`)
  .join("\n")}
]);

export interface SecondaryUnitDesignator {
  name: string;
  abbreviation: string;
  requiresNumber: boolean;
}

/** Secondary unit designators in Publication 28 order. */
export const SECONDARY_UNIT_DESIGNATORS: readonly SecondaryUnitDesignator[] = [
${unitDesignators
  .map(
    (unit) =>
      `  { name: "${unit.name}", abbreviation: "${unit.abbreviation}", requiresNumber: ${unit.requiresNumber} },`,
  )
  .join("\n")}
];
`;

writeFileSync(join(projectRoot, outputPath), output);
console.log(
  `wrote ${outputPath}: ${suffixVariantToStandard.size} suffix spellings, ${unitDesignators.length} unit designators`,
);
