// OpenLineage run events for ingestion batches: START when a batch is stored, COMPLETE (or FAIL, when any of its
// records ended in ingest_failures) once every record reached a final state. Events are stored in lineage_events
// with the batch and, when OPENLINEAGE_URL is set, POSTed there by the cron.
import { sql } from "drizzle-orm";
import type { AdminDb } from "../db/admin.ts";

export const LINEAGE_JOB_NAMESPACE = "real-estate-os";
const SCHEMA_URL = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/definitions/RunEvent";
const PRODUCER = "https://github.com/real-estate-os/real-estate-os/tree/main/src/ingest";

export type LineageEventType = "START" | "COMPLETE" | "FAIL";

export interface BatchRunFacts {
  tenantId: string;
  batchId: string;
  runId: string;
  source: "api" | "feed" | "resubmit";
  feedId?: string | null;
  eventTime: string;
  received: number;
  loaded?: number;
  quarantined?: number;
  failed?: number;
}

function jobName(facts: BatchRunFacts): string {
  return facts.feedId ? `ingest.feed.${facts.feedId}` : `ingest.${facts.source}`;
}

function dataset(tenantId: string, name: string, rowCount: number, kind: "input" | "output") {
  const statistics =
    kind === "input"
      ? { inputFacets: { inputStatistics: { _producer: PRODUCER, _schemaURL: `${SCHEMA_URL}`, rowCount } } }
      : {
          outputFacets: { outputStatistics: { _producer: PRODUCER, _schemaURL: `${SCHEMA_URL}`, rowCount } },
        };
  return { namespace: `postgres://real-estate-os/tenant/${tenantId}`, name, facets: {}, ...statistics };
}

export function lineageEvent(type: LineageEventType, facts: BatchRunFacts): Record<string, unknown> {
  const outputs =
    type === "START"
      ? []
      : [
          dataset(facts.tenantId, "public.properties", facts.loaded ?? 0, "output"),
          dataset(facts.tenantId, "public.prospect_queue.quarantined", facts.quarantined ?? 0, "output"),
          dataset(facts.tenantId, "public.ingest_failures", facts.failed ?? 0, "output"),
        ];
  return {
    eventType: type,
    eventTime: facts.eventTime,
    producer: PRODUCER,
    schemaURL: SCHEMA_URL,
    run: { runId: facts.runId, facets: {} },
    job: { namespace: LINEAGE_JOB_NAMESPACE, name: jobName(facts), facets: {} },
    inputs: [dataset(facts.tenantId, "public.prospect_queue", facts.received, "input")],
    outputs,
  };
}

type FinishedBatch = {
  id: string;
  tenant_id: string;
  run_id: string;
  source: BatchRunFacts["source"];
  feed_id: string | null;
  received: number;
  loaded: number;
  quarantined: number;
  failed: number;
};

/**
 * Closes running batches whose records all reached loaded, quarantined or failed, emitting the run's final
 * event in the same statement. Only the cron calls it, under its lease, so no two runs close the same batch; the
 * status and run_id guards make a repeat harmless anyway.
 */
export async function completeFinishedBatches(adminDb: AdminDb, limit = 200): Promise<number> {
  const finished = await adminDb.execute<FinishedBatch>(sql`
    select b.id, b.tenant_id, b.run_id, b.source, b.feed_id,
      count(p.id)::int as received,
      (count(p.id) filter (where p.status = 'loaded'))::int as loaded,
      (count(p.id) filter (where p.status = 'quarantined'))::int as quarantined,
      (count(p.id) filter (where p.status = 'failed'))::int as failed
    from ingest_batches b left join prospect_queue p on p.tenant_id = b.tenant_id and p.batch_id = b.id
    where b.status = 'running'
    group by b.id
    having count(p.id) filter (where p.status in ('pending', 'sent')) = 0
    order by b.created_at
    limit ${limit}`);
  if (finished.length === 0) return 0;
  const eventTime = new Date().toISOString();
  const closing = finished.map((batch) => {
    const type: LineageEventType = batch.failed > 0 ? "FAIL" : "COMPLETE";
    return {
      id: batch.id,
      tenantId: batch.tenant_id,
      runId: batch.run_id,
      status: type === "FAIL" ? "failed" : "completed",
      type,
      event: lineageEvent(type, {
        tenantId: batch.tenant_id,
        batchId: batch.id,
        runId: batch.run_id,
        source: batch.source,
        feedId: batch.feed_id,
        eventTime,
        received: Number(batch.received),
        loaded: Number(batch.loaded),
        quarantined: Number(batch.quarantined),
        failed: Number(batch.failed),
      }),
    };
  });
  await adminDb.execute(sql`
    with closing as (
      select * from jsonb_to_recordset(${JSON.stringify(closing)}::jsonb)
        as c(id uuid, "tenantId" uuid, "runId" uuid, status text, type text, event jsonb)
    ), closed as (
      update ingest_batches b set status = closing.status, completed_at = ${eventTime}::timestamptz
      from closing
      where b.id = closing.id and b.status = 'running' and b.run_id = closing."runId"
      returning b.id
    )
    insert into lineage_events (tenant_id, batch_id, run_id, event_type, event_time, event)
    select closing."tenantId", closing.id, closing."runId", closing.type, ${eventTime}::timestamptz, closing.event
    from closing join closed on closed.id = closing.id
    on conflict (tenant_id, run_id, event_type) do nothing`);
  return finished.length;
}

/** POSTs stored, undelivered events to the configured endpoint, oldest first; marks each one delivered. */
export async function deliverLineageEvents(
  adminDb: AdminDb,
  endpoint: string,
  fetcher: typeof fetch,
  limit = 100,
): Promise<number> {
  const pending = await adminDb.execute<{ id: string; event: unknown }>(sql`
    select id, event from lineage_events where delivered_at is null order by event_time, id limit ${limit}`);
  const delivered: string[] = [];
  for (const row of pending) {
    try {
      const response = await fetcher(endpoint, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(row.event),
        redirect: "manual",
        signal: AbortSignal.timeout(5_000),
      });
      await response.body?.cancel();
      if (!response.ok) break;
      delivered.push(row.id);
    } catch {
      // The endpoint is down: keep order and try the rest on a later tick.
      break;
    }
  }
  if (delivered.length > 0) {
    await adminDb.execute(sql`
      update lineage_events set delivered_at = now()
      where id in (select value::uuid from jsonb_array_elements_text(${JSON.stringify(delivered)}::jsonb))`);
  }
  return delivered.length;
}
