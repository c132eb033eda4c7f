import type { NeighbourhoodSummary, PropertyAttributes, SoldProperty } from "../features/index.ts";
import { type Comp, type CompSelection, selectComps } from "./comps.ts";
import { daysBetween, haversineKm } from "./geo.ts";
import { type MarketView, marketStalenessDays } from "./market.ts";
import { type AvmModel, marketLevel, predictLogPrice } from "./model.ts";

export type ValuationMethod =
  /** Learned model fed with the comps/neighbourhood summary, blended with the adjusted-comps estimate. */
  | "model+comps"
  /** No usable earlier sale nearby: the learned model on property attributes alone (wider FSD). */
  | "model-only";

export interface ValuationDiagnostics {
  /** The learned model's estimate (already informed by the neighbourhood features). */
  modelEstimate: number;
  /** Adjusted-comps estimate, or null without comps. */
  compsEstimate: number | null;
  /** Standard deviation of the comps' adjusted ln prices (0 without comps). */
  compsDispersion: number;
  compsMeanDistanceKm: number | null;
  neighbourhood: NeighbourhoodSummary;
}

export interface Valuation {
  estimate: number;
  low: number;
  high: number;
  /** Forecast standard deviation as a fraction of the estimate. */
  fsd: number;
  /** 0-1, = clip(1 - 2·FSD, 0, 1); see docs/valuation.md. */
  confidence: number;
  confidenceBand: "high" | "medium" | "low";
  modelVersion: string;
  compsUsed: number;
  method: ValuationMethod;
  comps: Comp[];
  /** Subject attributes that were unknown and imputed. */
  missingAttributes: string[];
  diagnostics: ValuationDiagnostics;
}

/** Recent sales this close describe the immediate neighbourhood (price level, typical size and lot). */
const LOCAL_RADIUS_KM = 2;
const LOCAL_MAX_AGE_DAYS = 365;
const LOCAL_NEIGHBOURS = 15;
const NEAREST_NEIGHBOURS = 5;

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/**
 * Summary of the earlier sales around the subject that the learned model takes as features
 * (a stacked comps model): adjusted-comps level and spread, local deflated $/sqft, typical size/lot.
 */
export function summarizeNeighbourhood(
  subject: PropertyAttributes,
  candidates: readonly SoldProperty[],
  model: AvmModel,
  asOfDate: string,
  selection: CompSelection,
  level: (isoDate: string) => number = (isoDate) => marketLevel(model, undefined, isoDate),
): NeighbourhoodSummary {
  const comps = selection.comps;
  let compsDispersion: number | null = null;
  let compsMeanDistanceKm: number | null = null;
  if (comps.length > 0) {
    const logs = comps.map((comp) => Math.log(comp.adjustedPrice));
    const mean = logs.reduce((sum, v) => sum + v, 0) / logs.length;
    compsDispersion = Math.sqrt(logs.reduce((sum, v) => sum + (v - mean) ** 2, 0) / logs.length);
    compsMeanDistanceKm = comps.reduce((sum, comp) => sum + comp.distanceKm, 0) / comps.length;
  }
  const local: { sale: SoldProperty; distanceKm: number }[] = [];
  if (subject.latitude !== null && subject.longitude !== null) {
    for (const sale of candidates) {
      if (sale.latitude === null || sale.longitude === null || !(sale.closingPrice > 0)) continue;
      const ageDays = daysBetween(sale.closingDate, asOfDate);
      if (!(ageDays > 0) || ageDays > LOCAL_MAX_AGE_DAYS) continue;
      const distanceKm = haversineKm(subject.latitude, subject.longitude, sale.latitude, sale.longitude);
      if (distanceKm <= LOCAL_RADIUS_KM) local.push({ sale, distanceKm });
    }
  }
  local.sort((a, b) => a.distanceKm - b.distanceKm || (a.sale.id < b.sale.id ? -1 : 1));

  const nearest = local.slice(0, LOCAL_NEIGHBOURS).map((entry) => entry.sale);
  const withSqft = nearest.filter((sale) => sale.sqft !== null && sale.sqft > 0);
  const deflatedLogPricePerSqft = withSqft.map(
    (sale) => Math.log(sale.closingPrice / (sale.sqft ?? 1)) - level(sale.closingDate),
  );
  return {
    compsLogPrice: selection.estimate !== null ? Math.log(selection.estimate) - level(asOfDate) : null,
    compsCount: comps.length,
    compsDispersion,
    compsMeanDistanceKm,
    localLogPricePerSqft: median(deflatedLogPricePerSqft),
    nearestLogPricePerSqft: median(deflatedLogPricePerSqft.slice(0, NEAREST_NEIGHBOURS)),
    localMedianGrade: median(nearest.flatMap((sale) => (sale.grade !== null ? [sale.grade] : []))),
    localMedianYearBuilt: median(
      nearest.flatMap((sale) => (sale.yearBuilt !== null ? [sale.yearBuilt] : [])),
    ),
    localMedianSqft: median(withSqft.map((sale) => sale.sqft ?? 0)),
    localMedianLotSize: median(
      nearest.filter((sale) => sale.lotSize !== null && sale.lotSize > 0).map((sale) => sale.lotSize ?? 0),
    ),
    nearestSaleKm: local[0]?.distanceKm ?? null,
  };
}

/** Inputs of the FSD model, in FsdCalibration.coefficients order. */
export function fsdDesign(diagnostics: ValuationDiagnostics, missingCount: number): number[] {
  const disagreement =
    diagnostics.compsEstimate !== null
      ? Math.abs(Math.log(diagnostics.modelEstimate / diagnostics.compsEstimate))
      : 0;
  const compsCount = diagnostics.neighbourhood.compsCount;
  return [
    1,
    Math.log(diagnostics.compsDispersion + 0.03),
    Math.log(1 + compsCount),
    missingCount,
    compsCount === 0 ? 1 : 0,
    Math.log(disagreement + 0.02),
    Math.log((diagnostics.compsMeanDistanceKm ?? 5) + 0.2),
  ];
}

/**
 * Yearly standard deviation of a house-price index's ln change: what the market may have moved by since the last
 * information about it (a prior, about King County's 2010s volatility; docs/valuation.md).
 */
export const MARKET_DRIFT_SD_PER_YEAR = 0.06;

export function fsdFromDesign(model: AvmModel, design: readonly number[], stalenessDays = 0): number {
  let logSigma = 0;
  design.forEach((value, index) => {
    logSigma += value * (model.fsd.coefficients[index] ?? 0);
  });
  const base = Math.exp(logSigma) * model.fsd.scale;
  // Unknown market movement since the last market reading adds its variance.
  const fsd = Math.sqrt(base ** 2 + MARKET_DRIFT_SD_PER_YEAR ** 2 * (stalenessDays / 365));
  return Math.min(model.fsd.max, Math.max(model.fsd.min, fsd));
}

/** Documented mapping from FSD to the 0-1 confidence score and a Fannie-style band. */
export function confidenceFromFsd(fsd: number): { confidence: number; band: "high" | "medium" | "low" } {
  const confidence = Math.min(1, Math.max(0, 1 - 2 * fsd));
  const band = fsd <= 0.1 ? "high" : fsd <= 0.2 ? "medium" : "low";
  return { confidence, band };
}

/** Combines model and comps in log space with the artifact's blend weight. */
export function blendEstimates(
  modelEstimate: number,
  compsEstimate: number | null,
  compsWeight: number,
): number {
  if (compsEstimate === null) return modelEstimate;
  return Math.exp((1 - compsWeight) * Math.log(modelEstimate) + compsWeight * Math.log(compsEstimate));
}

/**
 * Values `subject` at `asOfDate`:
 * 1. selectComps picks the most similar recent nearby sales (strictly before `asOfDate`) and adjusts them;
 * 2. the comps and the local sales are summarized into neighbourhood features;
 * 3. the learned model predicts ln(price) from property + neighbourhood features + market level;
 * 4. the model and the adjusted-comps estimate are blended (weight tuned on validation);
 * 5. FSD comes from the calibrated model of comps dispersion/count/distance, model-comps
 *    disagreement and missing attributes.
 * Always returns an estimate; without location or earlier sales nearby the FSD widens. The comp
 * selection uses its defaults on purpose: the model was trained on features built with them.
 */
export function valueProperty(
  subject: PropertyAttributes,
  candidates: readonly SoldProperty[],
  model: AvmModel,
  asOfDate: string,
  market?: MarketView,
): Valuation {
  // The comps and the neighbourhood summary ask for the level of the same few sale dates many times.
  const levels = new Map<string, number>();
  const level = (isoDate: string) => {
    let value = levels.get(isoDate);
    if (value === undefined) {
      value = marketLevel(model, market, isoDate);
      levels.set(isoDate, value);
    }
    return value;
  };
  const selection = selectComps(subject, candidates, {
    asOfDate,
    adjustmentRates: model.adjustmentRates,
    marketLevel: level,
  });
  const neighbourhood = summarizeNeighbourhood(subject, candidates, model, asOfDate, selection, level);
  const prediction = predictLogPrice(model, subject, asOfDate, neighbourhood, market);
  const modelEstimate = Math.exp(prediction.logPrice);
  const estimate =
    blendEstimates(modelEstimate, selection.estimate, model.compsBlendWeight) * Math.exp(model.logShift ?? 0);
  const diagnostics: ValuationDiagnostics = {
    modelEstimate,
    compsEstimate: selection.estimate,
    compsDispersion: neighbourhood.compsDispersion ?? 0,
    compsMeanDistanceKm: neighbourhood.compsMeanDistanceKm,
    neighbourhood,
  };
  const fsd = fsdFromDesign(
    model,
    fsdDesign(diagnostics, prediction.missing.length),
    marketStalenessDays(model.training.to, market, asOfDate),
  );
  const { confidence, band } = confidenceFromFsd(fsd);
  return {
    estimate,
    low: estimate * (1 - fsd),
    high: estimate * (1 + fsd),
    fsd,
    confidence,
    confidenceBand: band,
    modelVersion: model.modelVersion,
    compsUsed: selection.comps.length,
    method: selection.comps.length > 0 ? "model+comps" : "model-only",
    comps: selection.comps,
    missingAttributes: prediction.missing,
    diagnostics,
  };
}
