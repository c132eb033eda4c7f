// Idempotency-Key on POST /properties. The key is claimed by the statement that inserts the property, so the
// property, its change and its key commit together or not at all. A key still held (not expired) is not
// claimed again: the same statement reads back the result stored under it, and the caller replays it, refuses a
// key reused for another request (422), or answers 409 while the first request is still in flight.
import { type SQL, sql } from "drizzle-orm";
import { canonicalJson } from "../domain/canonical-json.ts";
import { sha256Hex } from "../domain/sha256.ts";
import { ApiError } from "../errors.ts";
import { type Property, propertyFromRecord, type Row } from "./property-records.ts";

/** How long an Idempotency-Key's result is kept and replayed. */
export const IDEMPOTENCY_KEY_TTL_HOURS = 24;

export interface IdempotencyRequest {
  key: string;
  /** SHA-256 of the canonical request (see idempotencyFingerprint). */
  requestHash: string;
}

/**
 * The key as stored: SHA-256 of the caller's user id and the client's key. Keys belong to the caller, as payment
 * APIs scope them to the account: another user of the same tenant sending the same key gets nothing of the
 * first user's (their request runs as its own), and the table's key (tenant_id, key) and every version of the
 * code that reads it stay as they are. The digest keeps the client's key text out of the database too.
 */
export function scopedIdempotencyKey(userId: string, key: string): Promise<string> {
  return sha256Hex(`${userId}\u0000${key}`);
}

/** The SHA-256 an Idempotency-Key is bound to: method, path and the body with its keys sorted. */
export function idempotencyFingerprint(method: string, path: string, body: unknown): Promise<string> {
  return sha256Hex(canonicalJson({ method: method.toUpperCase(), path, body }));
}

/** The pieces of the create statement that handle a key; all empty without one. */
export interface IdempotentInsert {
  /** A `claim` CTE (followed by a comma) that takes the key for `propertyId` unless a live one holds it. */
  claim: SQL;
  /** The condition that lets the insert run only if this statement claimed the key. */
  onlyIfClaimed: SQL;
  /** A `union all` branch answering ('stored', snapshot, request_hash) of the result the key already holds. */
  stored: SQL;
}

export function idempotentInsert(
  tenantId: string,
  propertyId: string,
  idempotency: IdempotencyRequest | undefined,
): IdempotentInsert {
  if (!idempotency) return { claim: sql``, onlyIfClaimed: sql``, stored: sql`` };
  return {
    claim: sql`claim as (
        insert into idempotency_keys (tenant_id, key, request_hash, property_id, response_status, expires_at)
        values (${tenantId}::uuid, ${idempotency.key}, ${idempotency.requestHash}, ${propertyId}::uuid, 201,
          now() + make_interval(hours => ${IDEMPOTENCY_KEY_TTL_HOURS}))
        on conflict (tenant_id, key) do update
          set request_hash = excluded.request_hash, property_id = excluded.property_id,
            response_status = excluded.response_status, created_at = excluded.created_at,
            expires_at = excluded.expires_at
          where idempotency_keys.expires_at <= now()
        returning 1
      ),`,
    onlyIfClaimed: sql`where exists (select 1 from claim)`,
    // The stored result is visible only once the statement that claimed the key has committed.
    stored: sql`union all
      select 'stored', c.snapshot, k.request_hash
      from idempotency_keys k
      left join property_changes c
        on c.tenant_id = k.tenant_id and c.property_id = k.property_id and c.operation = 'created'
      where k.tenant_id = ${tenantId}::uuid and k.key = ${idempotency.key} and k.expires_at > now()
        and not exists (select 1 from claim)`,
  };
}

/** The property to replay when the statement created nothing; throws when there is none to replay. */
export function replayedProperty(
  outcome: Row | undefined,
  idempotency: IdempotencyRequest | undefined,
): Property {
  if (idempotency && outcome?.outcome === "stored" && outcome.document) {
    if (outcome.request_hash !== idempotency.requestHash) {
      throw new ApiError("idempotency_key_reused", {
        detail: "This Idempotency-Key was used with a different request.",
      });
    }
    return propertyFromRecord(outcome.document as Row);
  }
  // The key exists but its result is not visible to this statement: the first request is still in flight.
  throw new ApiError("idempotency_conflict", {
    detail: "A request with this Idempotency-Key is still being processed; retry later.",
    headers: { "Retry-After": "1" },
  });
}
