export {
  DEFAULT_SUITE,
  PRICE_PER_SQFT_BY_ZIP,
  PROPERTIES_V1,
} from "./default-suite.ts";
export { evaluateBatch, evaluateRecord } from "./evaluate.ts";
export type { PriceRangeOptions, PriceSample } from "./price-reference.ts";
export { PRICE_RANGE_DEFAULTS, percentile, priceRangeByZip, referenceRange } from "./price-reference.ts";
export type * from "./types.ts";
export { assertValidSuite } from "./validate-suite.ts";
