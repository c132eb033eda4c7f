// Intake of prospect records and batch progress. Records are stored in prospect_queue in the same transaction as
// their batch and its lineage START event, before anything is sent to the queue (the outbox): if the send after
// the response fails, the cron sends them on its next tick.
import { sql } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "../db/client.ts";
import {
  CsvParseError,
  type CsvParser,
  type RawRecord,
  RECORD_FIELDS,
} from "../domain/pipeline/contracts.ts";
import { ApiError, fieldIssues, refuseNulText } from "../errors.ts";
import { lineageEvent } from "./lineage.ts";

export const MAX_INTAKE_RECORDS = 1_000;
export const MAX_INTAKE_BYTES = 2 * 1024 * 1024;

const scalarValue = z.union([z.string().max(1000), z.number().finite(), z.boolean(), z.null()]);

/** Intake checks shape only (known fields, scalar values); types and rules are judged per record downstream. */
export const rawRecordSchema = z
  .object(Object.fromEntries(RECORD_FIELDS.map((field) => [field, scalarValue.optional()])))
  .strict() as unknown as z.ZodType<RawRecord>;

export const recordCorrectionsSchema = rawRecordSchema;

const intakeSchema = z.array(rawRecordSchema).min(1).max(MAX_INTAKE_RECORDS);

/** Parses an intake body (a JSON array, or CSV with a header row) into records, or throws a 415/422 ApiError. */
export function parseIntakeBody(contentType: string, body: string, csv: CsvParser): RawRecord[] {
  const mediaType = contentType.split(";")[0]?.trim().toLowerCase();
  let candidate: unknown;
  if (mediaType === "application/json") {
    try {
      candidate = JSON.parse(body);
    } catch {
      throw new ApiError("bad_request", { detail: "The body is not valid JSON." });
    }
  } else if (mediaType === "text/csv") {
    try {
      candidate = csv.parse(body).rows;
    } catch (error) {
      if (error instanceof CsvParseError) throw new ApiError("validation_failed", { detail: error.message });
      throw error;
    }
  } else {
    throw new ApiError("unsupported_media_type", { detail: "Send application/json (an array) or text/csv." });
  }
  refuseNulText(candidate, "body", "records");
  const parsed = intakeSchema.safeParse(candidate);
  if (!parsed.success) {
    throw new ApiError("validation_failed", {
      detail: `Send 1 to ${MAX_INTAKE_RECORDS} records with known fields and scalar values.`,
      errors: fieldIssues(parsed.error, "records"),
    });
  }
  return parsed.data;
}

export interface IntakeResult {
  batchId: string;
  runId: string;
  received: number;
  createdAt: string;
}

export async function ingestProspects(
  db: Database,
  caller: { tenantId: string; userId: string },
  records: RawRecord[],
): Promise<IntakeResult> {
  const batchId = crypto.randomUUID();
  const runId = crypto.randomUUID();
  const createdAt = new Date().toISOString();
  const start = lineageEvent("START", {
    tenantId: caller.tenantId,
    batchId,
    runId,
    source: "api",
    eventTime: createdAt,
    received: records.length,
  });
  const [result] = await db.withTenant(caller.tenantId, (tx) => [
    tx.execute<{ stored: number }>(sql`
      with batch as (
        insert into ingest_batches (id, tenant_id, source, received, run_id, created_by, created_at)
        values (${batchId}, ${caller.tenantId}, 'api', ${records.length}, ${runId}, ${caller.userId},
          ${createdAt}::timestamptz)
        returning id
      ), stored as (
        insert into prospect_queue (tenant_id, batch_id, position, payload)
        select ${caller.tenantId}, batch.id, (r.position - 1)::int, r.payload
        from batch, jsonb_array_elements(${JSON.stringify(records)}::jsonb) with ordinality as r(payload, position)
        returning id
      ), started as (
        insert into lineage_events (tenant_id, batch_id, run_id, event_type, event_time, event)
        select ${caller.tenantId}, batch.id, ${runId}, 'START', ${createdAt}::timestamptz,
          ${JSON.stringify(start)}::jsonb
        from batch
      )
      select (select count(*) from stored)::int as stored`),
  ]);
  const stored = Number(result.rows[0]?.stored ?? 0);
  if (stored !== records.length) throw new ApiError("internal", { detail: "Not every record was stored." });
  return { batchId, runId, received: stored, createdAt };
}

/**
 * One rule's results in a batch. Records the rule could not evaluate (a missing value, no ZIP price range) are
 * not counted, so passRate is over the records it judged, and null when it judged none.
 */
export interface RulePassRate {
  ruleId: string;
  evaluated: number;
  passed: number;
  passRate: number | null;
}

export interface BatchProgress {
  id: string;
  source: "api" | "feed" | "resubmit";
  feedId: string | null;
  status: "running" | "completed" | "failed";
  runId: string;
  createdAt: string;
  completedAt: string | null;
  counts: { received: number; queued: number; loaded: number; quarantined: number; failed: number };
  /**
   * Records that reached a final state per second, from the batch's creation to the latest of them (null before
   * the first), and, while records are queued, when the rest will be done at that rate.
   */
  progress: { recordsPerSecond: number | null; estimatedCompletionAt: string | null };
  quality: {
    suiteVersions: string[];
    evaluated: number;
    passed: number;
    passRate: number | null;
    rules: RulePassRate[];
  };
}

const rate = (passed: number, evaluated: number) =>
  evaluated === 0 ? null : Math.round((passed / evaluated) * 10_000) / 10_000;

const iso = (value: unknown) => (value ? new Date(String(value)).toISOString() : null);

/** Throughput and completion estimate of a batch (BatchProgress.progress); exported for its unit test. */
export function batchRate(
  counts: BatchProgress["counts"],
  createdAt: unknown,
  lastProcessedAt: unknown,
  now: unknown,
): BatchProgress["progress"] {
  const done = counts.loaded + counts.quarantined + counts.failed;
  const seconds =
    (new Date(String(lastProcessedAt)).getTime() - new Date(String(createdAt)).getTime()) / 1000;
  if (!lastProcessedAt || done === 0 || !(seconds > 0))
    return { recordsPerSecond: null, estimatedCompletionAt: null };
  const perSecond = done / seconds;
  return {
    recordsPerSecond: Math.round(perSecond * 10) / 10,
    estimatedCompletionAt:
      counts.queued > 0
        ? new Date(new Date(String(now)).getTime() + (counts.queued / perSecond) * 1000).toISOString()
        : null,
  };
}

export async function getBatchProgress(
  db: Database,
  tenantId: string,
  batchId: string,
): Promise<BatchProgress> {
  const [result] = await db.withTenant(tenantId, (tx) => [
    tx.execute<Record<string, unknown>>(sql`
      select b.id, b.source, b.feed_id, b.status, b.run_id, b.created_at, b.completed_at,
        count(p.id)::int as received,
        (count(p.id) filter (where p.status in ('pending', 'sent')))::int as queued,
        (count(p.id) filter (where p.status = 'loaded'))::int as loaded,
        (count(p.id) filter (where p.status = 'quarantined'))::int as quarantined,
        (count(p.id) filter (where p.status = 'failed'))::int as failed,
        (count(p.id) filter (where p.quality_passed is not null))::int as evaluated,
        (count(p.id) filter (where p.quality_passed))::int as passed,
        max(p.processed_at) as last_processed_at, now() as db_now,
        coalesce((select jsonb_agg(s) from (
          select distinct quality_suite_version as s from prospect_queue
          where batch_id = b.id and quality_suite_version is not null order by 1) versions), '[]'::jsonb) as suites,
        coalesce((select jsonb_agg(jsonb_build_object('ruleId', rule_id, 'evaluated', evaluated, 'passed', passed)
          order by rule_id) from (
            select r->>'ruleId' as rule_id,
              (count(*) filter (where r->>'status' is distinct from 'not_evaluated'))::int as evaluated,
              (count(*) filter (where (r->>'passed')::boolean
                and r->>'status' is distinct from 'not_evaluated'))::int as passed
            from prospect_queue q, jsonb_array_elements(q.quality_results) as r
            where q.batch_id = b.id and jsonb_typeof(q.quality_results) = 'array'
            group by 1) rules), '[]'::jsonb) as rules
      from ingest_batches b left join prospect_queue p on p.batch_id = b.id and p.tenant_id = b.tenant_id
      where b.id = ${batchId}
      group by b.id`),
  ]);
  const row = result.rows[0];
  if (!row) throw new ApiError("not_found", { detail: "No such batch." });
  const evaluated = Number(row.evaluated);
  const passed = Number(row.passed);
  const counts = {
    received: Number(row.received),
    queued: Number(row.queued),
    loaded: Number(row.loaded),
    quarantined: Number(row.quarantined),
    failed: Number(row.failed),
  };
  return {
    id: String(row.id),
    source: row.source as BatchProgress["source"],
    feedId: (row.feed_id as string | null) ?? null,
    status: row.status as BatchProgress["status"],
    runId: String(row.run_id),
    createdAt: iso(row.created_at) ?? "",
    completedAt: iso(row.completed_at),
    counts,
    progress: batchRate(counts, row.created_at, row.last_processed_at, row.db_now),
    quality: {
      suiteVersions: row.suites as string[],
      evaluated,
      passed,
      passRate: rate(passed, evaluated),
      rules: (row.rules as Omit<RulePassRate, "passRate">[]).map((rule) => ({
        ...rule,
        passRate: rate(rule.passed, rule.evaluated),
      })),
    },
  };
}
