// The property as the API speaks it (camelCase, numbers as numbers, ISO timestamps) and how it maps onto the
// properties table. One mapper reads both live rows and the jsonb snapshots kept in property_changes, so a
// replayed or fed property looks exactly like a fetched one.
import { type SQL, sql } from "drizzle-orm";
import { type HazardsUnavailable, type PropertyHazards, propertyHazards } from "../domain/geo/hazards.ts";
import type { ListingStatus } from "../domain/property-status.ts";
import type { PropertyType } from "../domain/property-types.ts";

/** Every field a client may write, in the state a write leaves (absent optional fields are null). */
export interface PropertyFields {
  externalRef: string | null;
  address: string;
  city: string | null;
  state: string | null;
  zip: string | null;
  county: string | null;
  countyFips: string | null;
  latitude: number | null;
  longitude: number | null;
  price: number | null;
  bedrooms: number | null;
  bathrooms: number | null;
  sqft: number | null;
  lotSize: number | null;
  yearBuilt: number | null;
  propertyType: PropertyType;
  floors: number | null;
  waterfront: boolean | null;
  viewRating: number | null;
  conditionRating: number | null;
  grade: number | null;
  sqftAbove: number | null;
  sqftBasement: number | null;
  yearRenovated: number | null;
  status: ListingStatus;
  closingPrice: number | null;
  closingDate: string | null;
}

export interface Property extends PropertyFields {
  id: string;
  normalizedAddress: string;
  /** The county's FEMA NRI hazards, looked up when the property was written (migrations/0008). */
  hazards: PropertyHazards | null;
  /** Why `hazards` is null; null when there are hazards. */
  hazardsUnavailable: HazardsUnavailable | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

type Kind = "text" | "numeric" | "integer" | "double" | "boolean" | "date";

/** Writable field -> column and SQL type. Column names only ever come from this table. */
export const WRITABLE_COLUMNS: Readonly<Record<keyof PropertyFields, { column: string; kind: Kind }>> = {
  externalRef: { column: "external_ref", kind: "text" },
  address: { column: "address", kind: "text" },
  city: { column: "city", kind: "text" },
  state: { column: "state", kind: "text" },
  zip: { column: "zip", kind: "text" },
  county: { column: "county", kind: "text" },
  countyFips: { column: "county_fips", kind: "text" },
  latitude: { column: "latitude", kind: "double" },
  longitude: { column: "longitude", kind: "double" },
  price: { column: "price", kind: "numeric" },
  bedrooms: { column: "bedrooms", kind: "integer" },
  bathrooms: { column: "bathrooms", kind: "numeric" },
  sqft: { column: "sqft", kind: "integer" },
  lotSize: { column: "lot_size", kind: "integer" },
  yearBuilt: { column: "year_built", kind: "integer" },
  propertyType: { column: "property_type", kind: "text" },
  floors: { column: "floors", kind: "numeric" },
  waterfront: { column: "waterfront", kind: "boolean" },
  viewRating: { column: "view_rating", kind: "integer" },
  conditionRating: { column: "condition_rating", kind: "integer" },
  grade: { column: "grade", kind: "integer" },
  sqftAbove: { column: "sqft_above", kind: "integer" },
  sqftBasement: { column: "sqft_basement", kind: "integer" },
  yearRenovated: { column: "year_renovated", kind: "integer" },
  status: { column: "status", kind: "text" },
  closingPrice: { column: "closing_price", kind: "numeric" },
  closingDate: { column: "closing_date", kind: "date" },
};

export const WRITABLE_FIELDS = Object.keys(WRITABLE_COLUMNS) as (keyof PropertyFields)[];

const CASTS: Record<Kind, string> = {
  text: "text",
  numeric: "numeric",
  integer: "integer",
  double: "double precision",
  boolean: "boolean",
  date: "date",
};

/** A typed bind parameter for a writable field's value. */
export function fieldValue(field: keyof PropertyFields, value: unknown): SQL {
  const { kind } = WRITABLE_COLUMNS[field];
  return sql`${value ?? null}::${sql.raw(CASTS[kind])}`;
}

export function column(field: keyof PropertyFields): SQL {
  return sql.raw(WRITABLE_COLUMNS[field].column);
}

export type Row = Record<string, unknown>;

/** The rows of one statement's result as the Neon driver answers them. */
export function rowsOf(result: unknown): Row[] {
  return (result as { rows: Row[] }).rows;
}

/** The columns a property is read with, as a jsonb document (also the shape of the changes' snapshots). */
export const PROPERTY_DOCUMENT = sql.raw(
  "to_jsonb(p) - 'tenant_id' - 'search_vector' - 'price_sort_asc' - 'price_sort_desc' - 'sqft_sort'" +
    " - 'hazard_risk_sort_asc' - 'hazard_risk_sort_desc'",
);

const numberOrNull = (value: unknown): number | null => (value == null ? null : Number(value));
const textOrNull = (value: unknown): string | null => (value == null ? null : String(value));
const timestamp = (value: unknown): string => new Date(String(value)).toISOString();

/** Maps a properties row (snake_case; text, number or jsonb values) to the API's Property. */
export function propertyFromRecord(record: Record<string, unknown>): Property {
  return {
    id: String(record.id),
    externalRef: textOrNull(record.external_ref),
    address: String(record.address),
    city: textOrNull(record.city),
    state: textOrNull(record.state),
    zip: textOrNull(record.zip),
    county: textOrNull(record.county),
    countyFips: textOrNull(record.county_fips),
    latitude: numberOrNull(record.latitude),
    longitude: numberOrNull(record.longitude),
    normalizedAddress: String(record.normalized_address),
    price: numberOrNull(record.price),
    bedrooms: numberOrNull(record.bedrooms),
    bathrooms: numberOrNull(record.bathrooms),
    sqft: numberOrNull(record.sqft),
    lotSize: numberOrNull(record.lot_size),
    yearBuilt: numberOrNull(record.year_built),
    propertyType: String(record.property_type) as PropertyType,
    floors: numberOrNull(record.floors),
    waterfront: record.waterfront == null ? null : Boolean(record.waterfront),
    viewRating: numberOrNull(record.view_rating),
    conditionRating: numberOrNull(record.condition_rating),
    grade: numberOrNull(record.grade),
    sqftAbove: numberOrNull(record.sqft_above),
    sqftBasement: numberOrNull(record.sqft_basement),
    yearRenovated: numberOrNull(record.year_renovated),
    status: String(record.status) as ListingStatus,
    closingPrice: numberOrNull(record.closing_price),
    closingDate: record.closing_date == null ? null : String(record.closing_date).slice(0, 10),
    ...propertyHazards(record),
    version: Number(record.version),
    createdAt: timestamp(record.created_at),
    updatedAt: timestamp(record.updated_at),
  };
}

/** The writable state of a stored property, for merging a patch into. */
export function fieldsOf(property: Property): PropertyFields {
  const fields = {} as Record<string, unknown>;
  for (const field of WRITABLE_FIELDS) fields[field] = property[field];
  return fields as unknown as PropertyFields;
}
