import { SECONDARY_UNIT_DESIGNATORS, STREET_SUFFIX_TO_STANDARD } from "./usps-tables.ts";

/** Spelled-out and abbreviated directionals (uppercase, no periods) to their Publication 28 abbreviation. */
export const DIRECTIONAL_TO_ABBREVIATION: ReadonlyMap<string, string> = new Map([
  ["NORTH", "N"],
  ["SOUTH", "S"],
  ["EAST", "E"],
  ["WEST", "W"],
  ["NORTHEAST", "NE"],
  ["NORTHWEST", "NW"],
  ["SOUTHEAST", "SE"],
  ["SOUTHWEST", "SW"],
  ["NORTH EAST", "NE"],
  ["NORTH WEST", "NW"],
  ["SOUTH EAST", "SE"],
  ["SOUTH WEST", "SW"],
  ["N", "N"],
  ["S", "S"],
  ["E", "E"],
  ["W", "W"],
  ["NE", "NE"],
  ["NW", "NW"],
  ["SE", "SE"],
  ["SW", "SW"],
  ["N E", "NE"],
  ["N W", "NW"],
  ["S E", "SE"],
  ["S W", "SW"],
  ["NO", "N"],
  ["SO", "S"],
]);

/** Unit designator spellings (uppercase, no periods) to the Publication 28 abbreviation. */
export const UNIT_DESIGNATOR_TO_ABBREVIATION: ReadonlyMap<string, string> = new Map([
  ...SECONDARY_UNIT_DESIGNATORS.map((unit): [string, string] => [unit.name, unit.abbreviation]),
  ...SECONDARY_UNIT_DESIGNATORS.map((unit): [string, string] => [unit.abbreviation, unit.abbreviation]),
  // Frequent informal spellings that Appendix C2 does not list.
  ["APARTMENT", "APT"],
  ["AP", "APT"],
  ["BLD", "BLDG"],
  ["FLR", "FL"],
  ["SUIT", "STE"],
  ["SUTE", "STE"],
  ["RM", "RM"],
  ["NO", "#"],
  ["NUMBER", "#"],
  ["#", "#"],
]);

/** Street types that precede the name ("Avenue H", "Highway 9"), spelled out as Publication 28 writes them. */
export const PRE_TYPE_TO_STANDARD: ReadonlyMap<string, string> = new Map([
  ["AVENUE", "AVENUE"],
  ["AVE", "AVENUE"],
  ["AV", "AVENUE"],
  ["HIGHWAY", "HIGHWAY"],
  ["HWY", "HIGHWAY"],
  ["HWAY", "HIGHWAY"],
  ["HIWAY", "HIGHWAY"],
  ["HGHWY", "HIGHWAY"],
  ["ROUTE", "ROUTE"],
  ["RTE", "ROUTE"],
  ["RT", "ROUTE"],
  ["ROAD", "ROAD"],
  ["RD", "ROAD"],
  ["COUNTY", "COUNTY"],
  ["CNTY", "COUNTY"],
  ["CO", "COUNTY"],
  ["STATE", "STATE"],
  ["ST", "STATE"],
  ["US", "US"],
  ["INTERSTATE", "INTERSTATE"],
  ["I", "INTERSTATE"],
  ["FARM", "FARM"],
  ["FM", "FM"],
  ["SPUR", "SPUR"],
  ["LOOP", "LOOP"],
  ["STREET", "STREET"],
  ["PARKWAY", "PARKWAY"],
  ["PKWY", "PARKWAY"],
  ["TOLLWAY", "TOLLWAY"],
  ["FREEWAY", "FREEWAY"],
  ["FWY", "FREEWAY"],
  ["EXPRESSWAY", "EXPRESSWAY"],
  ["EXPY", "EXPRESSWAY"],
  ["SCENIC", "SCENIC"],
  ["NO", ""],
  ["NUMBER", ""],
]);

/** Spelled ordinals to numeric form, so "Fifth Ave" and "5th Ave" normalize alike. */
const ORDINAL_UNITS: ReadonlyArray<readonly [string, number]> = [
  ["FIRST", 1],
  ["SECOND", 2],
  ["THIRD", 3],
  ["FOURTH", 4],
  ["FIFTH", 5],
  ["SIXTH", 6],
  ["SEVENTH", 7],
  ["EIGHTH", 8],
  ["NINTH", 9],
];
const ORDINAL_TEENS: ReadonlyArray<readonly [string, number]> = [
  ["TENTH", 10],
  ["ELEVENTH", 11],
  ["TWELFTH", 12],
  ["THIRTEENTH", 13],
  ["FOURTEENTH", 14],
  ["FIFTEENTH", 15],
  ["SIXTEENTH", 16],
  ["SEVENTEENTH", 17],
  ["EIGHTEENTH", 18],
  ["NINETEENTH", 19],
];
const TENS: ReadonlyArray<readonly [string, string, number]> = [
  ["TWENTY", "TWENTIETH", 20],
  ["THIRTY", "THIRTIETH", 30],
  ["FORTY", "FORTIETH", 40],
  ["FIFTY", "FIFTIETH", 50],
  ["SIXTY", "SIXTIETH", 60],
  ["SEVENTY", "SEVENTIETH", 70],
  ["EIGHTY", "EIGHTIETH", 80],
  ["NINETY", "NINETIETH", 90],
];

function ordinalSuffix(value: number): string {
  const lastTwo = value % 100;
  if (lastTwo >= 11 && lastTwo <= 13) return "TH";
  const last = value % 10;
  if (last === 1) return "ST";
  if (last === 2) return "ND";
  if (last === 3) return "RD";
  return "TH";
}

function buildSpelledOrdinals(): Map<string, string> {
  const ordinals = new Map<string, string>();
  const add = (spelling: string, value: number) => ordinals.set(spelling, `${value}${ordinalSuffix(value)}`);
  for (const [word, value] of [...ORDINAL_UNITS, ...ORDINAL_TEENS]) add(word, value);
  for (const [tensWord, tensOrdinal, tensValue] of TENS) {
    add(tensOrdinal, tensValue);
    for (const [unitWord, unitValue] of ORDINAL_UNITS) {
      add(`${tensWord} ${unitWord}`, tensValue + unitValue);
      add(`${tensWord}-${unitWord}`, tensValue + unitValue);
    }
  }
  return ordinals;
}

/** "FIFTH" -> "5TH", "TWENTY-FIRST" / "TWENTY FIRST" -> "21ST" (uppercase keys). */
export const SPELLED_ORDINAL_TO_NUMERIC: ReadonlyMap<string, string> = buildSpelledOrdinals();

/** Lowercase, periods removed, trailing separators removed: the form used for table lookups. */
export function lookupKey(token: string): string {
  return token.toLowerCase().replace(/[.,;]/g, "");
}

export const SUFFIX_WORDS: ReadonlySet<string> = new Set(
  [...STREET_SUFFIX_TO_STANDARD.keys()].map((key) => key.toLowerCase()),
);
export const DIRECTIONAL_WORDS: ReadonlySet<string> = new Set(
  [...DIRECTIONAL_TO_ABBREVIATION.keys()].filter((key) => !key.includes(" ")).map((key) => key.toLowerCase()),
);
export const UNIT_WORDS: ReadonlySet<string> = new Set(
  [...UNIT_DESIGNATOR_TO_ABBREVIATION.keys()].map((key) => key.toLowerCase()),
);
export const SPELLED_ORDINAL_WORDS: ReadonlySet<string> = new Set(
  [...SPELLED_ORDINAL_TO_NUMERIC.keys()].filter((key) => !/[ -]/.test(key)).map((key) => key.toLowerCase()),
);
