// The list query: filters, the sort allowlist and keyset pagination, built as one parameterized statement.
// Sort expressions and column names come only from the tables below; every value is a bind parameter.
import { type SQL, sql } from "drizzle-orm";
import type { RiskRating } from "../domain/geo/hazards.ts";
import { type BoundingBox, boundingBoxAround, EARTH_RADIUS_KM } from "../domain/geo.ts";
import type { ListPosition, PropertySort, SortKey } from "../domain/list-cursor.ts";
import type { ListingStatus } from "../domain/property-status.ts";
import type { PropertyType } from "../domain/property-types.ts";
import { PROPERTY_DOCUMENT, type Property } from "./property-records.ts";

export interface PropertyFilters {
  statuses?: ListingStatus[];
  city?: string;
  state?: string;
  /** Five digits (matches any ZIP+4 in it) or ZIP+4 (exact). */
  zip?: string;
  propertyTypes?: PropertyType[];
  minPrice?: number;
  maxPrice?: number;
  minBedrooms?: number;
  maxBedrooms?: number;
  minBathrooms?: number;
  maxBathrooms?: number;
  minSqft?: number;
  maxSqft?: number;
  minYearBuilt?: number;
  maxYearBuilt?: number;
  bbox?: BoundingBox;
  near?: { lat: number; lng: number; radiusKm: number };
  /** Words to find in the address, each as a prefix. */
  q?: string;
  /** FEMA NRI overall risk ratings, any of which matches (properties without hazards never do). */
  riskRatings?: RiskRating[];
}

interface SortDefinition {
  /** The column its index (migrations/0002) is built on, so the keyset comparison is an index bound. */
  column: string;
  direction: "asc" | "desc";
  cast: string;
  /** The cursor key of the last row served: its ISO timestamp, or the generated sort column's value as text. */
  keyOf(property: Property, sortColumnText: unknown): SortKey;
}

export const SORTS: Readonly<Record<PropertySort, SortDefinition>> = {
  newest: { column: "created_at", direction: "desc", cast: "timestamptz", keyOf: (p) => p.createdAt },
  updated: { column: "updated_at", direction: "desc", cast: "timestamptz", keyOf: (p) => p.updatedAt },
  price: { column: "price_sort_asc", direction: "asc", cast: "bigint", keyOf: (_, text) => String(text) },
  "-price": {
    column: "price_sort_desc",
    direction: "desc",
    cast: "bigint",
    keyOf: (_, text) => String(text),
  },
  sqft: { column: "sqft_sort", direction: "asc", cast: "integer", keyOf: (_, text) => String(text) },
  riskScore: {
    column: "hazard_risk_sort_asc",
    direction: "asc",
    cast: "integer",
    keyOf: (_, text) => String(text),
  },
  "-riskScore": {
    column: "hazard_risk_sort_desc",
    direction: "desc",
    cast: "integer",
    keyOf: (_, text) => String(text),
  },
};

/** Prefix terms for to_tsquery: only letters and digits survive, so no tsquery syntax can be injected. */
export function prefixTsQuery(q: string): string | undefined {
  const words =
    q
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu)
      ?.slice(0, 8) ?? [];
  return words.length ? words.map((word) => `${word}:*`).join(" & ") : undefined;
}

function longitudeWithin(minLng: number, maxLng: number): SQL {
  // A box whose west edge is east of its east edge crosses the antimeridian.
  return minLng <= maxLng
    ? sql`longitude between ${minLng}::double precision and ${maxLng}::double precision`
    : sql`(longitude >= ${minLng}::double precision or longitude <= ${maxLng}::double precision)`;
}

function boxConditions(box: BoundingBox): SQL[] {
  return [
    sql`latitude between ${box.minLat}::double precision and ${box.maxLat}::double precision`,
    longitudeWithin(box.minLng, box.maxLng),
  ];
}

export function filterConditions(tenantId: string, filters: PropertyFilters): SQL[] {
  const conditions: SQL[] = [sql`tenant_id = ${tenantId}::uuid`, sql`deleted_at is null`];
  const range = (column: string, min: number | undefined, max: number | undefined, cast: string) => {
    if (min !== undefined) conditions.push(sql`${sql.raw(column)} >= ${min}::${sql.raw(cast)}`);
    if (max !== undefined) conditions.push(sql`${sql.raw(column)} <= ${max}::${sql.raw(cast)}`);
  };
  if (filters.statuses?.length) {
    conditions.push(
      sql`status in (${sql.join(
        filters.statuses.map((status) => sql`${status}`),
        sql`, `,
      )})`,
    );
  }
  if (filters.propertyTypes?.length) {
    conditions.push(
      sql`property_type in (${sql.join(
        filters.propertyTypes.map((type) => sql`${type}`),
        sql`, `,
      )})`,
    );
  }
  if (filters.riskRatings?.length) {
    conditions.push(
      sql`hazard_risk_rating in (${sql.join(
        filters.riskRatings.map((rating) => sql`${rating}`),
        sql`, `,
      )})`,
    );
  }
  // Only leakproof comparisons (see migrations/0002) so that, under row-level security, they can be index bounds.
  if (filters.city !== undefined) conditions.push(sql`city = ${filters.city}`);
  if (filters.state !== undefined) conditions.push(sql`state = ${filters.state}`);
  if (filters.zip !== undefined) {
    // Five digits match that ZIP and every ZIP+4 in it: the range ['98101', '98101-9999'].
    if (filters.zip.length > 5) conditions.push(sql`zip = ${filters.zip}`);
    else conditions.push(sql`zip >= ${filters.zip} and zip <= ${`${filters.zip}-9999`}`);
  }
  if (filters.minPrice !== undefined || filters.maxPrice !== undefined) {
    conditions.push(sql`price is not null`);
    const cents = (price: number | undefined) => (price === undefined ? undefined : Math.round(price * 100));
    range("price_sort_asc", cents(filters.minPrice), cents(filters.maxPrice), "bigint");
  }
  range("bedrooms", filters.minBedrooms, filters.maxBedrooms, "integer");
  range("bathrooms", filters.minBathrooms, filters.maxBathrooms, "numeric");
  range("sqft", filters.minSqft, filters.maxSqft, "integer");
  range("year_built", filters.minYearBuilt, filters.maxYearBuilt, "integer");
  if (filters.bbox) conditions.push(...boxConditions(filters.bbox));
  if (filters.near) {
    const { lat, lng, radiusKm } = filters.near;
    // The box lets the geo index find the candidates; the great-circle distance then trims the corners.
    conditions.push(...boxConditions(boundingBoxAround(lat, lng, radiusKm)));
    conditions.push(sql`2 * ${EARTH_RADIUS_KM}::double precision * asin(least(1, sqrt(
      power(sin(radians(latitude - ${lat}::double precision) / 2), 2) +
      cos(radians(${lat}::double precision)) * cos(radians(latitude)) *
      power(sin(radians(longitude - ${lng}::double precision) / 2), 2)))) <= ${radiusKm}::double precision`);
  }
  if (filters.q !== undefined) {
    const tsQuery = prefixTsQuery(filters.q);
    if (tsQuery) conditions.push(sql`search_vector @@ to_tsquery('simple', ${tsQuery})`);
  }
  return conditions;
}

/** The statement for one page: `limit + 1` rows, so the caller knows whether another page follows. */
export function listStatement(
  tenantId: string,
  filters: PropertyFilters,
  sort: PropertySort,
  after: ListPosition | undefined,
  limit: number,
): SQL {
  const definition = SORTS[sort];
  const conditions = filterConditions(tenantId, filters);
  const sortColumn = sql.raw(definition.column);
  const direction = sql.raw(definition.direction);
  if (after) {
    const comparison = sql.raw(definition.direction === "asc" ? ">" : "<");
    const cast = sql.raw(definition.cast);
    conditions.push(sql`(${sortColumn}, id) ${comparison} (${after.key}::${cast}, ${after.id}::uuid)`);
  }
  return sql`select ${PROPERTY_DOCUMENT} as document, ${sortColumn}::text as sort_key
    from properties p
    where ${sql.join(conditions, sql` and `)}
    order by ${sortColumn} ${direction}, id ${direction}
    limit ${limit + 1}`;
}
