// Per-ZIP price-per-sqft reference ranges for the price_per_sqft_in_zip_range rule, computed from a tenant's
// own records. Percentiles rather than mean +- k*sd, because sale prices are skewed and the very outliers the
// rule hunts would otherwise widen the range that is supposed to catch them.
//
// This file defines the semantics (sample filter, type-7 percentiles, minimum sample size, rounding to cents).
// The pipeline computes the same thing in SQL at scale (src/services/price-ranges.ts: PostgreSQL's percentile_cont
// is the same linear interpolation) from these defaults, and rounds what it reads with referenceRange below;
// test/db/zip-price-ranges.test.ts proves both give identical ranges.

import { normalizeZip } from "../geo/zip-locations.ts";
import type { ReferenceRange } from "./types.ts";

export interface PriceSample {
  zip: string | null | undefined;
  price: number | null | undefined;
  sqft: number | null | undefined;
}

/** The reference defaults: p5..p95, and no reference for a ZIP with fewer than 10 usable samples. */
export const PRICE_RANGE_DEFAULTS = Object.freeze({ minSamples: 10, lowPercentile: 5, highPercentile: 95 });

export interface PriceRangeOptions {
  /** ZIPs with fewer usable samples get no reference (the rule then reports "not evaluated"). Default 10. */
  minSamples?: number;
  /** Lower and upper percentiles, 0-100. Default 5 and 95. */
  lowPercentile?: number;
  highPercentile?: number;
}

/** Linear-interpolation percentile (the common "type 7") of an ascending, non-empty array. */
export function percentile(sorted: readonly number[], percent: number): number {
  if (sorted.length === 0) throw new Error("percentile of an empty sample");
  const position = (percent / 100) * (sorted.length - 1);
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const lowValue = sorted[lower] as number;
  const highValue = sorted[upper] as number;
  return lowValue + (highValue - lowValue) * (position - lower);
}

function roundCents(value: number): number {
  return Math.round(value * 100) / 100;
}

/** A reference range from unrounded percentiles of price per sqft: dollars and cents, as the rule reports them. */
export function referenceRange(values: {
  low: number;
  median: number;
  high: number;
  sampleSize: number;
}): ReferenceRange {
  return {
    low: roundCents(values.low),
    high: roundCents(values.high),
    median: roundCents(values.median),
    sampleSize: values.sampleSize,
  };
}

/**
 * Groups samples by 5-digit ZIP and returns p-low / median / p-high of price per sqft for each ZIP with enough
 * samples. Samples without a valid ZIP, or with a non-positive or non-finite price or sqft, are ignored.
 */
export function priceRangeByZip(
  samples: Iterable<PriceSample>,
  options: PriceRangeOptions = {},
): Map<string, ReferenceRange> {
  const minSamples = options.minSamples ?? PRICE_RANGE_DEFAULTS.minSamples;
  const lowPercentile = options.lowPercentile ?? PRICE_RANGE_DEFAULTS.lowPercentile;
  const highPercentile = options.highPercentile ?? PRICE_RANGE_DEFAULTS.highPercentile;
  if (!(lowPercentile >= 0 && lowPercentile < highPercentile && highPercentile <= 100)) {
    throw new Error(`invalid percentiles ${lowPercentile}/${highPercentile}`);
  }
  if (!(Number.isInteger(minSamples) && minSamples >= 1)) throw new Error(`invalid minSamples ${minSamples}`);

  const valuesByZip = new Map<string, number[]>();
  for (const sample of samples) {
    const zip = normalizeZip(sample.zip);
    const { price, sqft } = sample;
    if (zip === null || typeof price !== "number" || typeof sqft !== "number") continue;
    if (!(Number.isFinite(price) && Number.isFinite(sqft) && price > 0 && sqft > 0)) continue;
    let values = valuesByZip.get(zip);
    if (values === undefined) {
      values = [];
      valuesByZip.set(zip, values);
    }
    values.push(price / sqft);
  }

  const ranges = new Map<string, ReferenceRange>();
  for (const [zip, values] of valuesByZip) {
    if (values.length < minSamples) continue;
    values.sort((a, b) => a - b);
    ranges.set(
      zip,
      referenceRange({
        low: percentile(values, lowPercentile),
        median: percentile(values, 50),
        high: percentile(values, highPercentile),
        sampleSize: values.length,
      }),
    );
  }
  return ranges;
}
