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
  /** The hazards' own ratings where the source has them (<code>_RISKR columns); absent codes have none. */
  hazard_ratings: Partial<Record<HazardCode, RiskRating>>;
  data_version: string;
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
  const hazardRatings: Partial<Record<HazardCode, RiskRating>> = {};
  for (const { code } of HAZARDS) {
    const column = `${code}_RISKS`;
    if (!(column in record)) throw new Error(`${where(line)}missing column ${column}`);
    hazardScores[code] = insufficient ? null : parseScore(record[column], column, line);
    const rating = record[`${code}_RISKR`]?.trim() ?? "";
    if (insufficient || rating === "" || rating === INSUFFICIENT_DATA || rating === "Not Applicable")
      continue;
    if (!isRiskRating(rating))
      throw new Error(`${where(line)}invalid ${code}_RISKR ${JSON.stringify(rating)}`);
    hazardRatings[code] = rating;
  }

  return {
    county_fips: countyFips,
    state,
    state_name: record.STATE?.trim() ?? "",
    county,
    risk_score: insufficient ? null : parseScore(record.RISK_SCORE, "RISK_SCORE", line),
    risk_rating: riskRating,
    hazard_scores: hazardScores,
    hazard_ratings: hazardRatings,
    data_version: dataVersion,
  };
}

function toNumberOrNull(value: unknown): number | null {
  if (value === null || value === undefined || value === "") return null;
  const parsed = typeof value === "number" ? value : Number(value);
  return Number.isFinite(parsed) ? parsed : null;
}

function ratingOrNull(value: unknown): RiskRating | null {
  return typeof value === "string" && isRiskRating(value) ? value : null;
}

/** A property's hazards as the API serves them: its county's NRI row, hazard types by readable name. */
export interface PropertyHazards {
  nriVersion: string;
  countyFips: string;
  county: string;
  state: string;
  riskScore: number | null;
  riskRating: RiskRating | null;
  /** Null scores mean the hazard does not apply to the county or FEMA has insufficient data, never zero risk. */
  byType: Record<HazardKey, { score: number | null; rating: RiskRating | null }>;
}

/** Why a property has no hazards: no county could be found for it, or the NRI has no row for its county. */
export type HazardsUnavailable = "no_county" | "county_not_in_nri";

/** The hazard columns of a properties row (migrations/0008 fills them from the reference tables). */
export interface StoredPropertyHazards {
  hazards?: unknown;
  hazards_version?: unknown;
  hazards_county_fips?: unknown;
  hazard_risk_score?: unknown;
  hazard_risk_rating?: unknown;
}

export function propertyHazards(row: StoredPropertyHazards): {
  hazards: PropertyHazards | null;
  hazardsUnavailable: HazardsUnavailable | null;
} {
  const countyFips = typeof row.hazards_county_fips === "string" ? row.hazards_county_fips : null;
  const stored = (typeof row.hazards === "string" ? JSON.parse(row.hazards) : row.hazards) as {
    county?: string;
    state?: string;
    scores?: Partial<Record<string, unknown>>;
    ratings?: Partial<Record<string, unknown>>;
  } | null;
  if (!stored || !countyFips || typeof row.hazards_version !== "string") {
    return { hazards: null, hazardsUnavailable: countyFips ? "county_not_in_nri" : "no_county" };
  }
  const byType = {} as PropertyHazards["byType"];
  for (const { code, key } of HAZARDS) {
    byType[key] = {
      score: toNumberOrNull(stored.scores?.[code]),
      rating: ratingOrNull(stored.ratings?.[code]),
    };
  }
  return {
    hazards: {
      nriVersion: row.hazards_version,
      countyFips,
      county: String(stored.county ?? ""),
      state: String(stored.state ?? ""),
      riskScore: toNumberOrNull(row.hazard_risk_score),
      riskRating: ratingOrNull(row.hazard_risk_rating),
      byType,
    },
    hazardsUnavailable: null,
  };
}
