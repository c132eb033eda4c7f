// FEMA National Risk Index county scores, loaded into ref_county_hazards and served per property county.

export const NRI_DATA_VERSION = "NRI v1.20 (December 2025)";
export const NRI_NOTICE =
  "This product uses the Federal Emergency Management Agency's National Risk Index dataset API or downloadable datasets but is not endorsed by FEMA.";
export const NRI_CITATION = "FEMA National Risk Index, County table, v1.20 (December 2025)";

/** The 18 NRI hazard types in FEMA's column order, with the names the API uses. */
export const HAZARDS = [
  { code: "AVLN", key: "avalanche", label: "Avalanche" },
  { code: "CFLD", key: "coastalFlood", label: "Coastal Flooding" },
  { code: "CWAV", key: "coldWave", label: "Cold Wave" },
  { code: "DRGT", key: "drought", label: "Drought" },
  { code: "ERQK", key: "earthquake", label: "Earthquake" },
  { code: "HAIL", key: "hail", label: "Hail" },
  { code: "HWAV", key: "heatWave", label: "Heat Wave" },
  { code: "HRCN", key: "hurricane", label: "Hurricane" },
  { code: "ISTM", key: "iceStorm", label: "Ice Storm" },
  { code: "LNDS", key: "landslide", label: "Landslide" },
  { code: "LTNG", key: "lightning", label: "Lightning" },
  { code: "IFLD", key: "inlandFlood", label: "Inland Flooding" },
  { code: "SWND", key: "strongWind", label: "Strong Wind" },
  { code: "TRND", key: "tornado", label: "Tornado" },
  { code: "TSUN", key: "tsunami", label: "Tsunami" },
  { code: "VLCN", key: "volcanicActivity", label: "Volcanic Activity" },
  { code: "WFIR", key: "wildfire", label: "Wildfire" },
  { code: "WNTW", key: "winterWeather", label: "Winter Weather" },
] as const;

export type HazardCode = (typeof HAZARDS)[number]["code"];
export type HazardKey = (typeof HAZARDS)[number]["key"];

export const RISK_RATINGS = [
  "Very Low",
  "Relatively Low",
  "Relatively Moderate",
  "Relatively High",
  "Very High",
] as const;
export type RiskRating = (typeof RISK_RATINGS)[number];

const INSUFFICIENT_DATA = "Insufficient Data";
const FIPS = /^\d{5}$/;
const STATE = /^[A-Z]{2}$/;

/** A ref_county_hazards row. risk_score is numeric in Postgres, which drivers return as a string. */
export interface CountyHazardRow {
  county_fips: string;
  state: string;
  state_name: string;
  county: string;
  risk_score: number | string | null;
  risk_rating: string | null;
  /** Null where the hazard does not apply to the county or FEMA has insufficient data; never 0 for "none". */
  hazard_scores: Record<HazardCode, number | null>;
  data_version: string;
}

/** A ref_county_hazards row as read back: drivers return numeric as a string and may return jsonb as text. */
export type StoredCountyHazardRow = Omit<CountyHazardRow, "hazard_scores"> & {
  hazard_scores: Partial<Record<string, number | string | null>> | string;
};

export interface HazardSummary {
  dataVersion: string;
  countyFips: string;
  state: string;
  county: string;
  riskScore: number | null;
  riskRating: RiskRating | null;
  hazards: Record<HazardKey, number | null>;
}

/** Rounds to 2 decimals, which removes binary float noise such as 85.79999999999998 (scores are percentiles). */
export function roundScore(value: number): number {
  return Number(value.toFixed(2));
}

function parseScore(value: string | undefined, column: string, line: number | undefined): number | null {
  const text = value?.trim() ?? "";
  if (text === "") return null;
  const parsed = Number(text);
  if (!Number.isFinite(parsed) || parsed < 0 || parsed > 100) {
    throw new Error(`${where(line)}invalid ${column} ${JSON.stringify(value)}`);
  }
  return roundScore(parsed);
}

function where(line: number | undefined): string {
  return line === undefined ? "" : `line ${line}: `;
}

function isRiskRating(value: string): value is RiskRating {
  return (RISK_RATINGS as readonly string[]).includes(value);
}

/**
 * Turns one record of FEMA's county risk CSV (STCOFIPS, STATE, STATEABBRV, COUNTY, RISK_SCORE, RISK_RATNG,
 * <code>_RISKS ...) into a ref_county_hazards row. "Insufficient Data" rows get null scores and a null rating:
 * a zero would read as "lowest risk", which FEMA does not claim.
 */
export function parseHazardRow(
  record: Readonly<Record<string, string>>,
  dataVersion: string = NRI_DATA_VERSION,
  line?: number,
): CountyHazardRow {
  const countyFips = record.STCOFIPS?.trim() ?? "";
  if (!FIPS.test(countyFips))
    throw new Error(`${where(line)}invalid STCOFIPS ${JSON.stringify(record.STCOFIPS)}`);
  const state = record.STATEABBRV?.trim() ?? "";
  if (!STATE.test(state))
    throw new Error(`${where(line)}invalid STATEABBRV ${JSON.stringify(record.STATEABBRV)}`);
  const county = record.COUNTY?.trim() ?? "";
  if (county === "") throw new Error(`${where(line)}county ${countyFips} has no name`);

  const ratingText = record.RISK_RATNG?.trim() ?? "";
  const insufficient = ratingText === INSUFFICIENT_DATA;
  let riskRating: RiskRating | null = null;
  if (!insufficient && ratingText !== "") {
    if (!isRiskRating(ratingText)) {
      throw new Error(`${where(line)}invalid RISK_RATNG ${JSON.stringify(record.RISK_RATNG)}`);
    }
    riskRating = ratingText;
  }

  const hazardScores = {} as Record<HazardCode, number | null>;
  for (const { code } of HAZARDS) {
    const column = `${code}_RISKS`;
    if (!(column in record)) throw new Error(`${where(line)}missing column ${column}`);
    hazardScores[code] = insufficient ? null : parseScore(record[column], column, line);
  }

  return {
    county_fips: countyFips,
    state,
    state_name: record.STATE?.trim() ?? "",
    county,
    risk_score: insufficient ? null : parseScore(record.RISK_SCORE, "RISK_SCORE", line),
    risk_rating: riskRating,
    hazard_scores: hazardScores,
    data_version: dataVersion,
  };
}

function toNumberOrNull(value: unknown): number | null {
  if (value === null || value === undefined || value === "") return null;
  const parsed = typeof value === "number" ? value : Number(value);
  return Number.isFinite(parsed) ? parsed : null;
}

/** Maps a ref_county_hazards row to the API shape, with readable hazard names in place of FEMA codes. */
export function hazardSummary(row: StoredCountyHazardRow): HazardSummary {
  const scores: Partial<Record<string, unknown>> =
    typeof row.hazard_scores === "string" ? JSON.parse(row.hazard_scores) : row.hazard_scores;
  const hazards = {} as Record<HazardKey, number | null>;
  for (const { code, key } of HAZARDS) {
    hazards[key] = toNumberOrNull(scores[code]);
  }
  const rating = row.risk_rating;
  return {
    dataVersion: row.data_version,
    countyFips: row.county_fips,
    state: row.state,
    county: row.county,
    riskScore: toNumberOrNull(row.risk_score),
    riskRating: rating !== null && isRiskRating(rating) ? rating : null,
    hazards,
  };
}

export const SELECT_COUNTY_HAZARDS_SQL =
  "select county_fips, state, state_name, county, risk_score, risk_rating, hazard_scores, data_version " +
  "from ref_county_hazards where county_fips = $1";

export type CountyHazardQuery = (sql: string, params: unknown[]) => Promise<StoredCountyHazardRow[]>;

/** Looks a county's hazards up through any query function; null when the county has no NRI row. */
export async function lookupCountyHazards(
  query: CountyHazardQuery,
  countyFips: string,
): Promise<HazardSummary | null> {
  if (!FIPS.test(countyFips)) return null;
  const [row] = await query(SELECT_COUNTY_HAZARDS_SQL, [countyFips]);
  return row === undefined ? null : hazardSummary(row);
}
