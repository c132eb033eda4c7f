export {
  type AccuracyMetrics,
  accuracyMetrics,
  attributesOf,
  type BacktestOptions,
  type BacktestRecord,
  backtest,
  candidatesAsOf,
  SalesIndex,
} from "./backtest.ts";
export {
  adjustComp,
  type Comp,
  type CompAdjustments,
  type CompSelection,
  type CompSelectionOptions,
  DEFAULT_ADJUSTMENT_RATES,
  selectComps,
} from "./comps.ts";
export { type CoverageVerdict, coverageOf } from "./coverage.ts";
export { type GbtModel, type GbtOptions, type GbtTree, predictGbt, trainGbt } from "./gbt.ts";
export { daysBetween, haversineKm, isoDateToEpochDay } from "./geo.ts";
export {
  ALL_AREAS,
  chooseMarketView,
  MARKET_HISTORY_DAYS,
  type MarketObservation,
  type MarketPoint,
  type MarketSettings,
  type MarketView,
  marketAreaOf,
  marketLevelsByArea,
  marketObservation,
  marketPointDates,
} from "./market.ts";
export {
  type AdjustmentRates,
  type AvmModel,
  type FsdCalibration,
  type MarketIndex,
  type ModelCoverage,
  type ModelPrediction,
  marketLevel,
  marketLogLevel,
  predictLogPrice,
} from "./model.ts";
export {
  blendEstimates,
  confidenceFromFsd,
  fsdDesign,
  fsdFromDesign,
  summarizeNeighbourhood,
  type Valuation,
  type ValuationDiagnostics,
  type ValuationMethod,
  valueProperty,
} from "./value.ts";
