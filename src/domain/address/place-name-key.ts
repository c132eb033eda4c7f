/** Common abbreviations of the first word of place names ("St. Louis", "Mt. Vernon", "Ft. Worth"). */
const PLACE_WORD_ABBREVIATIONS: ReadonlyMap<string, string> = new Map([
  ["st", "saint"],
  ["ste", "sainte"],
  ["mt", "mount"],
  ["ft", "fort"],
]);

/** One word of a place name as the gazetteer stores it: lowercase letters and digits, abbreviations spelled out. */
export function placeNameKey(word: string): string {
  const key = word.toLowerCase().replace(/[^a-z0-9]/g, "");
  return PLACE_WORD_ABBREVIATIONS.get(key) ?? key;
}
