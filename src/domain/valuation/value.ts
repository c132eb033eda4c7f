import type { PropertyAttributes, SoldProperty } from "../features/index.ts";
import { type Comp, selectComps } from "./comps.ts";
import { daysBetween, haversineKm } from "./geo.ts";
import { type AvmModel, predictLogPrice } from "./model.ts";

export type ValuationMethod =
  /** Model + spatial residual correction from nearby earlier sales + adjusted-comps blend. */
  | "model+comps"
  /** No usable nearby sale: the learned model alone (wider FSD). */
  | "model-only";

export interface ValuationDiagnostics {
  /** The learned model's estimate before any comps correction. */
  modelEstimate: number;
  /** ln-price correction applied from nearby sales' model residuals. */
  residualCorrection: number;
  /** Adjusted-comps estimate, or null without comps. */
  compsEstimate: number | null;
  /** Weighted standard deviation of the neighbours' ln residuals. */
  residualDispersion: number;
  /** Kish effective number of neighbours, (Σw)²/Σw². */
  effectiveNeighbours: number;
  neighboursUsed: number;
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

export interface ValuationOptions {
  /**
   * Cache of the model's ln price per candidate sale id (at its own closing date). The value
   * depends only on the sale and the model, so a batch caller (backtest) may share one map per model.
   */
  candidatePredictionCache?: Map<string, number>;
  maxComps?: number;
}

/** Inputs of the FSD model, in FsdCalibration.coefficients order. */
export function fsdDesign(diagnostics: ValuationDiagnostics, missingCount: number): number[] {
  return [
    1,
    Math.log(diagnostics.residualDispersion + 0.03),
    Math.log(1 + diagnostics.effectiveNeighbours),
    missingCount,
    diagnostics.neighboursUsed === 0 ? 1 : 0,
  ];
}

export function fsdFromDesign(model: AvmModel, design: readonly number[]): number {
  let logSigma = 0;
  design.forEach((value, index) => {
    logSigma += value * (model.fsd.coefficients[index] ?? 0);
  });
  const fsd = Math.exp(logSigma) * model.fsd.scale;
  return Math.min(model.fsd.max, Math.max(model.fsd.min, fsd));
}

/** Documented mapping from FSD to the 0-1 confidence score and a Fannie-style band. */
export function confidenceFromFsd(fsd: number): { confidence: number; band: "high" | "medium" | "low" } {
  const confidence = Math.min(1, Math.max(0, 1 - 2 * fsd));
  const band = fsd <= 0.1 ? "high" : fsd <= 0.2 ? "medium" : "low";
  return { confidence, band };
}

function hasLocation(p: PropertyAttributes): p is PropertyAttributes & { latitude: number; longitude: number } {
  return p.latitude !== null && p.longitude !== null;
}

interface Neighbour {
  residual: number;
  weight: number;
}

/**
 * Values `subject` at `asOfDate` from the learned model, corrected by nearby earlier sales:
 * 1. the model predicts ln(price) (features + monthly market level);
 * 2. nearby sales closed strictly before `asOfDate` give model residuals, averaged with distance and
 *    recency decay and shrunk toward 0 (a kriging-like local correction that also tracks the market
 *    drift after the training period);
 * 3. the adjusted-comps estimate (selectComps) is blended in log space with the model weight;
 * 4. FSD comes from the calibrated model of residual dispersion, neighbour count and missing data.
 * Always returns an estimate; without location or neighbours the FSD widens.
 */
export function valueProperty(
  subject: PropertyAttributes,
  candidates: readonly SoldProperty[],
  model: AvmModel,
  asOfDate: string,
  options: ValuationOptions = {},
): Valuation {
  const subjectPrediction = predictLogPrice(model, subject, asOfDate);
  const kernel = model.residualKernel;
  const cache = options.candidatePredictionCache;

  const nearby: { sale: SoldProperty; distanceKm: number; ageDays: number }[] = [];
  if (hasLocation(subject)) {
    for (const sale of candidates) {
      if (sale.latitude === null || sale.longitude === null || !(sale.closingPrice > 0)) continue;
      const ageDays = daysBetween(sale.closingDate, asOfDate);
      if (!(ageDays > 0) || ageDays > kernel.maxAgeDays) continue;
      const distanceKm = haversineKm(subject.latitude, subject.longitude, sale.latitude, sale.longitude);
      if (distanceKm > kernel.maxDistanceKm) continue;
      nearby.push({ sale, distanceKm, ageDays });
    }
  }
  nearby.sort((a, b) => a.distanceKm - b.distanceKm || (a.sale.id < b.sale.id ? -1 : 1));
  const neighbours: Neighbour[] = nearby.slice(0, kernel.maxNeighbours).map(({ sale, distanceKm, ageDays }) => {
    let predicted = cache?.get(sale.id);
    if (predicted === undefined) {
      predicted = predictLogPrice(model, sale, sale.closingDate).logPrice;
      cache?.set(sale.id, predicted);
    }
    return {
      residual: Math.log(sale.closingPrice) - predicted,
      weight: Math.exp(-distanceKm / kernel.bandwidthKm) * 0.5 ** (ageDays / kernel.halfLifeDays),
    };
  });

  let weightSum = 0;
  let weightSquaredSum = 0;
  let weightedResidual = 0;
  for (const neighbour of neighbours) {
    weightSum += neighbour.weight;
    weightSquaredSum += neighbour.weight ** 2;
    weightedResidual += neighbour.weight * neighbour.residual;
  }
  const residualCorrection = weightedResidual / (weightSum + kernel.shrinkage);
  const residualMean = weightSum > 0 ? weightedResidual / weightSum : 0;
  let dispersion = 0;
  for (const neighbour of neighbours) dispersion += neighbour.weight * (neighbour.residual - residualMean) ** 2;
  const residualDispersion = weightSum > 0 ? Math.sqrt(dispersion / weightSum) : 0;
  const effectiveNeighbours = weightSquaredSum > 0 ? weightSum ** 2 / weightSquaredSum : 0;

  const selection = selectComps(subject, candidates, {
    asOfDate,
    adjustmentRates: model.adjustmentRates,
    marketIndex: model.marketIndex,
    ...(options.maxComps !== undefined ? { maxComps: options.maxComps } : {}),
  });
  const correctedLog = subjectPrediction.logPrice + residualCorrection;
  const finalLog =
    selection.estimate !== null
      ? (1 - model.compsBlendWeight) * correctedLog + model.compsBlendWeight * Math.log(selection.estimate)
      : correctedLog;

  const diagnostics: ValuationDiagnostics = {
    modelEstimate: Math.exp(subjectPrediction.logPrice),
    residualCorrection,
    compsEstimate: selection.estimate,
    residualDispersion,
    effectiveNeighbours,
    neighboursUsed: neighbours.length,
  };
  const fsd = fsdFromDesign(model, fsdDesign(diagnostics, subjectPrediction.missing.length));
  const estimate = Math.exp(finalLog);
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
    method: neighbours.length > 0 ? "model+comps" : "model-only",
    comps: selection.comps,
    missingAttributes: subjectPrediction.missing,
    diagnostics,
  };
}
