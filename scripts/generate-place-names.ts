/**
 * Regenerates src/domain/address/place-names.ts, the US place-name gazetteer used as a tagger feature, from the
 * city column of data/geo/us_zip_county.csv (GeoNames, CC BY 4.0).
 *
 *   ./node_modules/.bin/node scripts/generate-place-names.ts
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { placeNameKey } from "../src/domain/address/place-name-key.ts";

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
const csvPath = "data/geo/us_zip_county.csv";
const outputPath = "src/domain/address/place-names.ts";

const [header, ...rows] = readFileSync(join(projectRoot, csvPath), "utf8")
  .split(/\r?\n/)
  .filter((line) => line !== "");
if (!header?.startsWith("zip,city,state,")) throw new Error(`${csvPath}: unexpected header ${header}`);
const names = new Set<string>();
for (const row of rows) {
  const city = row.split(",")[1] ?? "";
  // "Winston-Salem" is written both "Winston Salem" and "Winston-Salem" (one token).
  for (const variant of new Set([city.replace(/-/g, " "), city.replace(/-/g, "")])) {
    const key = variant
      .split(/\s+/)
      .map(placeNameKey)
      .filter((word) => word !== "")
      .join(" ");
    if (key.includes(" ")) names.add(key);
  }
}
const sorted = [...names].sort();
writeFileSync(
  join(projectRoot, outputPath),
  `// GENERATED FILE, do not edit by hand. Regenerate with: ./node_modules/.bin/node scripts/generate-place-names.ts
// The ${sorted.length} US place names of two or more words (city column of data/geo/us_zip_county.csv, GeoNames,
// CC BY 4.0), as space-separated word keys (see place-name-key.ts), "|"-separated.
export const PLACE_NAME_LIST =
  "${sorted.join("|")}";
`,
);
console.error(`wrote ${outputPath}: ${sorted.length} names`);
