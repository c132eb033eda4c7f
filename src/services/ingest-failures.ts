// Records that did not become properties: quarantined ones (failed schema or quality rules, with every reason)
// and failed ones (retries exhausted, or their tenant was inactive). Either can be corrected and resubmitted: the
// record returns to the outbox as pending with a new revision, so it gets a new idempotency key and is processed
// afresh, and its batch reopens under a new lineage run.
import { type SQL, sql } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import type { RawRecord } from "../domain/pipeline/contracts.ts";
import { ApiError } from "../errors.ts";
import { lineageEvent } from "./lineage.ts";

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface QuarantinedRecord {
  id: string;
  batchId: string;
  revision: number;
  record: RawRecord;
  reasons: unknown[];
  qualityResults: unknown[] | null;
  qualitySuiteVersion: string | null;
  quarantinedAt: string;
}

export interface IngestFailure {
  id: string;
  prospectId: string;
  batchId: string;
  idempotencyKey: string;
  reason: string;
  error: string | null;
  attempts: number;
  status: "open" | "resubmitted";
  record: RawRecord;
  createdAt: string;
  resubmittedAt: string | null;
}

export interface Resubmitted {
  prospectId: string;
  batchId: string;
  revision: number;
}

interface Cursor {
  at: string;
  id: string;
}

export function encodeCursor(cursor: Cursor): string {
  return btoa(JSON.stringify(cursor)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

export function decodeCursor(raw: string | undefined): Cursor | null {
  if (raw === undefined) return null;
  try {
    const value = JSON.parse(atob(raw.replaceAll("-", "+").replaceAll("_", "/"))) as Partial<Cursor>;
    if (
      typeof value.at === "string" &&
      !Number.isNaN(Date.parse(value.at)) &&
      typeof value.id === "string" &&
      /^[0-9a-f-]{36}$/.test(value.id)
    ) {
      return { at: value.at, id: value.id };
    }
  } catch {
    // Falls through to the error below: a cursor the API did not issue.
  }
  throw new ApiError("invalid_cursor", { detail: "The cursor is not one this API issued." });
}

const iso = (value: unknown) => (value ? new Date(String(value)).toISOString() : null);

function pageOf<T>(
  rows: Record<string, unknown>[],
  limit: number,
  map: (row: Record<string, unknown>) => T,
  at: string,
) {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items: items.map(map),
    nextCursor:
      rows.length > limit && last ? encodeCursor({ at: iso(last[at]) ?? "", id: String(last.id) }) : null,
  };
}

const keyset = (cursor: Cursor | null, column: SQL) =>
  cursor ? sql`and (${column}, id) < (${cursor.at}::timestamptz, ${cursor.id}::uuid)` : sql``;

export async function listQuarantine(
  db: Database,
  tenantId: string,
  options: { limit: number; cursor?: string; batchId?: string },
): Promise<Page<QuarantinedRecord>> {
  const cursor = decodeCursor(options.cursor);
  const [result] = await db.withTenant(tenantId, (tx) => [
    tx.execute<Record<string, unknown>>(sql`
      select id, batch_id, revision, payload, reasons, quality_results, quality_suite_version, updated_at
      from prospect_queue
      where tenant_id = ${tenantId} and status = 'quarantined'
        ${options.batchId ? sql`and batch_id = ${options.batchId}` : sql``}
        ${keyset(cursor, sql`updated_at`)}
      order by updated_at desc, id desc
      limit ${options.limit + 1}`),
  ]);
  return pageOf(
    result.rows,
    options.limit,
    (row) => ({
      id: String(row.id),
      batchId: String(row.batch_id),
      revision: Number(row.revision),
      record: row.payload as RawRecord,
      reasons: (row.reasons as unknown[] | null) ?? [],
      qualityResults: (row.quality_results as unknown[] | null) ?? null,
      qualitySuiteVersion: (row.quality_suite_version as string | null) ?? null,
      quarantinedAt: iso(row.updated_at) ?? "",
    }),
    "updated_at",
  );
}

export async function listFailures(
  db: Database,
  tenantId: string,
  options: { limit: number; cursor?: string; status?: "open" | "resubmitted" },
): Promise<Page<IngestFailure>> {
  const cursor = decodeCursor(options.cursor);
  const [result] = await db.withTenant(tenantId, (tx) => [
    tx.execute<Record<string, unknown>>(sql`
      select f.id, f.prospect_id, f.batch_id, f.idempotency_key, f.reason, f.error, f.attempts, f.status,
        f.created_at, f.resubmitted_at, p.payload
      from ingest_failures f join prospect_queue p on p.tenant_id = f.tenant_id and p.id = f.prospect_id
      where f.tenant_id = ${tenantId}
        ${options.status ? sql`and f.status = ${options.status}` : sql``}
        ${cursor ? sql`and (f.created_at, f.id) < (${cursor.at}::timestamptz, ${cursor.id}::uuid)` : sql``}
      order by f.created_at desc, f.id desc
      limit ${options.limit + 1}`),
  ]);
  return pageOf(
    result.rows,
    options.limit,
    (row) => ({
      id: String(row.id),
      prospectId: String(row.prospect_id),
      batchId: String(row.batch_id),
      idempotencyKey: String(row.idempotency_key),
      reason: String(row.reason),
      error: (row.error as string | null) ?? null,
      attempts: Number(row.attempts),
      status: row.status as IngestFailure["status"],
      record: row.payload as RawRecord,
      createdAt: iso(row.created_at) ?? "",
      resubmittedAt: iso(row.resubmitted_at),
    }),
    "created_at",
  );
}

/**
 * Returns one record to the outbox with its corrections merged in. `target` picks the record and guards its state
 * in the same statement, so a record can be resubmitted once per failure.
 */
async function resubmit(
  db: Database,
  tenantId: string,
  target: SQL,
  corrections: RawRecord,
  failureId: string | null,
): Promise<Resubmitted> {
  const runId = crypto.randomUUID();
  const eventTime = new Date().toISOString();
  const [result] = await db.withTenant(tenantId, (tx) => [
    tx.execute<{ id: string; batch_id: string; revision: number }>(sql`
      with ${target}, resubmitted as (
        update prospect_queue p set payload = p.payload || ${JSON.stringify(corrections)}::jsonb,
          revision = p.revision + 1, status = 'pending', reasons = null, quality_results = null,
          quality_passed = null, quality_suite_version = null, claimed_until = null, sent_at = null,
          processed_at = null, property_id = null, updated_at = now()
        from target where p.id = target.prospect_id
        returning p.id, p.batch_id, p.revision
      ), reopened as (
        update ingest_batches b set status = 'running', completed_at = null, run_id = ${runId}
        where b.id in (select batch_id from resubmitted) and b.status <> 'running'
        returning b.id, b.source, b.feed_id
      ), started as (
        insert into lineage_events (tenant_id, batch_id, run_id, event_type, event_time, event)
        select ${tenantId}, reopened.id, ${runId}, 'START', ${eventTime}::timestamptz,
          jsonb_set(jsonb_set(${JSON.stringify(
            lineageEvent("START", {
              tenantId,
              batchId: "",
              runId,
              source: "resubmit",
              eventTime,
              received: 1,
            }),
          )}::jsonb, '{job,name}', to_jsonb(case when reopened.feed_id is null then 'ingest.' || reopened.source
            else 'ingest.feed.' || reopened.feed_id::text end)), '{run,facets}', '{"resubmission": true}'::jsonb)
        from reopened
      ), closed_failure as (
        update ingest_failures set status = 'resubmitted', resubmitted_at = now()
        where ${failureId}::uuid is not null and id = ${failureId}::uuid and exists (select 1 from resubmitted)
      )
      select id, batch_id, revision from resubmitted`),
  ]);
  const row = result.rows[0];
  if (!row) {
    throw new ApiError("not_found", { detail: "No such record awaiting resubmission." });
  }
  return { prospectId: row.id, batchId: row.batch_id, revision: Number(row.revision) };
}

export function resubmitQuarantined(
  db: Database,
  tenantId: string,
  prospectId: string,
  corrections: RawRecord,
): Promise<Resubmitted> {
  return resubmit(
    db,
    tenantId,
    sql`target as (
      select id as prospect_id from prospect_queue
      where tenant_id = ${tenantId} and id = ${prospectId} and status = 'quarantined' for update)`,
    corrections,
    null,
  );
}

export function resubmitFailure(
  db: Database,
  tenantId: string,
  failureId: string,
  corrections: RawRecord,
): Promise<Resubmitted> {
  return resubmit(
    db,
    tenantId,
    sql`target as (
      select f.prospect_id from ingest_failures f join prospect_queue p on p.tenant_id = f.tenant_id and p.id = f.prospect_id
      where f.tenant_id = ${tenantId} and f.id = ${failureId} and f.status = 'open' and p.status = 'failed'
      for update of f, p)`,
    corrections,
    failureId,
  );
}
