export {
  type AccuracyMetrics,
  accuracyMetrics,
  attributesOf,
  type BacktestOptions,
  type BacktestRecord,
  backtest,
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
  marketLogLevel,
  type ModelPrediction,
  predictLogPrice,
  type ResidualKernel,
} from "./model.ts";
export {
  confidenceFromFsd,
  type Valuation,
  type ValuationDiagnostics,
  type ValuationMethod,
  type ValuationOptions,
  valueProperty,
} from "./value.ts";
