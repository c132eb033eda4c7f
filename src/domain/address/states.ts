/** USPS two-letter codes for the 50 states, DC, the territories, freely associated states and military "states". */
const STATE_NAME_TO_CODE_ENTRIES: ReadonlyArray<readonly [string, string]> = [
  ["ALABAMA", "AL"],
  ["ALASKA", "AK"],
  ["ARIZONA", "AZ"],
  ["ARKANSAS", "AR"],
  ["CALIFORNIA", "CA"],
  ["COLORADO", "CO"],
  ["CONNECTICUT", "CT"],
  ["DELAWARE", "DE"],
  ["FLORIDA", "FL"],
  ["GEORGIA", "GA"],
  ["HAWAII", "HI"],
  ["IDAHO", "ID"],
  ["ILLINOIS", "IL"],
  ["INDIANA", "IN"],
  ["IOWA", "IA"],
  ["KANSAS", "KS"],
  ["KENTUCKY", "KY"],
  ["LOUISIANA", "LA"],
  ["MAINE", "ME"],
  ["MARYLAND", "MD"],
  ["MASSACHUSETTS", "MA"],
  ["MICHIGAN", "MI"],
  ["MINNESOTA", "MN"],
  ["MISSISSIPPI", "MS"],
  ["MISSOURI", "MO"],
  ["MONTANA", "MT"],
  ["NEBRASKA", "NE"],
  ["NEVADA", "NV"],
  ["NEW HAMPSHIRE", "NH"],
  ["NEW JERSEY", "NJ"],
  ["NEW MEXICO", "NM"],
  ["NEW YORK", "NY"],
  ["NORTH CAROLINA", "NC"],
  ["NORTH DAKOTA", "ND"],
  ["OHIO", "OH"],
  ["OKLAHOMA", "OK"],
  ["OREGON", "OR"],
  ["PENNSYLVANIA", "PA"],
  ["RHODE ISLAND", "RI"],
  ["SOUTH CAROLINA", "SC"],
  ["SOUTH DAKOTA", "SD"],
  ["TENNESSEE", "TN"],
  ["TEXAS", "TX"],
  ["UTAH", "UT"],
  ["VERMONT", "VT"],
  ["VIRGINIA", "VA"],
  ["WASHINGTON", "WA"],
  ["WEST VIRGINIA", "WV"],
  ["WISCONSIN", "WI"],
  ["WYOMING", "WY"],
  ["DISTRICT OF COLUMBIA", "DC"],
  ["WASHINGTON DC", "DC"],
  ["WASHINGTON D C", "DC"],
  ["AMERICAN SAMOA", "AS"],
  ["GUAM", "GU"],
  ["NORTHERN MARIANA ISLANDS", "MP"],
  ["PUERTO RICO", "PR"],
  ["VIRGIN ISLANDS", "VI"],
  ["US VIRGIN ISLANDS", "VI"],
  ["UNITED STATES VIRGIN ISLANDS", "VI"],
  ["FEDERATED STATES OF MICRONESIA", "FM"],
  ["MICRONESIA", "FM"],
  ["MARSHALL ISLANDS", "MH"],
  ["PALAU", "PW"],
  ["ARMED FORCES AMERICAS", "AA"],
  ["ARMED FORCES EUROPE", "AE"],
  ["ARMED FORCES AFRICA", "AE"],
  ["ARMED FORCES CANADA", "AE"],
  ["ARMED FORCES MIDDLE EAST", "AE"],
  ["ARMED FORCES PACIFIC", "AP"],
];

/** Common non-USPS abbreviations seen in free text ("Ill.", "Calif", "Penn"), matched after removing periods. */
const TRADITIONAL_ABBREVIATIONS: ReadonlyArray<readonly [string, string]> = [
  ["ALA", "AL"],
  ["ARIZ", "AZ"],
  ["ARK", "AR"],
  ["CAL", "CA"],
  ["CALIF", "CA"],
  ["COLO", "CO"],
  ["CONN", "CT"],
  ["DEL", "DE"],
  ["FLA", "FL"],
  ["ILL", "IL"],
  ["IND", "IN"],
  ["KAN", "KS"],
  ["KANS", "KS"],
  ["MASS", "MA"],
  ["MICH", "MI"],
  ["MINN", "MN"],
  ["MISS", "MS"],
  ["MONT", "MT"],
  ["NEBR", "NE"],
  ["NEV", "NV"],
  ["OKLA", "OK"],
  ["ORE", "OR"],
  ["PENN", "PA"],
  ["PENNA", "PA"],
  ["TENN", "TN"],
  ["TEX", "TX"],
  ["WASH", "WA"],
  ["WIS", "WI"],
  ["WISC", "WI"],
  ["WYO", "WY"],
];

export const STATE_CODES: ReadonlySet<string> = new Set(STATE_NAME_TO_CODE_ENTRIES.map(([, code]) => code));

const STATE_LOOKUP: ReadonlyMap<string, string> = new Map([
  ...STATE_NAME_TO_CODE_ENTRIES,
  ...TRADITIONAL_ABBREVIATIONS,
  ...[...STATE_CODES].map((code): [string, string] => [code, code]),
]);

/** Words that occur in a state name, lowercase, used as a tagger feature ("new", "york", "carolina" ...). */
export const STATE_NAME_WORDS: ReadonlySet<string> = new Set(
  STATE_NAME_TO_CODE_ENTRIES.flatMap(([name]) => name.toLowerCase().split(" ")),
);

/** "Illinois", "ill.", "il", "New  York" -> USPS code; undefined when the text is not a known state. */
export function stateCodeFor(stateText: string): string | undefined {
  const key = stateText.toUpperCase().replace(/[.,;]/g, "").replace(/\s+/g, " ").trim();
  return STATE_LOOKUP.get(key);
}

/** Lowercase single-token spellings that identify a state by themselves ("il", "illinois", "calif"). */
export const SINGLE_TOKEN_STATE_SPELLINGS: ReadonlySet<string> = new Set(
  [...STATE_LOOKUP.keys()].filter((key) => !key.includes(" ")).map((key) => key.toLowerCase()),
);
