import {
  cosineSimilarity,
  type PropertyAttributes,
  propertyFeatures,
  type SoldProperty,
  yearOfIsoDate,
} from "../features/index.ts";
import { daysBetween, haversineKm } from "./geo.ts";
import { type AdjustmentRates, type MarketIndex, marketLogLevel } from "./model.ts";

/**
 * Default adjustment rates (ln price per unit), from a King County 2014 hedonic fit; used when the
 * caller passes no model. A trained model's own rates take precedence.
 */
export const DEFAULT_ADJUSTMENT_RATES: AdjustmentRates = {
  logSqft: 0.45,
  logLotSize: 0.06,
  bedrooms: -0.02,
  bathrooms: 0.03,
  floors: 0.02,
  ageYears: 0.003,
  condition: 0.06,
  grade: 0.15,
  view: 0.06,
  waterfront: 0.4,
};

export interface CompSelectionOptions {
  /** ISO date of the valuation; only sales strictly before it are used. */
  asOfDate: string;
  maxDistanceKm?: number;
  maxAgeDays?: number;
  /** Living area band: comps must be within ±sizeBand (fraction) of the subject's sqft. */
  sizeBand?: number;
  maxComps?: number;
  /** Below this many comps the search radius, size band and age limit are widened (twice at most). */
  minComps?: number;
  adjustmentRates?: AdjustmentRates;
  /** Market trend used for time adjustments; without it, no time adjustment is made. */
  marketIndex?: MarketIndex;
  /** Market log level on a date (takes precedence over marketIndex): the index with the movement since training. */
  marketLevel?: (isoDate: string) => number;
}

/** Dollar adjustments that bring a comp's sale price to the subject at the valuation date. */
export interface CompAdjustments {
  time: number;
  size: number;
  rooms: number;
  ageConditionGrade: number;
  viewWaterfront: number;
  lot: number;
}

export interface Comp {
  sale: SoldProperty;
  distanceKm: number;
  /** Cosine similarity of the property feature vectors, in [-1, 1]. */
  similarity: number;
  ageDays: number;
  adjustments: CompAdjustments;
  /** closingPrice + sum of adjustments. */
  adjustedPrice: number;
  /** Sum of absolute adjustments / closing price: valuers distrust heavily adjusted comps. */
  grossAdjustmentRatio: number;
  /** Relative weight in the comps estimate (sums to 1 over the selected comps). */
  weight: number;
}

export interface CompSelection {
  comps: Comp[];
  /** Weighted geometric mean of adjusted prices, or null without comps. */
  estimate: number | null;
  /** Search widening steps that were needed (0 = the requested limits sufficed). */
  widened: number;
}

export const DEFAULT_COMP_SELECTION: Readonly<{
  maxDistanceKm: number;
  maxAgeDays: number;
  sizeBand: number;
  maxComps: number;
  minComps: number;
}> = {
  maxDistanceKm: 1.5,
  maxAgeDays: 365,
  sizeBand: 0.25,
  maxComps: 8,
  minComps: 3,
};

function hasLocation(
  p: PropertyAttributes,
): p is PropertyAttributes & { latitude: number; longitude: number } {
  return (
    p.latitude !== null && p.longitude !== null && Number.isFinite(p.latitude) && Number.isFinite(p.longitude)
  );
}

function ageAt(p: PropertyAttributes, isoDate: string): number | null {
  if (p.yearBuilt === null) return null;
  const updated = p.yearRenovated !== null && p.yearRenovated > p.yearBuilt ? p.yearRenovated : p.yearBuilt;
  return Math.max(0, yearOfIsoDate(isoDate) - updated);
}

/** Attribute difference (subject - comp) times a rate, or 0 when either side is unknown. */
function logDelta(subjectValue: number | null, compValue: number | null, rate: number): number {
  if (subjectValue === null || compValue === null) return 0;
  return (subjectValue - compValue) * rate;
}

function safeLog(value: number | null): number | null {
  return value !== null && value > 0 ? Math.log(value) : null;
}

/**
 * Valuer-style adjustments in dollars. Each attribute's effect is computed in log space
 * (multiplicative, as prices are) and converted to dollars on the time-adjusted price, so the
 * dollar amounts add up to the adjusted price exactly.
 */
export function adjustComp(
  subject: PropertyAttributes,
  sale: SoldProperty,
  asOfDate: string,
  rates: AdjustmentRates,
  market?: MarketIndex | ((isoDate: string) => number),
): { adjustments: CompAdjustments; adjustedPrice: number } {
  const level =
    market === undefined
      ? undefined
      : typeof market === "function"
        ? market
        : (isoDate: string) => marketLogLevel(market, isoDate);
  const timeLog = level ? level(asOfDate) - level(sale.closingDate) : 0;
  const timeAdjusted = sale.closingPrice * Math.exp(timeLog);
  const logs = {
    size: logDelta(safeLog(subject.sqft), safeLog(sale.sqft), rates.logSqft),
    rooms:
      logDelta(subject.bedrooms, sale.bedrooms, rates.bedrooms) +
      logDelta(subject.bathrooms, sale.bathrooms, rates.bathrooms) +
      logDelta(subject.floors, sale.floors, rates.floors),
    // Age rate is per year of age: an older subject (larger age) is worth less.
    ageConditionGrade:
      -logDelta(ageAt(subject, asOfDate), ageAt(sale, sale.closingDate), rates.ageYears) +
      logDelta(subject.conditionRating, sale.conditionRating, rates.condition) +
      logDelta(subject.grade, sale.grade, rates.grade),
    viewWaterfront:
      logDelta(subject.viewRating, sale.viewRating, rates.view) +
      logDelta(
        subject.waterfront === null ? null : Number(subject.waterfront),
        sale.waterfront === null ? null : Number(sale.waterfront),
        rates.waterfront,
      ),
    lot: logDelta(safeLog(subject.lotSize), safeLog(sale.lotSize), rates.logLotSize),
  };
  const totalLog = logs.size + logs.rooms + logs.ageConditionGrade + logs.viewWaterfront + logs.lot;
  const adjustedPrice = timeAdjusted * Math.exp(totalLog);
  const attributeDollars = adjustedPrice - timeAdjusted;
  const share = (part: number) => (totalLog === 0 ? 0 : (attributeDollars * part) / totalLog);
  return {
    adjustments: {
      time: timeAdjusted - sale.closingPrice,
      size: share(logs.size),
      rooms: share(logs.rooms),
      ageConditionGrade: share(logs.ageConditionGrade),
      viewWaterfront: share(logs.viewWaterfront),
      lot: share(logs.lot),
    },
    adjustedPrice,
  };
}

/** Similarity vectors of candidate sales, cached per object (candidates are reused across valuations). */
const similarityVectorCache = new WeakMap<SoldProperty, number[]>();

function similarityVector(sale: SoldProperty): number[] {
  let vector = similarityVectorCache.get(sale);
  if (vector === undefined) {
    vector = propertyFeatures(sale);
    similarityVectorCache.set(sale, vector);
  }
  return vector;
}

interface Candidate {
  sale: SoldProperty;
  distanceKm: number;
  ageDays: number;
  similarity: number;
}

/**
 * Chooses the most similar recent nearby sales. Rules: sold strictly before `asOfDate`, within
 * `maxAgeDays`, within `maxDistanceKm` (haversine), living area within ±`sizeBand`. If fewer than
 * `minComps` qualify the limits are widened (x2 distance, x1.6 size band, x1.5 age), at most twice.
 * Ranking score = similarity - 0.35·distance/maxDistance - 0.25·age/maxAge.
 */
export function selectComps(
  subject: PropertyAttributes,
  candidates: readonly SoldProperty[],
  options: CompSelectionOptions,
): CompSelection {
  const maxComps = options.maxComps ?? DEFAULT_COMP_SELECTION.maxComps;
  const minComps = Math.min(options.minComps ?? DEFAULT_COMP_SELECTION.minComps, maxComps);
  const rates = options.adjustmentRates ?? DEFAULT_ADJUSTMENT_RATES;
  if (!hasLocation(subject) || maxComps <= 0) return { comps: [], estimate: null, widened: 0 };
  const subjectVector = propertyFeatures(subject);

  const pool: Candidate[] = [];
  for (const sale of candidates) {
    if (!hasLocation(sale) || !(sale.closingPrice > 0)) continue;
    const ageDays = daysBetween(sale.closingDate, options.asOfDate);
    if (!(ageDays > 0)) continue;
    pool.push({
      sale,
      distanceKm: haversineKm(subject.latitude, subject.longitude, sale.latitude, sale.longitude),
      ageDays,
      similarity: Number.NaN,
    });
  }

  let maxDistanceKm = options.maxDistanceKm ?? DEFAULT_COMP_SELECTION.maxDistanceKm;
  let sizeBand = options.sizeBand ?? DEFAULT_COMP_SELECTION.sizeBand;
  let maxAgeDays = options.maxAgeDays ?? DEFAULT_COMP_SELECTION.maxAgeDays;
  let eligible: Candidate[] = [];
  let widened = 0;
  for (;;) {
    eligible = pool.filter((candidate) => {
      if (candidate.distanceKm > maxDistanceKm || candidate.ageDays > maxAgeDays) return false;
      const subjectSqft = subject.sqft;
      const compSqft = candidate.sale.sqft;
      if (subjectSqft !== null && subjectSqft > 0 && compSqft !== null && compSqft > 0) {
        if (Math.abs(compSqft / subjectSqft - 1) > sizeBand) return false;
      }
      return true;
    });
    if (eligible.length >= minComps || widened >= 2) break;
    widened++;
    maxDistanceKm *= 2;
    sizeBand *= 1.6;
    maxAgeDays *= 1.5;
  }

  const score = (candidate: Candidate) =>
    candidate.similarity -
    (0.35 * candidate.distanceKm) / maxDistanceKm -
    (0.25 * candidate.ageDays) / maxAgeDays;
  for (const candidate of eligible) {
    candidate.similarity = cosineSimilarity(subjectVector, similarityVector(candidate.sale));
  }
  eligible.sort(
    (a, b) => score(b) - score(a) || a.distanceKm - b.distanceKm || (a.sale.id < b.sale.id ? -1 : 1),
  );
  const chosen = eligible.slice(0, maxComps);

  const comps: Comp[] = chosen.map((candidate) => {
    const { adjustments, adjustedPrice } = adjustComp(
      subject,
      candidate.sale,
      options.asOfDate,
      rates,
      options.marketLevel ?? options.marketIndex,
    );
    const gross =
      Math.abs(adjustments.time) +
      Math.abs(adjustments.size) +
      Math.abs(adjustments.rooms) +
      Math.abs(adjustments.ageConditionGrade) +
      Math.abs(adjustments.viewWaterfront) +
      Math.abs(adjustments.lot);
    return {
      sale: candidate.sale,
      distanceKm: candidate.distanceKm,
      similarity: candidate.similarity,
      ageDays: candidate.ageDays,
      adjustments,
      adjustedPrice,
      grossAdjustmentRatio: gross / candidate.sale.closingPrice,
      weight: Math.max(0.05, score(candidate) + 0.6) / (1 + 4 * (gross / candidate.sale.closingPrice)),
    };
  });
  const totalWeight = comps.reduce((sum, comp) => sum + comp.weight, 0);
  let logSum = 0;
  for (const comp of comps) {
    comp.weight = comp.weight / totalWeight;
    logSum += comp.weight * Math.log(comp.adjustedPrice);
  }
  return { comps, estimate: comps.length > 0 ? Math.exp(logSum) : null, widened };
}
