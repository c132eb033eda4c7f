// Retention (docs/retention.md, migrations/0009): each cron tick deletes what is past each table's retention, in
// batches of a bounded size and a bounded number of batches per table, so a tick stays short however much has
// piled up; what is left waits for the next tick. Runs as app_admin (every tenant's rows, through its admin_all
// policies): retention is the same for every tenant, and one oldest-first scan per table serves them all.
import { type SQL, sql } from "drizzle-orm";
import type { AdminDb } from "../db/admin.ts";

/** Changes feed retention: older changes are removed once superseded (the latest of each property stays). */
export const PROPERTY_CHANGES_RETENTION_DAYS = 30;
/** valuation_log retention; `npm run avm:monitor --days` looks back at most this far. */
export const VALUATION_LOG_RETENTION_DAYS = 365;
/** lineage_events retention (undelivered events are kept while OPENLINEAGE_URL is set). */
export const LINEAGE_EVENTS_RETENTION_DAYS = 90;

export interface RetentionLimits {
  /** Rows one delete statement removes at most. */
  batchSize: number;
  /** Delete statements per table per tick at most. */
  batchesPerTable: number;
}

/** 10 statements of 1,000 rows per table: 40,000 rows a tick at most, each statement a short index range scan. */
export const DEFAULT_RETENTION_LIMITS: RetentionLimits = { batchSize: 1_000, batchesPerTable: 10 };

export interface RetentionReport {
  idempotencyKeys: number;
  propertyChanges: number;
  valuationLog: number;
  lineageEvents: number;
}

export interface RetentionOptions {
  limits?: RetentionLimits;
  /** Epoch ms after which no further batch starts. */
  deadline: number;
  now?: () => number;
  /** OPENLINEAGE_URL is set: undelivered events are kept until the cron delivers them. */
  lineageDelivery: boolean;
}

// Each statement deletes one batch and answers how many rows it deleted.
const purges: Record<keyof RetentionReport, (batchSize: number, lineageDelivery: boolean) => SQL> = {
  // An expired key is never replayed (the replay reads only keys with expires_at > now()), and a new request
  // with the key claims it afresh, so deleting it changes no answer.
  idempotencyKeys: (batchSize) => sql`
    with doomed as (
      select tenant_id, key from idempotency_keys where expires_at <= now() order by expires_at limit ${batchSize}
    ), gone as (
      delete from idempotency_keys k using doomed where k.tenant_id = doomed.tenant_id and k.key = doomed.key
      returning 1
    )
    select count(*)::int as deleted from gone`,
  // A change past the window is deleted when a later change of its property exists (a copy gets that one) or when
  // it is a tombstone (the property is gone; a copy that saw it before is past it). The newest deleted position
  // becomes the tenant's horizon, in the same statement: cursors before it answer 410 (property-changes.ts).
  propertyChanges: (batchSize) => sql`
    with doomed as (
      select c.change_id from property_changes c
      where c.changed_at < now() - make_interval(days => ${PROPERTY_CHANGES_RETENTION_DAYS})
        and (c.operation = 'deleted' or exists (
          select 1 from property_changes later
          where later.tenant_id = c.tenant_id and later.property_id = c.property_id and later.version > c.version))
      order by c.changed_at
      limit ${batchSize}
    ), gone as (
      delete from property_changes c using doomed where c.change_id = doomed.change_id
      returning c.tenant_id, c.xid, c.change_id
    ), horizon as (
      insert into property_changes_horizon (tenant_id, xid, change_id)
      select distinct on (tenant_id) tenant_id, xid, change_id from gone order by tenant_id, xid desc, change_id desc
      on conflict (tenant_id) do update set xid = excluded.xid, change_id = excluded.change_id, updated_at = now()
        where (property_changes_horizon.xid, property_changes_horizon.change_id) < (excluded.xid, excluded.change_id)
    )
    select count(*)::int as deleted from gone`,
  valuationLog: (batchSize) => sql`
    with doomed as (
      select id from valuation_log
      where requested_at < now() - make_interval(days => ${VALUATION_LOG_RETENTION_DAYS})
      order by requested_at limit ${batchSize}
    ), gone as (
      delete from valuation_log v using doomed where v.id = doomed.id returning 1
    )
    select count(*)::int as deleted from gone`,
  lineageEvents: (batchSize, lineageDelivery) => sql`
    with doomed as (
      select id from lineage_events
      where event_time < now() - make_interval(days => ${LINEAGE_EVENTS_RETENTION_DAYS})
        ${lineageDelivery ? sql`and delivered_at is not null` : sql``}
      order by event_time limit ${batchSize}
    ), gone as (
      delete from lineage_events e using doomed where e.id = doomed.id returning 1
    )
    select count(*)::int as deleted from gone`,
};

/** Deletes up to batchesPerTable batches of each table; a table stops early once a batch comes back short. */
export async function purgeExpired(adminDb: AdminDb, options: RetentionOptions): Promise<RetentionReport> {
  const { batchSize, batchesPerTable } = options.limits ?? DEFAULT_RETENTION_LIMITS;
  const now = options.now ?? Date.now;
  const report: RetentionReport = {
    idempotencyKeys: 0,
    propertyChanges: 0,
    valuationLog: 0,
    lineageEvents: 0,
  };
  for (const table of Object.keys(purges) as (keyof RetentionReport)[]) {
    for (let batch = 0; batch < batchesPerTable && now() < options.deadline; batch++) {
      const [row] = await adminDb.execute<{ deleted: number }>(
        purges[table](batchSize, options.lineageDelivery),
      );
      const deleted = Number(row?.deleted ?? 0);
      report[table] += deleted;
      if (deleted < batchSize) break;
    }
  }
  return report;
}
