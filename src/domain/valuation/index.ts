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
export { type GbtModel, type GbtOptions, type GbtTree, predictGbt, trainGbt } from "./gbt.ts";
export { daysBetween, haversineKm } from "./geo.ts";
export {
  type AdjustmentRates,
  type AvmModel,
  type FsdCalibration,
  type MarketIndex,
  type ModelPrediction,
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
