// The default expectation suite for property/prospect records. Error rules mirror what the properties table
// would reject anyway (so a bad row is quarantined with a reason instead of failing the whole insert) plus
// plainly impossible values; warnings flag values that are unusual but can be real.
//
// Changing a rule changes what gets quarantined: add a new suite version instead of editing this one, so
// stored validation results stay explainable by the suite id they name.

import { LISTING_STATUSES } from "../property-status.ts";
import { PROPERTY_TYPES } from "../property-types.ts";
import { US_STATE_AND_TERRITORY_CODES } from "../us-states.ts";
import type { ExpectationSuite, QualityRule } from "./types.ts";

/** Name of the context reference the price-per-sqft rule reads (see priceRangeByZip). */
export const PRICE_PER_SQFT_BY_ZIP = "pricePerSqftByZip";

const MAX_PRICE = 500_000_000;

const rules: readonly QualityRule[] = [
  {
    id: "address_required",
    expectation: "not_null",
    column: "address",
    severity: "error",
    description: "A record without an address cannot be matched, deduplicated or enriched.",
  },
  {
    id: "state_code_valid",
    expectation: "in_set",
    column: "state",
    values: US_STATE_AND_TERRITORY_CODES,
    severity: "error",
    description: "Two-letter USPS code of a state, DC or territory, upper case.",
  },
  {
    id: "zip_format",
    expectation: "match_regex",
    column: "zip",
    pattern: "^[0-9]{5}(-[0-9]{4})?$",
    severity: "error",
    description: "ZIP or ZIP+4.",
  },
  {
    id: "latitude_range",
    expectation: "between",
    column: "latitude",
    min: -90,
    max: 90,
    severity: "error",
  },
  {
    id: "longitude_range",
    expectation: "between",
    column: "longitude",
    min: -180,
    max: 180,
    severity: "error",
  },
  {
    id: "price_range",
    expectation: "between",
    column: "price",
    min: 1000,
    max: MAX_PRICE,
    severity: "error",
    description: "Below $1,000 is a placeholder or a typo (price in thousands); above $500M is a typo.",
  },
  {
    id: "bedrooms_range",
    expectation: "between",
    column: "bedrooms",
    min: 0,
    max: 100,
    severity: "error",
  },
  {
    id: "bedrooms_whole",
    expectation: "multiple_of",
    column: "bedrooms",
    step: 1,
    severity: "error",
  },
  {
    id: "bathrooms_range",
    expectation: "between",
    column: "bathrooms",
    min: 0,
    max: 100,
    severity: "error",
  },
  {
    id: "bathrooms_in_halves",
    expectation: "multiple_of",
    column: "bathrooms",
    step: 0.5,
    severity: "error",
    description: "Full and half baths only; quarter baths are rounded before import.",
  },
  {
    id: "sqft_positive",
    expectation: "between",
    column: "sqft",
    min: 0,
    strictMin: true,
    severity: "error",
  },
  {
    id: "sqft_plausible",
    expectation: "between",
    column: "sqft",
    min: 100,
    max: 100_000,
    severity: "warning",
    description:
      "Living area under 100 or over 100,000 sqft is usually a unit mix-up (acres, square metres).",
  },
  {
    id: "lot_size_non_negative",
    expectation: "between",
    column: "lotSize",
    min: 0,
    severity: "error",
  },
  {
    id: "year_built_not_future",
    expectation: "between",
    column: "yearBuilt",
    min: 1600,
    max: "currentYear",
    severity: "error",
  },
  {
    id: "lot_vs_living",
    expectation: "column_pair_greater_or_equal",
    column: "lotSize",
    otherColumn: "sqft",
    divideOtherBy: "floors",
    unless: { column: "propertyType", in: ["condo"] },
    severity: "warning",
    description:
      "The building footprint (living area / floors) should fit on the lot; condos own no lot of their own.",
  },
  {
    id: "price_per_sqft_in_zip_range",
    expectation: "within_reference_range",
    reference: PRICE_PER_SQFT_BY_ZIP,
    keyColumn: "zip",
    keyLength: 5,
    column: "price",
    per: "sqft",
    tolerance: 0.5,
    severity: "warning",
    description:
      "Price per sqft far outside the ZIP's p5-p95 range (with 50% slack) from the tenant's own data.",
  },
  {
    id: "unique_in_batch",
    expectation: "unique_within_batch",
    column: "addressHash",
    severity: "error",
    description: "The same normalized address twice in one batch; the first occurrence is kept.",
  },
  {
    id: "property_type_valid",
    expectation: "in_set",
    column: "propertyType",
    values: PROPERTY_TYPES,
    severity: "error",
  },
  {
    id: "status_valid",
    expectation: "in_set",
    column: "status",
    // A record arrives with a listing status; "deleted" is set by the API's soft delete, never by an import.
    values: LISTING_STATUSES,
    severity: "error",
  },
  {
    id: "closing_price_range",
    expectation: "between",
    column: "closingPrice",
    min: 1000,
    max: MAX_PRICE,
    severity: "error",
  },
  {
    id: "closing_date_valid",
    expectation: "date_between",
    column: "closingDate",
    min: "1900-01-01",
    max: "today",
    severity: "error",
    description: "A real calendar date, not in the future.",
  },
  {
    id: "sold_has_closing_price",
    expectation: "not_null",
    column: "closingPrice",
    when: { column: "status", in: ["sold"] },
    severity: "warning",
    description: "Sold records without a closing price cannot feed comparable-sales valuations.",
  },
];

/**
 * The first suite: price_per_sqft_in_zip_range was a warning, and the pipeline passed no ZIP ranges, so it was
 * never evaluated there. Kept so results stored under its id stay explainable.
 */
export const PROPERTIES_V1: ExpectationSuite = Object.freeze({
  id: "properties-v1",
  rules: Object.freeze(rules),
});

/**
 * properties-v2, the suite the pipeline runs: v1 with price_per_sqft_in_zip_range as an error. The pipeline now
 * judges every record against its ZIP's range from the tenant's own properties, and a price per sqft below half
 * the ZIP's p5 or above 1.5 times its p95 is almost always a unit or digit error (sqft in square metres, a
 * dropped zero), so the record is quarantined with the reason rather than loaded into comps and valuations.
 */
export const DEFAULT_SUITE: ExpectationSuite = Object.freeze({
  id: "properties-v2",
  rules: Object.freeze(
    rules.map(
      (rule): QualityRule =>
        rule.id === "price_per_sqft_in_zip_range"
          ? {
              ...rule,
              severity: "error",
              description:
                "Price per sqft far outside the ZIP's p5-p95 range (with 50% slack) from the tenant's own properties.",
            }
          : rule,
    ),
  ),
});
