// Drizzle mirror of the SQL in migrations/ for typed queries. The SQL migrations are the one source of truth
// (roles, policies, checks and indexes live only there); test/db/schema-mirror.test.ts fails when a column
// here and the migrated database disagree.
import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  customType,
  date,
  doublePrecision,
  integer,
  jsonb,
  pgTable,
  smallint,
  text,
  uuid,
} from "drizzle-orm/pg-core";
import { LISTING_STATUSES } from "../domain/property-status.ts";
import { PROPERTY_TYPES } from "../domain/property-types.ts";

// Timestamps are read as ISO 8601 strings on every path: drizzle's neon-http driver replaces the Neon driver's
// date parsers process-wide (they return Postgres's text form), so the mapping is done here, not by the driver.
const isoTimestamp = customType<{ data: string; driverData: string }>({
  dataType: () => "timestamp with time zone",
  fromDriver: (value) => new Date(value).toISOString(),
  toDriver: (value) => value,
});

const numericNumber = customType<{ data: number; driverData: string }>({
  dataType: () => "numeric",
  fromDriver: (value) => Number(value),
  toDriver: (value) => String(value),
});

const tsvector = customType<{ data: string }>({ dataType: () => "tsvector" });

export const tenants = pgTable("tenants", {
  id: uuid("id").primaryKey().defaultRandom(),
  slug: text("slug").notNull(),
  name: text("name").notNull(),
  status: text("status", { enum: ["active", "suspended"] }).notNull(),
  plan: text("plan").notNull(),
  createdAt: isoTimestamp("created_at").notNull().default(sql`now()`),
  updatedAt: isoTimestamp("updated_at").notNull().default(sql`now()`),
});

export const users = pgTable("users", {
  id: uuid("id").primaryKey().defaultRandom(),
  tenantId: uuid("tenant_id").notNull(),
  subject: text("subject").notNull(),
  email: text("email"),
  name: text("name"),
  roles: text("roles").array().notNull(),
  status: text("status", { enum: ["active", "disabled"] }).notNull(),
  createdAt: isoTimestamp("created_at").notNull().default(sql`now()`),
  updatedAt: isoTimestamp("updated_at").notNull().default(sql`now()`),
  lastSeenAt: isoTimestamp("last_seen_at").notNull().default(sql`now()`),
});

/** A listing status, or "deleted" after the API's soft delete. */
export const PROPERTY_STATUSES = [...LISTING_STATUSES, "deleted"] as const;

export const properties = pgTable("properties", {
  id: uuid("id").primaryKey().defaultRandom(),
  tenantId: uuid("tenant_id").notNull(),
  externalRef: text("external_ref"),
  address: text("address").notNull(),
  city: text("city"),
  state: text("state"),
  zip: text("zip"),
  county: text("county"),
  countyFips: text("county_fips"),
  latitude: doublePrecision("latitude"),
  longitude: doublePrecision("longitude"),
  normalizedAddress: text("normalized_address").notNull(),
  addressHash: text("address_hash").notNull(),
  price: numericNumber("price"),
  bedrooms: integer("bedrooms"),
  bathrooms: numericNumber("bathrooms"),
  sqft: integer("sqft"),
  lotSize: integer("lot_size"),
  yearBuilt: integer("year_built"),
  propertyType: text("property_type", { enum: PROPERTY_TYPES }).notNull(),
  floors: numericNumber("floors"),
  waterfront: boolean("waterfront"),
  viewRating: smallint("view_rating"),
  conditionRating: smallint("condition_rating"),
  grade: smallint("grade"),
  sqftAbove: integer("sqft_above"),
  sqftBasement: integer("sqft_basement"),
  yearRenovated: integer("year_renovated"),
  status: text("status", { enum: PROPERTY_STATUSES }).notNull(),
  closingPrice: numericNumber("closing_price"),
  closingDate: date("closing_date", { mode: "string" }),
  hazardRiskScore: numericNumber("hazard_risk_score"),
  hazardRiskRating: text("hazard_risk_rating"),
  hazards: jsonb("hazards"),
  hazardsVersion: text("hazards_version"),
  hazardsCountyFips: text("hazards_county_fips"),
  qualityResults: jsonb("quality_results"),
  qualitySuiteVersion: text("quality_suite_version"),
  version: integer("version").notNull().default(1),
  createdAt: isoTimestamp("created_at").notNull().default(sql`now()`),
  updatedAt: isoTimestamp("updated_at").notNull().default(sql`now()`),
  deletedAt: isoTimestamp("deleted_at"),
  // RESO ModificationTimestamp and OriginalEntryTimestamp, stamped by a trigger from the tenant's clock (0010).
  modificationTimestamp: isoTimestamp("modification_timestamp").notNull(),
  originalEntryTimestamp: isoTimestamp("original_entry_timestamp").notNull(),
  searchVector: tsvector("search_vector"),
  // Generated sort keys (migrations/0002): integer so keyset bounds stay index conditions under RLS.
  priceSortAsc: bigint("price_sort_asc", { mode: "bigint" }).generatedAlwaysAs(
    sql`coalesce((price * 100)::bigint, 9223372036854775807)`,
  ),
  priceSortDesc: bigint("price_sort_desc", { mode: "bigint" }).generatedAlwaysAs(
    sql`coalesce((price * 100)::bigint, -1)`,
  ),
  sqftSort: integer("sqft_sort").generatedAlwaysAs(sql`coalesce(sqft, 2147483647)`),
  // Risk sort keys (migrations/0008), filled from the hazard columns the trigger sets.
  hazardRiskSortAsc: integer("hazard_risk_sort_asc").generatedAlwaysAs(
    sql`coalesce((hazard_risk_score * 100)::integer, 2147483647)`,
  ),
  hazardRiskSortDesc: integer("hazard_risk_sort_desc").generatedAlwaysAs(
    sql`coalesce((hazard_risk_score * 100)::integer, -1)`,
  ),
});

// Idempotency-Key results of POST /api/v1/properties (migrations/0002).
export const idempotencyKeys = pgTable("idempotency_keys", {
  tenantId: uuid("tenant_id").notNull(),
  key: text("key").notNull(),
  requestHash: text("request_hash").notNull(),
  propertyId: uuid("property_id").notNull(),
  responseStatus: smallint("response_status").notNull(),
  createdAt: isoTimestamp("created_at").notNull().default(sql`now()`),
  expiresAt: isoTimestamp("expires_at").notNull(),
});

const xid8 = customType<{ data: string }>({ dataType: () => "xid8" });

// The properties changes feed (migrations/0002): written by the same statement as each property write.
export const propertyChanges = pgTable("property_changes", {
  changeId: bigint("change_id", { mode: "bigint" }).primaryKey().generatedAlwaysAsIdentity(),
  tenantId: uuid("tenant_id").notNull(),
  propertyId: uuid("property_id").notNull(),
  operation: text("operation", { enum: ["created", "updated", "deleted"] }).notNull(),
  version: integer("version").notNull(),
  xid: xid8("xid").notNull().default(sql`pg_current_xact_id()`),
  changedAt: isoTimestamp("changed_at").notNull().default(sql`now()`),
  snapshot: jsonb("snapshot"),
});

// Where the retention purge cut each tenant's changes feed (migrations/0009): the newest change it deleted.
export const propertyChangesHorizon = pgTable("property_changes_horizon", {
  tenantId: uuid("tenant_id").primaryKey(),
  xid: xid8("xid").notNull(),
  changeId: bigint("change_id", { mode: "bigint" }).notNull(),
  updatedAt: isoTimestamp("updated_at").notNull().default(sql`now()`),
});

// Per-ZIP price-per-sqft reference ranges of the quality rule price_per_sqft_in_zip_range (migrations/0006).
export const zipPriceRanges = pgTable("zip_price_ranges", {
  tenantId: uuid("tenant_id").notNull(),
  zip: text("zip").notNull(),
  low: doublePrecision("low").notNull(),
  median: doublePrecision("median").notNull(),
  high: doublePrecision("high").notNull(),
  sampleSize: integer("sample_size").notNull(),
  computedAt: isoTimestamp("computed_at").notNull().default(sql`now()`),
});

// When each tenant's ranges were last recomputed (migrations/0006).
export const zipPriceRangeRefreshes = pgTable("zip_price_range_refreshes", {
  tenantId: uuid("tenant_id").primaryKey(),
  refreshedAt: isoTimestamp("refreshed_at").notNull().default(sql`now()`),
  zips: integer("zips").notNull().default(0),
  samples: integer("samples").notNull().default(0),
});

// Each tenant's RESO clock: the last ModificationTimestamp it stamped (migrations/0010).
export const resoClocks = pgTable("reso_clocks", {
  tenantId: uuid("tenant_id").primaryKey(),
  lastStamp: isoTimestamp("last_stamp").notNull(),
});

export const schema = {
  tenants,
  users,
  properties,
  idempotencyKeys,
  propertyChanges,
  propertyChangesHorizon,
  zipPriceRanges,
  zipPriceRangeRefreshes,
  resoClocks,
};
