// The fields of the RESO resources this service serves: Data Dictionary 2.0 names and types, and where each value
// comes from. One table feeds $metadata, $select, $filter, $orderby and the payloads, so what the metadata declares
// is exactly what a payload can hold. Column names here are the only ones the query translation ever writes.
//
// The product's own extras are custom fields named REOS_<Name>: Data Dictionary names are letters and digits only,
// so a name with an underscore can never collide with one, in this dictionary version or a later one.
import type { LookupName } from "./lookups.ts";

export type EdmType =
  | "Edm.String"
  | "Edm.Decimal"
  | "Edm.Int64"
  | "Edm.Double"
  | "Edm.Boolean"
  | "Edm.Date"
  | "Edm.DateTimeOffset";

/** Street components are not stored: they come from the address parser when a row is read. */
export type StreetComponent =
  | "StreetNumber"
  | "StreetDirPrefix"
  | "StreetName"
  | "StreetSuffix"
  | "StreetDirSuffix"
  | "UnitNumber";

/** How a value is stored: its column and, for numbers, how the column compares (decides literal casts). */
export type FieldSource =
  | { kind: "key"; column: string }
  | {
      kind: "column";
      column: string;
      sqlType: "text" | "numeric" | "integer" | "double" | "boolean" | "date" | "timestamp";
      /** Served as the column's whole part (trunc). */
      truncate?: true;
    }
  | { kind: "street"; component: StreetComponent };

export interface FieldDefinition {
  name: string;
  type: EdmType;
  maxLength?: number;
  precision?: number;
  scale?: number;
  lookup?: LookupName;
  source: FieldSource;
  description?: string;
}

const text = (column: string) => ({ kind: "column", column, sqlType: "text" }) as const;
const numeric = (column: string) => ({ kind: "column", column, sqlType: "numeric" }) as const;
const integer = (column: string) => ({ kind: "column", column, sqlType: "integer" }) as const;
const street = (component: StreetComponent) => ({ kind: "street", component }) as const;

export const PROPERTY_KEY = "ListingKey";

export const PROPERTY_FIELDS: readonly FieldDefinition[] = [
  { name: "ListingKey", type: "Edm.String", maxLength: 255, source: { kind: "key", column: "id" } },
  { name: "ListingId", type: "Edm.String", maxLength: 255, source: text("external_ref") },
  {
    name: "StandardStatus",
    type: "Edm.String",
    maxLength: 50,
    lookup: "StandardStatus",
    source: text("status"),
  },
  {
    name: "PropertyType",
    type: "Edm.String",
    maxLength: 50,
    lookup: "PropertyType",
    source: text("property_type"),
  },
  {
    name: "PropertySubType",
    type: "Edm.String",
    maxLength: 50,
    lookup: "PropertySubType",
    source: text("property_type"),
  },
  { name: "ListPrice", type: "Edm.Decimal", precision: 15, scale: 2, source: numeric("price") },
  { name: "ClosePrice", type: "Edm.Decimal", precision: 15, scale: 2, source: numeric("closing_price") },
  {
    name: "CloseDate",
    type: "Edm.Date",
    source: { kind: "column", column: "closing_date", sqlType: "date" },
  },
  {
    name: "ModificationTimestamp",
    type: "Edm.DateTimeOffset",
    precision: 3,
    source: { kind: "column", column: "modification_timestamp", sqlType: "timestamp" },
  },
  {
    name: "OriginalEntryTimestamp",
    type: "Edm.DateTimeOffset",
    precision: 3,
    source: { kind: "column", column: "original_entry_timestamp", sqlType: "timestamp" },
  },
  { name: "BedroomsTotal", type: "Edm.Int64", source: integer("bedrooms") },
  {
    name: "BathroomsTotalInteger",
    type: "Edm.Int64",
    // Whole bathrooms: the product records halves (2.5), which REOS_BathroomsTotal keeps.
    source: { kind: "column", column: "bathrooms", sqlType: "numeric", truncate: true },
  },
  { name: "LivingArea", type: "Edm.Decimal", precision: 14, scale: 2, source: integer("sqft") },
  { name: "LotSizeSquareFeet", type: "Edm.Decimal", precision: 14, scale: 2, source: integer("lot_size") },
  {
    name: "AboveGradeFinishedArea",
    type: "Edm.Decimal",
    precision: 14,
    scale: 2,
    source: integer("sqft_above"),
  },
  {
    name: "BelowGradeFinishedArea",
    type: "Edm.Decimal",
    precision: 14,
    scale: 2,
    source: integer("sqft_basement"),
  },
  { name: "YearBuilt", type: "Edm.Int64", source: integer("year_built") },
  {
    name: "WaterfrontYN",
    type: "Edm.Boolean",
    source: { kind: "column", column: "waterfront", sqlType: "boolean" },
  },
  { name: "UnparsedAddress", type: "Edm.String", maxLength: 500, source: text("address") },
  { name: "StreetNumber", type: "Edm.String", maxLength: 25, source: street("StreetNumber") },
  { name: "StreetDirPrefix", type: "Edm.String", maxLength: 25, source: street("StreetDirPrefix") },
  { name: "StreetName", type: "Edm.String", maxLength: 50, source: street("StreetName") },
  { name: "StreetSuffix", type: "Edm.String", maxLength: 25, source: street("StreetSuffix") },
  { name: "StreetDirSuffix", type: "Edm.String", maxLength: 25, source: street("StreetDirSuffix") },
  { name: "UnitNumber", type: "Edm.String", maxLength: 25, source: street("UnitNumber") },
  { name: "City", type: "Edm.String", maxLength: 100, source: text("city") },
  {
    name: "StateOrProvince",
    type: "Edm.String",
    maxLength: 2,
    lookup: "StateOrProvince",
    source: text("state"),
  },
  { name: "PostalCode", type: "Edm.String", maxLength: 10, source: text("zip") },
  { name: "CountyOrParish", type: "Edm.String", maxLength: 100, source: text("county") },
  {
    name: "Latitude",
    type: "Edm.Decimal",
    precision: 12,
    scale: 8,
    source: { kind: "column", column: "latitude", sqlType: "double" },
  },
  {
    name: "Longitude",
    type: "Edm.Decimal",
    precision: 12,
    scale: 8,
    source: { kind: "column", column: "longitude", sqlType: "double" },
  },
  {
    name: "REOS_NormalizedAddress",
    type: "Edm.String",
    maxLength: 1000,
    source: text("normalized_address"),
    description: "The address in USPS Publication 28 form, as this product matches properties by it.",
  },
  {
    name: "REOS_CountyFips",
    type: "Edm.String",
    maxLength: 5,
    source: text("county_fips"),
    description: "The county's five-digit FIPS code.",
  },
  {
    name: "REOS_BathroomsTotal",
    type: "Edm.Decimal",
    precision: 4,
    scale: 1,
    source: numeric("bathrooms"),
    description: "Bathrooms with halves (2.5).",
  },
  {
    name: "REOS_Floors",
    type: "Edm.Decimal",
    precision: 3,
    scale: 1,
    source: numeric("floors"),
    description: "Floors (levels), with halves.",
  },
  {
    name: "REOS_ViewRating",
    type: "Edm.Int64",
    source: integer("view_rating"),
    description: "View quality, 0 (none) to 4 (excellent).",
  },
  {
    name: "REOS_ConditionRating",
    type: "Edm.Int64",
    source: integer("condition_rating"),
    description: "Condition, 1 (poor) to 5 (very good).",
  },
  {
    name: "REOS_Grade",
    type: "Edm.Int64",
    source: integer("grade"),
    description: "Construction grade, 1 to 13 (King County's scale).",
  },
  {
    name: "REOS_YearRenovated",
    type: "Edm.Int64",
    source: integer("year_renovated"),
    description: "The year of the last renovation.",
  },
  {
    name: "REOS_HazardRiskScore",
    type: "Edm.Decimal",
    precision: 6,
    scale: 2,
    source: numeric("hazard_risk_score"),
    description: "The county's FEMA National Risk Index overall score, 0 to 100.",
  },
  {
    name: "REOS_HazardRiskRating",
    type: "Edm.String",
    maxLength: 50,
    source: text("hazard_risk_rating"),
    description: "The county's FEMA National Risk Index overall rating.",
  },
  {
    name: "REOS_HazardsVersion",
    type: "Edm.String",
    maxLength: 50,
    source: text("hazards_version"),
    description: "The National Risk Index release the hazards come from.",
  },
  {
    name: "REOS_Version",
    type: "Edm.Int64",
    source: integer("version"),
    description: "The property's version; the ETag of /api/v1/properties/{id} is derived from it.",
  },
];

export const LOOKUP_KEY = "LookupKey";

/** The Lookup resource (DD 2.0): served from lookups.ts, through the same query translation as Property. */
export const LOOKUP_FIELDS: readonly FieldDefinition[] = [
  { name: "LookupKey", type: "Edm.String", maxLength: 255, source: text("lookup_key") },
  { name: "LookupName", type: "Edm.String", maxLength: 255, source: text("lookup_name") },
  { name: "LookupValue", type: "Edm.String", maxLength: 1024, source: text("lookup_value") },
  { name: "StandardLookupValue", type: "Edm.String", maxLength: 1024, source: text("standard_lookup_value") },
  { name: "LegacyODataValue", type: "Edm.String", maxLength: 1024, source: text("legacy_odata_value") },
  {
    name: "ModificationTimestamp",
    type: "Edm.DateTimeOffset",
    precision: 3,
    source: { kind: "column", column: "modification_timestamp", sqlType: "timestamp" },
  },
];
