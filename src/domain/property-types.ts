// The kinds of property the platform records: the API's schemas, the drizzle mirror of the table, the pipeline's
// record schema and the quality suite all read this one list.
export const PROPERTY_TYPES = [
  "single_family",
  "condo",
  "townhouse",
  "multi_family",
  "manufactured",
  "land",
  "other",
] as const;

export type PropertyType = (typeof PROPERTY_TYPES)[number];
