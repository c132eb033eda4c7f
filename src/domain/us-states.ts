// USPS two-letter state codes, one list for the API's schemas and the quality suite.

// biome-ignore format: a table reads better than 56 lines
/** The 50 states, DC and the inhabited territories: places with counties (FEMA's NRI covers the territories). */
export const US_STATE_AND_TERRITORY_CODES = [
  "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY", "LA",
  "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK",
  "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY",
  "DC", "PR", "VI", "GU", "AS", "MP",
] as const;

/** The military "states" (Armed Forces Americas, Europe, Pacific): mailing addresses, without a county. */
const MILITARY_STATE_CODES = ["AA", "AE", "AP"] as const;

/** Every USPS state code: the states, DC, the inhabited territories and the military "states". */
export const US_STATE_CODES = [...US_STATE_AND_TERRITORY_CODES, ...MILITARY_STATE_CODES] as const;

export type UsStateCode = (typeof US_STATE_CODES)[number];
