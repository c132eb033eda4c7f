// Property records: create, read, list, replace, patch and soft delete. Every statement runs inside withTenant
// (row-level security) and names the tenant itself too. A write is one SQL statement that also appends its
// change to property_changes (read back by property-changes.ts) and, for POST with an Idempotency-Key, claims the
// key (property-idempotency.ts), so the row, its change and its key commit together or not at all in one HTTP
// round trip.
import { type SQL, sql } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { AddressNotRecognizedError, addressIdentity } from "../domain/address-identity.ts";
import { canonicalJson } from "../domain/canonical-json.ts";
import {
  decodeListCursor,
  encodeListCursor,
  InvalidCursorError,
  type PropertySort,
} from "../domain/list-cursor.ts";
import { applyMergePatch, propertyRuleIssues } from "../domain/property-rules.ts";
import { allowedPredecessors, canTransition, type ListingStatus } from "../domain/property-status.ts";
import { sha256Hex } from "../domain/sha256.ts";
import { ApiError } from "../errors.ts";
import { type IdempotencyRequest, idempotentInsert, replayedProperty } from "./property-idempotency.ts";
import {
  column,
  fieldsOf,
  fieldValue,
  PROPERTY_DOCUMENT,
  type Property,
  type PropertyFields,
  propertyFromRecord,
  type Row,
  rowsOf,
  WRITABLE_FIELDS,
} from "./property-records.ts";
import { listStatement, type PropertyFilters, SORTS } from "./property-search.ts";

export type { Property, PropertyFields } from "./property-records.ts";
export type { PropertyFilters } from "./property-search.ts";

const ADDRESS_HASH_CONSTRAINT = "properties_tenant_address_hash_key";
const DOCUMENT = PROPERTY_DOCUMENT;

export interface CreateResult {
  property: Property;
  /** True when an Idempotency-Key replay answered with the original result and created nothing. */
  replayed: boolean;
}

export interface PropertyPage {
  items: Property[];
  nextCursor: string | null;
}

function notFound(): ApiError {
  return new ApiError("not_found", { detail: "No such property." });
}

function staleVersion(currentVersion: number): ApiError {
  return new ApiError("precondition_failed", {
    detail: "The property has changed since the ETag in If-Match was issued.",
    extensions: { currentVersion },
  });
}

function versionList(versions: readonly number[]): SQL {
  return sql.join(
    versions.map((version) => sql`${version}::integer`),
    sql`, `,
  );
}

function assertValidState(fields: PropertyFields): void {
  const errors = propertyRuleIssues(fields);
  if (errors.length)
    throw new ApiError("validation_failed", { detail: "The property is not valid.", errors });
}

function illegalTransition(from: ListingStatus, to: ListingStatus): ApiError {
  return new ApiError("validation_failed", {
    detail: `A property cannot move from ${from} to ${to}.`,
    errors: [{ field: "status", message: `Cannot change from ${from} to ${to}.` }],
  });
}

async function identityColumns(fields: PropertyFields) {
  try {
    return await addressIdentity({
      address: fields.address,
      city: fields.city,
      state: fields.state,
      zip: fields.zip,
    });
  } catch (error) {
    if (!(error instanceof AddressNotRecognizedError)) throw error;
    throw new ApiError("validation_failed", {
      detail: "The address could not be recognized.",
      errors: [{ field: "address", message: "needs a street address, PO box or parcel number" }],
    });
  }
}

/** Turns a unique violation on the address into 409 duplicate_address naming the live property that holds it. */
async function duplicateAddressError(
  db: Database,
  tenantId: string,
  addressHash: string,
  error: unknown,
): Promise<ApiError | undefined> {
  const cause = error instanceof ApiError ? (error.cause as { constraint?: string } | undefined) : undefined;
  if (cause?.constraint !== ADDRESS_HASH_CONSTRAINT) return undefined;
  const [result] = await db.withTenant(tenantId, (tx) => [
    tx.execute(sql`select id from properties
      where tenant_id = ${tenantId}::uuid and address_hash = ${addressHash} and deleted_at is null`),
  ]);
  const existingId = rowsOf(result)[0]?.id;
  return new ApiError("duplicate_address", {
    detail: "A property with this address already exists.",
    extensions: existingId ? { existingId: String(existingId) } : {},
    cause: error,
  });
}

export async function createProperty(
  db: Database,
  tenantId: string,
  fields: PropertyFields,
  idempotency?: IdempotencyRequest,
): Promise<CreateResult> {
  assertValidState(fields);
  const identity = await identityColumns(fields);
  const id = crypto.randomUUID();
  const columns = WRITABLE_FIELDS.map((field) => column(field));
  const values = WRITABLE_FIELDS.map((field) => fieldValue(field, fields[field]));
  const { claim, onlyIfClaimed, stored } = idempotentInsert(tenantId, id, idempotency);
  const statement = sql`with ${claim}
    inserted as (
      insert into properties as p (id, tenant_id, normalized_address, address_hash, ${sql.join(columns, sql`, `)})
      select ${id}::uuid, ${tenantId}::uuid, ${identity.normalizedAddress}, ${identity.addressHash},
        ${sql.join(values, sql`, `)}
      ${onlyIfClaimed}
      returning ${DOCUMENT} as document
    ),
    change as (
      insert into property_changes (tenant_id, property_id, operation, version, snapshot)
      select ${tenantId}::uuid, (document->>'id')::uuid, 'created', (document->>'version')::integer, document
      from inserted
    )
    select 'created' as outcome, document, null as request_hash from inserted
    ${stored}`;

  let rows: Row[];
  try {
    const [result] = await db.withTenant(tenantId, (tx) => [tx.execute(statement)]);
    rows = rowsOf(result);
  } catch (error) {
    throw (await duplicateAddressError(db, tenantId, identity.addressHash, error)) ?? error;
  }
  const outcome = rows[0];
  if (outcome?.outcome === "created") {
    return { property: propertyFromRecord(outcome.document as Row), replayed: false };
  }
  return { property: replayedProperty(outcome, idempotency), replayed: true };
}

export async function getProperty(db: Database, tenantId: string, id: string): Promise<Property> {
  const [result] = await db.withTenant(tenantId, (tx) => [
    tx.execute(sql`select ${DOCUMENT} as document from properties p
      where tenant_id = ${tenantId}::uuid and id = ${id}::uuid and deleted_at is null`),
  ]);
  const row = rowsOf(result)[0];
  if (!row) throw notFound();
  return propertyFromRecord(row.document as Row);
}

export interface ListOptions {
  filters: PropertyFilters;
  sort: PropertySort;
  limit: number;
  cursor?: string;
}

/** A short digest of the filters, carried in cursors so a cursor is only honoured for the list it came from. */
export async function filterFingerprint(filters: PropertyFilters): Promise<string> {
  return (await sha256Hex(canonicalJson(filters))).slice(0, 16);
}

export async function listProperties(
  db: Database,
  tenantId: string,
  options: ListOptions,
): Promise<PropertyPage> {
  const fingerprint = await filterFingerprint(options.filters);
  let after: ReturnType<typeof decodeListCursor> | undefined;
  if (options.cursor !== undefined) {
    try {
      after = decodeListCursor(options.cursor, { sort: options.sort, filterFingerprint: fingerprint });
    } catch (error) {
      if (error instanceof InvalidCursorError) {
        throw new ApiError("invalid_cursor", {
          detail: "The cursor is not valid for this list (tampered, or made for another sort or filters).",
        });
      }
      throw error;
    }
  }
  const [result] = await db.withTenant(tenantId, (tx) => [
    tx.execute(listStatement(tenantId, options.filters, options.sort, after, options.limit)),
  ]);
  const rows = rowsOf(result);
  const items = rows.slice(0, options.limit).map((row) => propertyFromRecord(row.document as Row));
  const last = items.at(-1);
  const lastRow = rows[options.limit - 1];
  const nextCursor =
    rows.length > options.limit && last && lastRow
      ? encodeListCursor({
          sort: options.sort,
          filterFingerprint: fingerprint,
          key: SORTS[options.sort].keyOf(last, lastRow.sort_key),
          id: last.id,
        })
      : null;
  return { items, nextCursor };
}

/**
 * PUT: the body is the whole new state (absent optional fields become null). `expectedVersions` are the
 * versions If-Match names; the write happens only if the property is at one of them and its status may move to
 * the new one, in a single statement that also reports, from the same snapshot, why nothing was written.
 */
export async function replaceProperty(
  db: Database,
  tenantId: string,
  id: string,
  fields: PropertyFields,
  expectedVersions: readonly number[],
): Promise<Property> {
  assertValidState(fields);
  const identity = await identityColumns(fields);
  const assignments = WRITABLE_FIELDS.map(
    (field) => sql`${column(field)} = ${fieldValue(field, fields[field])}`,
  );
  const predecessors = allowedPredecessors(fields.status);
  const statement = sql`with target as (
      select version, status from properties
      where tenant_id = ${tenantId}::uuid and id = ${id}::uuid and deleted_at is null
    ),
    updated as (
      update properties p set ${sql.join(assignments, sql`, `)},
        normalized_address = ${identity.normalizedAddress}, address_hash = ${identity.addressHash},
        version = p.version + 1, updated_at = now()
      where tenant_id = ${tenantId}::uuid and id = ${id}::uuid and deleted_at is null
        and version in (${versionList(expectedVersions)})
        and status in (${sql.join(
          predecessors.map((status) => sql`${status}`),
          sql`, `,
        )})
      returning ${DOCUMENT} as document
    ),
    change as (
      insert into property_changes (tenant_id, property_id, operation, version, snapshot)
      select ${tenantId}::uuid, ${id}::uuid, 'updated', (document->>'version')::integer, document from updated
    )
    select (select version from target) as current_version, (select status from target) as current_status,
      (select document from updated) as document`;
  let row: Row | undefined;
  try {
    const [result] = await db.withTenant(tenantId, (tx) => [tx.execute(statement)]);
    row = rowsOf(result)[0];
  } catch (error) {
    throw (await duplicateAddressError(db, tenantId, identity.addressHash, error)) ?? error;
  }
  if (row?.document) return propertyFromRecord(row.document as Row);
  if (row?.current_version == null) throw notFound();
  const currentVersion = Number(row.current_version);
  const currentStatus = row.current_status as ListingStatus;
  if (!expectedVersions.includes(currentVersion)) throw staleVersion(currentVersion);
  if (!canTransition(currentStatus, fields.status)) throw illegalTransition(currentStatus, fields.status);
  // Same version and a legal move, yet nothing was written: a concurrent write got there in between.
  throw staleVersion(currentVersion);
}

/**
 * PATCH (JSON merge patch): reads the current state, merges, validates the result and writes it back on the
 * condition that the version is still the one merged into (two round trips; a write in between answers 412).
 */
export async function patchProperty(
  db: Database,
  tenantId: string,
  id: string,
  patch: Partial<PropertyFields>,
  expectedVersions: readonly number[],
): Promise<Property> {
  const current = await getProperty(db, tenantId, id);
  if (!expectedVersions.includes(current.version)) throw staleVersion(current.version);
  const merged = applyMergePatch(fieldsOf(current), patch);
  if (!canTransition(current.status, merged.status)) throw illegalTransition(current.status, merged.status);
  return replaceProperty(db, tenantId, id, merged, [current.version]);
}

/** Soft delete: the row stays (status deleted, deleted_at set) and the feed gets a tombstone. */
export async function deleteProperty(
  db: Database,
  tenantId: string,
  id: string,
  expectedVersions: readonly number[],
): Promise<void> {
  const [result] = await db.withTenant(tenantId, (tx) => [
    tx.execute(sql`with target as (
        select version from properties
        where tenant_id = ${tenantId}::uuid and id = ${id}::uuid and deleted_at is null
      ),
      deleted as (
        update properties set status = 'deleted', deleted_at = now(), updated_at = now(), version = version + 1
        where tenant_id = ${tenantId}::uuid and id = ${id}::uuid and deleted_at is null
          and version in (${versionList(expectedVersions)})
        returning version
      ),
      change as (
        insert into property_changes (tenant_id, property_id, operation, version, snapshot)
        select ${tenantId}::uuid, ${id}::uuid, 'deleted', version, null from deleted
      )
      select (select version from target) as current_version, (select version from deleted) as deleted_version`),
  ]);
  const row = rowsOf(result)[0];
  if (row?.deleted_version != null) return;
  if (row?.current_version == null) throw notFound();
  throw staleVersion(Number(row.current_version));
}
