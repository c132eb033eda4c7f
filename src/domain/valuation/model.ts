import {
  EMPTY_NEIGHBOURHOOD,
  modelFeatures,
  type NeighbourhoodSummary,
  type PropertyAttributes,
} from "../features/index.ts";
import { type GbtModel, predictGbt } from "./gbt.ts";
import { type HedonicLevelModel, type MarketSettings, type MarketView, marketDrift } from "./market.ts";

/**
 * Valuer-style adjustment rates from the hedonic (log-linear) model fitted at training time.
 * Each is the change in log price per unit of the attribute.
 */
export interface AdjustmentRates {
  logSqft: number;
  logLotSize: number;
  bedrooms: number;
  bathrooms: number;
  floors: number;
  ageYears: number;
  condition: number;
  grade: number;
  view: number;
  waterfront: number;
}

/** Monthly log price level (relative to the first month), from the hedonic model's month effects. */
export interface MarketIndex {
  months: string[];
  logLevel: number[];
}

/**
 * FSD model: ln(sigma) = coefficients · fsdDesign(...) (see value.ts), fitted on ln|log error| of the
 * validation slice, times `scale`, which is calibrated so that 68% of validation sales fall within
 * estimate ± FSD. The result is clipped to [min, max].
 */
export interface FsdCalibration {
  coefficients: number[];
  scale: number;
  min: number;
  max: number;
}

export interface AvmValidationMetrics {
  from: string;
  to: string;
  count: number;
  mdape: number;
  ppe10: number;
  ppe20: number;
  hitRate: number;
  fsdCoverage: number;
  gbtOnlyMdape: number;
}

export interface AvmModel {
  modelVersion: string;
  featureVersion: string;
  createdAt: string;
  training: { from: string; to: string; sales: number; seeds: number[] };
  validation: AvmValidationMetrics;
  featureNames: string[];
  imputation: number[];
  zipEffects: Record<string, number>;
  marketIndex: MarketIndex;
  adjustmentRates: AdjustmentRates;
  /** Weight of the comps (adjusted sale prices) estimate in the final log-space blend. */
  compsBlendWeight: number;
  /**
   * Median ln(price / blended estimate) on the validation slice, added to every estimate: squared loss on ln price
   * aims at the mean, MdAPE and the FSD band at the median.
   */
  logShift: number;
  fsd: FsdCalibration;
  /** Trees on all features (property attributes + neighbourhood summary). */
  gbt: GbtModel;
  /** The hedonic regression without month effects: what market readings are residuals of (market.ts). */
  hedonic: HedonicLevelModel;
  /** How the market after training is estimated from recent sales, and its level when training ended. */
  market: MarketSettings;
  /** Where the training sales were: the model values nothing far from them (coverage.ts). */
  coverage: ModelCoverage;
}

/** Grid cells (cellDegrees on a side) holding training sales, and the 3-digit ZIP areas of those sales. */
export interface ModelCoverage {
  cellDegrees: number;
  cells: string[];
  areas: string[];
}

/** Market log level at a date: step per month, flat before the first and after the last month. */
export function marketLogLevel(index: MarketIndex, isoDate: string): number {
  const month = isoDate.slice(0, 7);
  const months = index.months;
  if (months.length === 0) return 0;
  if (month <= (months[0] ?? "")) return index.logLevel[0] ?? 0;
  for (let i = months.length - 1; i >= 0; i--) {
    if ((months[i] ?? "") <= month) return index.logLevel[i] ?? 0;
  }
  return 0;
}

/**
 * Market log level on a date: the training index up to the end of training, then its last level plus the
 * movement the tenant's recent sales show (`market`, see market.ts). Without `market`, flat after training.
 */
export function marketLevel(model: AvmModel, market: MarketView | undefined, isoDate: string): number {
  return (
    marketLogLevel(model.marketIndex, isoDate) + marketDrift(model.market, model.training.to, market, isoDate)
  );
}

export interface ModelPrediction {
  /** Predicted ln(price) at `asOfDate`. */
  logPrice: number;
  missing: string[];
}

/** The learned model's ln(price) for a property valued at `asOfDate` given its neighbourhood summary. */
export function predictLogPrice(
  model: AvmModel,
  property: PropertyAttributes,
  asOfDate: string,
  neighbourhood: NeighbourhoodSummary = EMPTY_NEIGHBOURHOOD,
  market?: MarketView,
): ModelPrediction {
  const features = modelFeatures(property, {
    asOfDate,
    zipEffects: model.zipEffects,
    imputation: model.imputation,
    neighbourhood,
  });
  return {
    logPrice: predictGbt(model.gbt, features.values) + marketLevel(model, market, asOfDate),
    missing: features.missing,
  };
}
