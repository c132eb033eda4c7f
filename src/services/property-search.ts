// The list query: filters, the sort allowlist and keyset pagination, built as one parameterized statement.
// Sort expressions and column names come only from the tables below; every value is a bind parameter.
import { type SQL, sql } from "drizzle-orm";
import { type BoundingBox, boundingBoxAround, EARTH_RADIUS_KM } from "../domain/geo.ts";
import type { ListPosition, PropertySort, SortKey } from "../domain/list-cursor.ts";
import type { ListingStatus } from "../domain/property-status.ts";
import type { Property, PropertyType } from "./property-records.ts";

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
}

interface SortDefinition {
  /** Exactly the expression its index is built on (migrations/0002), so the keyset comparison is an index bound. */
  expression: string;
  direction: "asc" | "desc";
  cast: string;
  /** What an unknown value sorts as; unknown prices and sizes come last. */
  nullAs?: string;
  keyOf(property: Property): SortKey;
}

export const SORTS: Readonly<Record<PropertySort, SortDefinition>> = {
  newest: { expression: "created_at", direction: "desc", cast: "timestamptz", keyOf: (p) => p.createdAt },
  updated: { expression: "updated_at", direction: "desc", cast: "timestamptz", keyOf: (p) => p.updatedAt },
  price: {
    expression: "coalesce(price, 'Infinity'::numeric)",
    direction: "asc",
    cast: "numeric",
    nullAs: "'Infinity'::numeric",
    keyOf: (p) => p.price,
  },
  "-price": {
    expression: "coalesce(price, -1::numeric)",
    direction: "desc",
    cast: "numeric",
    nullAs: "-1::numeric",
    keyOf: (p) => p.price,
  },
  sqft: {
    expression: "coalesce(sqft, 2147483647)",
    direction: "asc",
    cast: "integer",
    nullAs: "2147483647",
    keyOf: (p) => p.sqft,
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
  if (filters.city !== undefined) conditions.push(sql`lower(city) = lower(${filters.city})`);
  if (filters.state !== undefined) conditions.push(sql`state = ${filters.state}`);
  if (filters.zip !== undefined) {
    conditions.push(sql`left(zip, 5) = ${filters.zip.slice(0, 5)}`);
    if (filters.zip.length > 5) conditions.push(sql`zip = ${filters.zip}`);
  }
  range("price", filters.minPrice, filters.maxPrice, "numeric");
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
  const expression = sql.raw(definition.expression);
  const direction = sql.raw(definition.direction);
  if (after) {
    const comparison = sql.raw(definition.direction === "asc" ? ">" : "<");
    const cast = sql.raw(definition.cast);
    const key =
      definition.nullAs === undefined
        ? sql`${after.key}::${cast}`
        : sql`coalesce(${after.key}::${cast}, ${sql.raw(definition.nullAs)})`;
    conditions.push(sql`(${expression}, id) ${comparison} (${key}, ${after.id}::uuid)`);
  }
  return sql`select to_jsonb(p) - 'tenant_id' - 'search_vector' as document
    from properties p
    where ${sql.join(conditions, sql` and `)}
    order by ${expression} ${direction}, id ${direction}
    limit ${limit + 1}`;
}
