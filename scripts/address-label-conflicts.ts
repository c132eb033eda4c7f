/**
 * Counts inconsistencies in the usaddress labels of the DEVELOPMENT split (the held-out split is not read), as a
 * bound on what any tagger can score on this data:
 *
 * - designators: a word tagged as a designator (OccupancyType, SubaddressType, USPSBoxType, USPSBoxGroupType) gets
 *   different designator tags in different addresses, in the same situation (the only designator of the address,
 *   or the first / a later one of several). Addresses using a minority convention are counted.
 * - duplicates: the same token sequence (case and punctuation ignored) labelled differently.
 *
 *   ./node_modules/.bin/node scripts/address-label-conflicts.ts [data/address/usaddress_training_labeled.xml]
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { tokenizeAddress } from "../src/domain/address/tokenize.ts";
import { lookupKey } from "../src/domain/address/vocabulary.ts";
import { parseLabelledXml, selectSplit } from "./lib/labelled-addresses.ts";

const DESIGNATOR_TAGS: ReadonlySet<string> = new Set([
  "OccupancyType",
  "SubaddressType",
  "USPSBoxType",
  "USPSBoxGroupType",
]);

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
const xmlPath =
  process.argv.slice(2).find((argument) => argument.endsWith(".xml")) ??
  join(projectRoot, "data/address/usaddress_training_labeled.xml");
const development = selectSplit(parseLabelledXml(readFileSync(xmlPath, "utf8")), "dev");

const tokenLists = development.map((address) =>
  address.tokens.flatMap((labelled) =>
    tokenizeAddress(labelled.text).map((text) => ({ word: lookupKey(text), tag: labelled.tag })),
  ),
);

// Designators: situation key -> tag -> addresses.
const designatorUses = new Map<string, Map<string, Set<number>>>();
tokenLists.forEach((tokens, addressIndex) => {
  const designators = tokens.filter((token) => DESIGNATOR_TAGS.has(token.tag));
  // Multi-token designators ("P O Box") count once, by their first word.
  const starts = designators.filter(
    (token, index) => index === 0 || designators[index - 1]?.tag !== token.tag,
  );
  starts.forEach((token, index) => {
    const situation = starts.length === 1 ? "only" : index === 0 ? "first" : "later";
    const key = `${token.word} (${situation})`;
    let byTag = designatorUses.get(key);
    if (byTag === undefined) {
      byTag = new Map();
      designatorUses.set(key, byTag);
    }
    let addresses = byTag.get(token.tag);
    if (addresses === undefined) {
      addresses = new Set();
      byTag.set(token.tag, addresses);
    }
    addresses.add(addressIndex);
  });
});
const minorityAddresses = new Set<number>();
const conflictLines: string[] = [];
for (const [key, byTag] of [...designatorUses].sort()) {
  if (byTag.size < 2) continue;
  const ranked = [...byTag].sort((a, b) => b[1].size - a[1].size || a[0].localeCompare(b[0]));
  for (const [, addresses] of ranked.slice(1))
    for (const address of addresses) minorityAddresses.add(address);
  conflictLines.push(`  ${key}: ${ranked.map(([tag, addresses]) => `${tag} ${addresses.size}`).join(", ")}`);
}

// Duplicates: same words, different tags.
const tagsByWords = new Map<string, Map<string, number[]>>();
tokenLists.forEach((tokens, addressIndex) => {
  const words = tokens.map((token) => token.word).join(" ");
  const tags = tokens.map((token) => token.tag).join(" ");
  let byTags = tagsByWords.get(words);
  if (byTags === undefined) {
    byTags = new Map();
    tagsByWords.set(words, byTags);
  }
  byTags.set(tags, [...(byTags.get(tags) ?? []), addressIndex]);
});
let duplicateMinority = 0;
for (const byTags of tagsByWords.values()) {
  if (byTags.size < 2) continue;
  const sizes = [...byTags.values()].map((addresses) => addresses.length).sort((a, b) => b - a);
  duplicateMinority += sizes.slice(1).reduce((sum, size) => sum + size, 0);
}

console.log(`${development.length} development addresses`);
console.log("designator words tagged differently in the same situation:");
console.log(conflictLines.join("\n"));
console.log(
  `addresses using a minority designator convention: ${minorityAddresses.size} ` +
    `(${((100 * minorityAddresses.size) / development.length).toFixed(1)}%)`,
);
console.log(
  `addresses duplicating another's words with different labels (minority side): ${duplicateMinority}`,
);
