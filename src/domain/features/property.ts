/**
 * Property feature vectors for the comparable-sales search and the automated valuation model.
 *
 * Two vectors are produced from the same attributes:
 * - `propertyFeatures` is the similarity ("comps") embedding: fixed dimension, standardized with
 *   constants frozen per FEATURE_VERSION (so vectors stored in pgvector/Qdrant stay comparable),
 *   then L2-normalized so cosine similarity equals the dot product.
 * - `modelFeatures` is the raw-scale input of the learned model; missing values are imputed with
 *   the medians the model was trained with and reported so the caller can widen the FSD.
 *
 * Any change to the dimensions, their order, scaling constants or weights must bump FEATURE_VERSION:
 * vectors and model artifacts of different versions must never be mixed.
 */

export const FEATURE_VERSION = "pf-1";

/** Attributes of a property as stored in the product database (camelCase). Optional ones may be null. */
export interface PropertyAttributes {
  latitude: number | null;
  longitude: number | null;
  zip: string | null;
  /** Living area, square feet. */
  sqft: number | null;
  /** Lot size, square feet. */
  lotSize: number | null;
  bedrooms: number | null;
  bathrooms: number | null;
  floors: number | null;
  waterfront: boolean | null;
  /** 0-4 */
  viewRating: number | null;
  /** 1-5 */
  conditionRating: number | null;
  /** 1-13, King County building grade. */
  grade: number | null;
  sqftAbove: number | null;
  sqftBasement: number | null;
  yearBuilt: number | null;
  /** Null if never renovated. */
  yearRenovated: number | null;
  propertyType: string | null;
}

/** A sold property: a comp candidate. `closingDate` is an ISO date (YYYY-MM-DD, a longer ISO timestamp is accepted). */
export interface SoldProperty extends PropertyAttributes {
  id: string;
  closingPrice: number;
  closingDate: string;
}

interface SimilarityDimension {
  name: string;
  description: string;
  /** Relative importance in the cosine similarity (applied after standardization). */
  weight: number;
  /** Standardized value, or null when the attribute is unknown (then the dimension is 0 = "average"). */
  value: (p: PropertyAttributes) => number | null;
}

/** Reference location used to centre coordinates (King County centroid; see docs/valuation.md). */
const REFERENCE_LATITUDE = 47.56;
const REFERENCE_LONGITUDE = -122.21;
const KM_PER_DEGREE_LATITUDE = 111.2;

function standardize(value: number | null, mean: number, std: number): number | null {
  if (value === null || !Number.isFinite(value)) return null;
  return (value - mean) / std;
}

function positiveLog(value: number | null): number | null {
  return value !== null && Number.isFinite(value) && value > 0 ? Math.log(value) : null;
}

/** Normalizes free-text property types into the small set the vector encodes. */
export function propertyTypeCategory(propertyType: string | null): "single_family" | "attached" | "unknown" {
  if (propertyType === null) return "unknown";
  const normalized = propertyType.toLowerCase().replace(/[^a-z]/g, "");
  if (normalized === "") return "unknown";
  if (/(condo|apartment|townhouse|townhome|attached|multi|duplex|triplex|coop)/.test(normalized))
    return "attached";
  return "single_family";
}

function kmNorthOfReference(p: PropertyAttributes): number | null {
  return p.latitude === null ? null : (p.latitude - REFERENCE_LATITUDE) * KM_PER_DEGREE_LATITUDE;
}

function kmEastOfReference(p: PropertyAttributes): number | null {
  if (p.longitude === null) return null;
  return (
    (p.longitude - REFERENCE_LONGITUDE) *
    KM_PER_DEGREE_LATITUDE *
    Math.cos((REFERENCE_LATITUDE * Math.PI) / 180)
  );
}

function effectiveYear(p: PropertyAttributes): number | null {
  if (p.yearBuilt === null) return null;
  return p.yearRenovated !== null && p.yearRenovated > p.yearBuilt ? p.yearRenovated : p.yearBuilt;
}

function basementShare(p: PropertyAttributes): number | null {
  if (p.sqftBasement === null) return null;
  const total = p.sqft ?? (p.sqftAbove !== null ? p.sqftAbove + p.sqftBasement : null);
  return total !== null && total > 0 ? p.sqftBasement / total : null;
}

/**
 * The similarity dimensions, in vector order. Means/standard deviations are the King County 2014
 * sample moments, frozen for FEATURE_VERSION "pf-1". Location gets a low weight because comps are
 * first restricted by haversine distance; it only breaks ties between similar houses.
 */
export const SIMILARITY_DIMENSIONS: readonly SimilarityDimension[] = [
  {
    name: "logSqft",
    description: "ln(living sqft), mean 7.56, sd 0.43",
    weight: 2.0,
    value: (p) => standardize(positiveLog(p.sqft), 7.56, 0.43),
  },
  {
    name: "logLotSize",
    description: "ln(lot sqft), mean 9.0, sd 0.9",
    weight: 0.8,
    value: (p) => standardize(positiveLog(p.lotSize), 9.0, 0.9),
  },
  {
    name: "bedrooms",
    description: "bedrooms, mean 3.4, sd 0.94 (clipped to 0-10)",
    weight: 0.8,
    value: (p) => standardize(p.bedrooms === null ? null : Math.min(10, Math.max(0, p.bedrooms)), 3.4, 0.94),
  },
  {
    name: "bathrooms",
    description: "bathrooms, mean 2.1, sd 0.77",
    weight: 0.8,
    value: (p) => standardize(p.bathrooms, 2.1, 0.77),
  },
  {
    name: "floors",
    description: "floors, mean 1.5, sd 0.54",
    weight: 0.5,
    value: (p) => standardize(p.floors, 1.5, 0.54),
  },
  {
    name: "yearBuilt",
    description: "year built, mean 1971, sd 29",
    weight: 1.0,
    value: (p) => standardize(p.yearBuilt, 1971, 29),
  },
  {
    name: "effectiveYear",
    description: "max(year built, year renovated), mean 1973, sd 28",
    weight: 0.7,
    value: (p) => standardize(effectiveYear(p), 1973, 28),
  },
  {
    name: "grade",
    description: "King County building grade, mean 7.7, sd 1.18",
    weight: 1.6,
    value: (p) => standardize(p.grade, 7.7, 1.18),
  },
  {
    name: "condition",
    description: "condition rating, mean 3.4, sd 0.66",
    weight: 0.6,
    value: (p) => standardize(p.conditionRating, 3.4, 0.66),
  },
  {
    name: "view",
    description: "view rating, mean 0.23, sd 0.77",
    weight: 0.8,
    value: (p) => standardize(p.viewRating, 0.23, 0.77),
  },
  {
    name: "waterfront",
    description: "waterfront: +1 yes, -1 no (a rare, price-defining attribute)",
    weight: 1.0,
    value: (p) => (p.waterfront === null ? null : p.waterfront ? 1 : -1),
  },
  {
    name: "basementShare",
    description: "basement sqft / living sqft, mean 0.13, sd 0.18",
    weight: 0.4,
    value: (p) => standardize(basementShare(p), 0.13, 0.18),
  },
  {
    name: "north",
    description: "km north of 47.56N / 15 km",
    weight: 0.5,
    value: (p) => standardize(kmNorthOfReference(p), 0, 15),
  },
  {
    name: "east",
    description: "km east of 122.21W / 15 km",
    weight: 0.5,
    value: (p) => standardize(kmEastOfReference(p), 0, 15),
  },
  {
    name: "singleFamily",
    description: "property type: +1 single family (detached), -1 attached/condo, 0 unknown",
    weight: 1.5,
    value: (p) => {
      const category = propertyTypeCategory(p.propertyType);
      return category === "unknown" ? null : category === "single_family" ? 1 : -1;
    },
  },
  {
    name: "bias",
    description: "constant 1: keeps the norm non-zero when every attribute is unknown",
    weight: 0.3,
    value: () => 1,
  },
];

export const SIMILARITY_VECTOR_DIMENSION = SIMILARITY_DIMENSIONS.length;

/** Clip standardized values so one outlier attribute cannot dominate the direction of the vector. */
const STANDARDIZED_CLIP = 4;

/**
 * Similarity embedding of a property: SIMILARITY_VECTOR_DIMENSION (16) floats, L2-normalized.
 * Unknown attributes contribute 0 (the population mean), so partial records remain comparable.
 */
export function propertyFeatures(p: PropertyAttributes): number[] {
  const raw = SIMILARITY_DIMENSIONS.map((dimension) => {
    const value = dimension.value(p);
    if (value === null) return 0;
    return Math.max(-STANDARDIZED_CLIP, Math.min(STANDARDIZED_CLIP, value)) * dimension.weight;
  });
  const norm = Math.sqrt(raw.reduce((sum, v) => sum + v * v, 0));
  return raw.map((v) => v / norm);
}

/** Cosine similarity of two (already L2-normalized) similarity vectors. */
export function cosineSimilarity(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    dot += x * y;
    normA += x * x;
    normB += y * y;
  }
  return normA > 0 && normB > 0 ? dot / Math.sqrt(normA * normB) : 0;
}

/** Angles (degrees) of the rotated coordinate axes given to the tree model; trees split on axes only. */
const ROTATION_ANGLES_DEGREES = [15, 30, 45, 60, 75, 105, 120, 135, 150, 165];

/**
 * Names of the learned model's input features, in order. Those before `compsLogPrice` depend on the
 * property alone; the rest summarize nearby earlier sales (NeighbourhoodSummary).
 */
export const MODEL_FEATURE_NAMES: readonly string[] = [
  "north",
  "east",
  ...ROTATION_ANGLES_DEGREES.map((angle) => `rot${angle}`),
  "zipEffect",
  "logSqft",
  "logLotSize",
  "bedrooms",
  "bathrooms",
  "floors",
  "waterfront",
  "view",
  "condition",
  "grade",
  "aboveShare",
  "yearBuilt",
  "yearsSinceUpdate",
  "renovated",
  "singleFamily",
  "compsLogPrice",
  "compsCount",
  "compsDispersion",
  "compsMeanDistanceKm",
  "localLogPricePerSqft",
  "nearestLogPricePerSqft",
  "gradeVsLocalMedian",
  "yearBuiltVsLocalMedian",
  "sqftVsLocalMedian",
  "localLogMedianLotSize",
  "nearestSaleKm",
];

/**
 * What the nearby earlier sales say about the subject (computed by the valuation module from the
 * comp candidates; all prices deflated to the market level of the sale month). Null = no data.
 */
export interface NeighbourhoodSummary {
  /** ln of the adjusted-comps estimate minus the market log level at the valuation date. */
  compsLogPrice: number | null;
  compsCount: number;
  /** Standard deviation of the comps adjusted ln prices. */
  compsDispersion: number | null;
  compsMeanDistanceKm: number | null;
  /** Median deflated ln(price / living sqft) of the nearest recent sales. */
  localLogPricePerSqft: number | null;
  /** The same over the 5 nearest recent sales only. */
  nearestLogPricePerSqft: number | null;
  localMedianGrade: number | null;
  localMedianYearBuilt: number | null;
  localMedianSqft: number | null;
  localMedianLotSize: number | null;
  nearestSaleKm: number | null;
}

export const EMPTY_NEIGHBOURHOOD: NeighbourhoodSummary = {
  compsLogPrice: null,
  compsCount: 0,
  compsDispersion: null,
  compsMeanDistanceKm: null,
  localLogPricePerSqft: null,
  nearestLogPricePerSqft: null,
  localMedianGrade: null,
  localMedianYearBuilt: null,
  localMedianSqft: null,
  localMedianLotSize: null,
  nearestSaleKm: null,
};

/** Which of the database attributes were unknown (and imputed) for a model feature vector. */
export interface ModelFeatureResult {
  values: number[];
  missing: string[];
}

/** What `modelFeatures` needs besides the property: the valuation date and the model's imputation data. */
export interface ModelFeatureContext {
  /** ISO date of the valuation (ages are computed at this date). */
  asOfDate: string;
  /** Location effect per ZIP code, in log-price units (from the model artifact). */
  zipEffects: Readonly<Record<string, number>>;
  /** Imputation value per model feature (training medians, in MODEL_FEATURE_NAMES order). */
  imputation: readonly number[];
  /** Nearby earlier sales summary; EMPTY_NEIGHBOURHOOD when there are none. */
  neighbourhood: NeighbourhoodSummary;
}

export function yearOfIsoDate(isoDate: string): number {
  const year = Number(isoDate.slice(0, 4));
  const month = Number(isoDate.slice(5, 7));
  return year + (Number.isFinite(month) && month >= 1 ? (month - 0.5) / 12 : 0.5);
}

/**
 * Learned-model input vector (MODEL_FEATURE_NAMES order, raw scale: trees need no standardization).
 * Unknown values are replaced by `context.imputation`; the unknown attributes are listed in `missing`.
 */
export function modelFeatures(p: PropertyAttributes, context: ModelFeatureContext): ModelFeatureResult {
  const missing: string[] = [];
  const hasLocation = p.latitude !== null && p.longitude !== null;
  if (!hasLocation) missing.push("location");
  const north = kmNorthOfReference(p);
  const east = kmEastOfReference(p);
  const rotations = ROTATION_ANGLES_DEGREES.map((angle) => {
    if (north === null || east === null) return null;
    const radians = (angle * Math.PI) / 180;
    return east * Math.cos(radians) + north * Math.sin(radians);
  });
  const zipEffect = p.zip !== null ? context.zipEffects[p.zip.trim().slice(0, 5)] : undefined;
  if (zipEffect === undefined) missing.push("zip");
  const markMissing = (attribute: string, value: number | null): number | null => {
    if (value === null || !Number.isFinite(value)) missing.push(attribute);
    return value;
  };
  const sqft = markMissing("sqft", p.sqft !== null && p.sqft > 0 ? p.sqft : null);
  const lotSize = markMissing("lotSize", p.lotSize !== null && p.lotSize > 0 ? p.lotSize : null);
  const yearBuilt = markMissing("yearBuilt", p.yearBuilt);
  const asOfYear = yearOfIsoDate(context.asOfDate);
  const update = effectiveYear(p);
  const aboveShare =
    p.sqftAbove !== null && sqft !== null ? Math.min(1, Math.max(0, p.sqftAbove / sqft)) : null;
  if (p.sqftAbove === null) missing.push("sqftAbove");
  const category = propertyTypeCategory(p.propertyType);
  const nbr = context.neighbourhood;

  const raw: (number | null)[] = [
    north,
    east,
    ...rotations,
    zipEffect ?? null,
    positiveLog(sqft),
    positiveLog(lotSize),
    markMissing("bedrooms", p.bedrooms),
    markMissing("bathrooms", p.bathrooms),
    markMissing("floors", p.floors),
    markMissing("waterfront", p.waterfront === null ? null : p.waterfront ? 1 : 0),
    markMissing("viewRating", p.viewRating),
    markMissing("conditionRating", p.conditionRating),
    markMissing("grade", p.grade),
    aboveShare,
    yearBuilt,
    update === null ? null : Math.max(0, asOfYear - update),
    yearBuilt === null ? null : p.yearRenovated !== null && p.yearRenovated > 0 ? 1 : 0,
    category === "unknown" ? null : category === "single_family" ? 1 : 0,
    nbr.compsLogPrice,
    nbr.compsCount,
    nbr.compsDispersion,
    nbr.compsMeanDistanceKm,
    nbr.localLogPricePerSqft,
    nbr.nearestLogPricePerSqft,
    p.grade !== null && nbr.localMedianGrade !== null ? p.grade - nbr.localMedianGrade : null,
    yearBuilt !== null && nbr.localMedianYearBuilt !== null ? yearBuilt - nbr.localMedianYearBuilt : null,
    sqft !== null && nbr.localMedianSqft !== null ? Math.log(sqft / nbr.localMedianSqft) : null,
    positiveLog(nbr.localMedianLotSize),
    nbr.nearestSaleKm,
  ];
  const values = raw.map((value, index) => value ?? context.imputation[index] ?? 0);
  return { values, missing };
}
