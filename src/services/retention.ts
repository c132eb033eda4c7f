// Retention (docs/retention.md, migrations/0009): each cron tick deletes what is past each table's retention, in
// batches of a bounded size and a bounded number of batches per table, so a tick stays short however much has
// piled up; what is left waits for the next tick. Runs as app_admin (every tenant's rows, through its admin_all
// policies): retention is the same for every tenant, so one scan per table serves them all (oldest first by time;
// the changes feed in its own order from the sweep positions of retention_sweeps).
import { type SQL, sql } from "drizzle-orm";
import type { AdminDb } from "../db/admin.ts";

/** Changes feed retention: older changes are removed once superseded (the latest of each property stays). */
export const PROPERTY_CHANGES_RETENTION_DAYS = 30;
/** valuation_log retention; `npm run avm:monitor --days` looks back at most this far. */
export const VALUATION_LOG_RETENTION_DAYS = 365;
/** lineage_events retention (undelivered events are kept while OPENLINEAGE_URL is set). */
export const LINEAGE_EVENTS_RETENTION_DAYS = 90;

export interface RetentionLimits {
  /** Rows one statement reads (and so deletes) at most; a superseding change may delete more than one earlier. */
  batchSize: number;
  /** Statements per purge per tick at most. */
  batchesPerTable: number;
}

/**
 * 10 statements of 1,000 rows per purge: each statement one short index range scan, a tick's deletes bounded
 * (the changes feed has two purges, so 20,000 of its rows are read a tick at most).
 */
export const DEFAULT_RETENTION_LIMITS: RetentionLimits = { batchSize: 1_000, batchesPerTable: 10 };

export interface RetentionReport {
  idempotencyKeys: number;
  propertyChanges: number;
  valuationLog: number;
  lineageEvents: number;
}

export interface RetentionOptions {
  limits?: RetentionLimits;
  /**
   * Epoch ms after which no further batch starts, but the first of each purge: the cron runs retention last, and
   * a tick whose feeds used up the budget still deletes a batch of each table, so retention never starves.
   */
  deadline: number;
  now?: () => number;
  /** OPENLINEAGE_URL is set: undelivered events are kept until the cron delivers them. */
  lineageDelivery: boolean;
}

// Every delete names its rows by ctid (`ctid = any (array(...))`, a TID scan) from the select that chose them in
// the same statement: a join back on the key lets the planner hash-join a sequential scan of the whole table
// instead (test/db/retention.test.ts checks the plans). A row updated meanwhile has a new ctid and is left alone.
/** One statement of a purge: it deletes one batch and answers `deleted` and `examined` (rows it read). */
interface Purge {
  table: keyof RetentionReport;
  statement(batchSize: number, lineageDelivery: boolean): SQL;
}

const CHANGES_CUTOFF = sql`now() - make_interval(days => ${PROPERTY_CHANGES_RETENTION_DAYS})`;

/**
 * The tail of a changes sweep: deletes `doomed`, moves the tenant horizons past what it deleted (cursors before
 * them answer 410, property-changes.ts) and the sweep past the last row of `examined`, and answers the counts.
 */
function changesSweepTail(sweep: string): SQL {
  return sql`gone as (
      delete from property_changes c where c.ctid = any (array(select ctid from doomed))
      returning c.tenant_id, c.xid, c.change_id
    ), horizon as (
      insert into property_changes_horizon (tenant_id, xid, change_id)
      select distinct on (tenant_id) tenant_id, xid, change_id from gone order by tenant_id, xid desc, change_id desc
      on conflict (tenant_id) do update set xid = excluded.xid, change_id = excluded.change_id, updated_at = now()
        where (property_changes_horizon.xid, property_changes_horizon.change_id) < (excluded.xid, excluded.change_id)
    ), moved as (
      update retention_sweeps s set xid = last.xid, change_id = last.change_id
      from (select xid, change_id from examined order by xid desc, change_id desc limit 1) last
      where s.name = ${sweep} and (s.xid, s.change_id) < (last.xid, last.change_id)
    )
    select (select count(*) from gone)::int as deleted, (select count(*) from examined)::int as examined`;
}

/** The next `batchSize` changes of the feed after the sweep's position, from finished transactions only. */
function changesAfterSweep(sweep: string, batchSize: number): SQL {
  // As the feed itself reads: below the snapshot's xmin every transaction has finished, so no change can still
  // appear behind the position once the sweep has moved past it.
  return sql`select c.ctid, c.change_id, c.tenant_id, c.property_id, c.version, c.operation, c.xid, c.changed_at
    from property_changes c
    where (c.xid, c.change_id) > (select s.xid, s.change_id from retention_sweeps s where s.name = ${sweep})
      and c.xid < pg_snapshot_xmin(pg_current_snapshot())
    order by c.xid, c.change_id
    limit ${batchSize}`;
}

const purges: Purge[] = [
  {
    // An expired key is never replayed (the replay reads only keys with expires_at > now()), and a new request
    // with the key claims it afresh, so deleting it changes no answer.
    table: "idempotencyKeys",
    statement: (batchSize) => sql`
      with doomed as (
        select ctid from idempotency_keys where expires_at <= now() order by expires_at limit ${batchSize}
      ), gone as (
        delete from idempotency_keys where ctid = any (array(select ctid from doomed)) returning 1
      )
      select count(*)::int as deleted, count(*)::int as examined from gone`,
  },
  {
    // Changes as they pass the window, in feed order (the sweep waits at the first one still inside it): each is
    // deleted when a later change of its property exists (a copy gets that one) or when it is a tombstone (the
    // property is gone; a copy that saw it is past it). A property's latest change stays.
    table: "propertyChanges",
    statement: (batchSize) => sql`
      with scanned as (${changesAfterSweep("property_changes_expiry", batchSize)}),
      examined as (
        select * from (
          select scanned.*, bool_and(changed_at < ${CHANGES_CUTOFF}) over (order by xid, change_id) as past
          from scanned
        ) prefix where past
      ), doomed as (
        select r.ctid from examined r
        where r.operation = 'deleted' or exists (
          select 1 from property_changes later
          where later.tenant_id = r.tenant_id and later.property_id = r.property_id and later.version > r.version)
      ), ${changesSweepTail("property_changes_expiry")}`,
  },
  {
    // New changes, in feed order: each deletes its property's earlier changes that are already past the window
    // (the latest change of a property that had been kept, once it is superseded).
    table: "propertyChanges",
    statement: (batchSize) => sql`
      with examined as (${changesAfterSweep("property_changes_superseding", batchSize)}),
      doomed as (
        select distinct earlier.ctid from examined n
        -- offset 0 keeps this a per-row index probe: flattened into a join, the planner may hash a sequential
        -- scan of the whole table instead, work that grows with the table rather than with the batch.
        cross join lateral (
          select e.ctid from property_changes e
          where e.tenant_id = n.tenant_id and e.property_id = n.property_id and e.version < n.version
            and e.changed_at < ${CHANGES_CUTOFF}
          offset 0
        ) earlier
      ), ${changesSweepTail("property_changes_superseding")}`,
  },
  {
    table: "valuationLog",
    statement: (batchSize) => sql`
      with doomed as (
        select ctid from valuation_log
        where requested_at < now() - make_interval(days => ${VALUATION_LOG_RETENTION_DAYS})
        order by requested_at limit ${batchSize}
      ), gone as (
        delete from valuation_log where ctid = any (array(select ctid from doomed)) returning 1
      )
      select count(*)::int as deleted, count(*)::int as examined from gone`,
  },
  {
    table: "lineageEvents",
    statement: (batchSize, lineageDelivery) => sql`
      with doomed as (
        select ctid from lineage_events
        where event_time < now() - make_interval(days => ${LINEAGE_EVENTS_RETENTION_DAYS})
          ${lineageDelivery ? sql`and delivered_at is not null` : sql``}
        order by event_time limit ${batchSize}
      ), gone as (
        delete from lineage_events where ctid = any (array(select ctid from doomed)) returning 1
      )
      select count(*)::int as deleted, count(*)::int as examined from gone`,
  },
];

/** Every statement a tick runs, in order (for EXPLAIN evidence in test/db/retention.test.ts). */
export function purgeStatements(
  batchSize: number,
  lineageDelivery: boolean,
): { table: string; statement: SQL }[] {
  return purges.map((purge) => ({
    table: purge.table,
    statement: purge.statement(batchSize, lineageDelivery),
  }));
}

/**
 * Runs each purge up to batchesPerTable times (once when the deadline has passed); a purge stops early once a
 * batch reads fewer rows than its size.
 */
export async function purgeExpired(adminDb: AdminDb, options: RetentionOptions): Promise<RetentionReport> {
  const { batchSize, batchesPerTable } = options.limits ?? DEFAULT_RETENTION_LIMITS;
  const now = options.now ?? Date.now;
  const report: RetentionReport = {
    idempotencyKeys: 0,
    propertyChanges: 0,
    valuationLog: 0,
    lineageEvents: 0,
  };
  for (const purge of purges) {
    for (let batch = 0; batch < batchesPerTable && (batch === 0 || now() < options.deadline); batch++) {
      const [row] = await adminDb.execute<{ deleted: number; examined: number }>(
        purge.statement(batchSize, options.lineageDelivery),
      );
      report[purge.table] += Number(row?.deleted ?? 0);
      if (Number(row?.examined ?? 0) < batchSize) break;
    }
  }
  return report;
}
