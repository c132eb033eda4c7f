// Consumers of the enrichment queue and of its dead-letter queue. Each message is acked or retried on its own,
// so one bad record never makes its neighbours run again.
//
// enrichment:     transient failures (database unavailable or slow, upstream 5xx/429) retry with exponential
//                 backoff and jitter; permanent ones (schema or quality failures, constraint violations) are
//                 quarantined with their reasons and acked. After max_retries, Queues moves the message to the DLQ.
// dead letters:   (the queue ENRICHMENT_DEAD_LETTER_QUEUE names: enrichment-dlq, enrichment-dlq-staging, ...)
//                 records the message in ingest_failures (visible and resubmittable through the API) and acks.
import { eq } from "drizzle-orm";
import { createDatabase, type Database } from "../../src/db/client.ts";
import { properties } from "../../src/db/schema.ts";
import { loadSettings, type Settings } from "../../src/env.ts";
import { type BatchEvent, logBatchEvent } from "../../src/observability/batch-log.ts";
import { type PipelineOutcome, recordPipelineRuns } from "../../src/observability/metrics.ts";
import { type BackoffPolicy, backoffMs } from "../../src/retry.ts";
import { indexProperties } from "../../src/services/comps-index.ts";
import { type EnrichOutcome, enrichProspect, recordFailure } from "../../src/services/enrichment.ts";
import type { PipelineDependencies } from "../../src/services/pipeline-dependencies.ts";
import { type EnrichmentMessage, enrichmentMessageSchema } from "./message.ts";

/** Matches wrangler.toml's max_retries for the enrichment consumer. */
export const MAX_RETRIES = 3;

// Jittered so a burst of failures does not come back in step, but never below half the ceiling: with only
// MAX_RETRIES redeliveries, waits drawn near zero would spend them all in the first seconds of an outage.
const REDELIVERY_BACKOFF: BackoffPolicy = { baseMs: 10_000, maxMs: 15 * 60_000, floor: 0.5 };

/** Seconds Queues waits before delivering a message again after delivery `attempts` failed. */
export function backoff(attempts: number, random = Math.random): number {
  return Math.max(1, Math.round(backoffMs(attempts, REDELIVERY_BACKOFF, random) / 1000));
}

/**
 * Whether a batch comes from the dead-letter queue. Decided by configuration, not by the name's shape: each
 * environment names its queues differently (enrichment-dlq, enrichment-dlq-staging, ...), and
 * ENRICHMENT_DEAD_LETTER_QUEUE is the dead_letter_queue its wrangler.toml section declares.
 */
export function isDeadLetterQueue(queueName: string, env: Env): boolean {
  return queueName === loadSettings(env).deadLetterQueue;
}

function log(level: "info" | "warn" | "error", msg: string, fields: Record<string, unknown>) {
  const line = JSON.stringify({ level, msg, ...fields });
  if (level === "error") console.error(line);
  else console.log(line);
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function parseMessage(message: Message): EnrichmentMessage | null {
  const parsed = enrichmentMessageSchema.safeParse(message.body);
  if (parsed.success) return parsed.data;
  // No tenant can be trusted from a body that does not validate, so there is no tenant to record it under.
  log("error", "enrichment message rejected", {
    messageId: message.id,
    issues: parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`),
  });
  return null;
}

function databaseFor(env: Env): Database {
  const settings = loadSettings(env);
  return createDatabase({ url: settings.databaseUrl, timeoutMs: settings.dbTimeoutMs });
}

/**
 * What became of one message: acked with its enrichment outcome, "rejected" when unreadable, "dead_lettered" when
 * the DLQ consumer recorded it (a "duplicate" when it already was), or retried.
 */
type MessageResult = {
  tenantId?: string;
  outcome: EnrichOutcome["kind"] | "rejected" | "dead_lettered" | "retried";
};

/** The metric outcome of a message result (docs/metrics.md): what the operator queries and alerts count. */
const METRIC_OUTCOMES: Record<MessageResult["outcome"], PipelineOutcome> = {
  loaded: "ok",
  quarantined: "quarantined",
  duplicate: "skipped",
  tenant_missing: "skipped",
  prospect_missing: "skipped",
  tenant_inactive: "failed",
  rejected: "failed",
  retried: "retried",
  dead_lettered: "dead_lettered",
};

/**
 * The batch's pipeline_step points (step "enrich" or "dead_letter"): one per tenant and outcome, each message
 * counted with `durationMs`.
 */
function recordBatchMetrics(env: Env, step: string, results: MessageResult[], durationMs: number) {
  recordPipelineRuns(
    env.METRICS,
    step,
    results.map((result) => ({
      tenantId: result.tenantId,
      outcome: METRIC_OUTCOMES[result.outcome],
      durationMs,
    })),
  );
}

/** The batch's wide event: counts by result, tenants, the highest delivery attempt. */
function batchEvent(batch: MessageBatch, results: MessageResult[], durationMs: number): BatchEvent {
  const count = (outcome: MessageResult["outcome"]) =>
    results.filter((result) => result.outcome === outcome).length;
  return {
    queue: batch.queue,
    messages: batch.messages.length,
    acked: results.length - count("retried"),
    retried: count("retried"),
    quarantined: count("quarantined"),
    deadLettered: count("dead_lettered"),
    tenants: new Set(results.map((result) => result.tenantId).filter(Boolean)).size,
    maxAttempts: Math.max(0, ...batch.messages.map((message) => message.attempts)),
    durationMs,
  };
}

export async function consumeEnrichmentBatch(
  batch: MessageBatch,
  env: Env,
  deps: PipelineDependencies,
): Promise<void> {
  const started = performance.now();
  const db = databaseFor(env);
  const settings = loadSettings(env);
  // Messages are independent (each its own transactions, its own ack), so their round trips overlap.
  const results = await Promise.all(batch.messages.map((message) => consumeOne(db, settings, deps, message)));
  const durationMs = performance.now() - started;
  // Messages of a batch run side by side, so each one took about the batch's time.
  recordBatchMetrics(env, "enrich", results, durationMs);
  logBatchEvent(settings.logLevel, batchEvent(batch, results, durationMs));
}

/**
 * Hands a loaded property to the comps index. The property is committed whatever happens here, so a failure is
 * logged, not retried: `npm run vector:backfill` re-embeds anything the index missed.
 */
async function indexLoadedProperty(db: Database, settings: Settings, tenantId: string, propertyId: string) {
  try {
    const [rows] = await db.withTenant(tenantId, (tx) => [
      tx.select().from(properties).where(eq(properties.id, propertyId)),
    ]);
    await indexProperties({ settings, db }, tenantId, rows);
  } catch (error) {
    log("warn", "loaded property not indexed", { tenantId, propertyId, error: describe(error) });
  }
}

async function consumeOne(
  db: Database,
  settings: Settings,
  deps: PipelineDependencies,
  message: Message,
): Promise<MessageResult> {
  const body = parseMessage(message);
  if (!body) {
    message.ack();
    return { outcome: "rejected" };
  }
  const fields = { messageId: message.id, tenantId: body.tenantId, prospectId: body.prospectId };
  try {
    const outcome = await enrichProspect(db, deps, body);
    if (outcome.kind === "loaded") {
      await indexLoadedProperty(db, settings, body.tenantId, outcome.propertyId);
    } else if (outcome.kind === "tenant_inactive") {
      await recordFailure(db, body, {
        reason: "tenant_inactive",
        error: "The tenant is suspended; the record was not enriched.",
        attempts: message.attempts,
      });
    } else if (outcome.kind === "tenant_missing" || outcome.kind === "prospect_missing") {
      // The tenant (and with it the record) is gone: there is nothing left to write to.
      log("warn", "enrichment message for missing data", { ...fields, outcome: outcome.kind });
    }
    message.ack();
    return { tenantId: body.tenantId, outcome: outcome.kind };
  } catch (error) {
    // Permanent problems of a record were quarantined inside enrichProspect; what is thrown is the database or
    // an upstream failing, worth another delivery. An error that keeps recurring ends in the DLQ and is recorded.
    const delaySeconds = backoff(message.attempts);
    log("warn", "enrichment message retried", {
      ...fields,
      attempts: message.attempts,
      delaySeconds,
      error: describe(error),
    });
    message.retry({ delaySeconds });
    return { tenantId: body.tenantId, outcome: "retried" };
  }
}

export async function consumeDeadLetterBatch(batch: MessageBatch, env: Env): Promise<void> {
  const started = performance.now();
  const db = databaseFor(env);
  const results: MessageResult[] = [];
  for (const message of batch.messages) {
    const body = parseMessage(message);
    if (!body) {
      message.ack();
      results.push({ outcome: "rejected" });
      continue;
    }
    try {
      const recorded = await recordFailure(db, body, {
        reason: "retries_exhausted",
        error: `Enrichment did not succeed after ${MAX_RETRIES + 1} deliveries.`,
        attempts: MAX_RETRIES + 1,
      });
      log(recorded ? "error" : "info", "enrichment dead letter", {
        messageId: message.id,
        tenantId: body.tenantId,
        prospectId: body.prospectId,
        recorded,
      });
      message.ack();
      results.push({ tenantId: body.tenantId, outcome: recorded ? "dead_lettered" : "duplicate" });
    } catch (error) {
      log("error", "dead letter not recorded", { messageId: message.id, error: describe(error) });
      message.retry({ delaySeconds: backoff(message.attempts) });
      results.push({ tenantId: body.tenantId, outcome: "retried" });
    }
  }
  const durationMs = performance.now() - started;
  // One message after the other here, so each one's share is the mean.
  recordBatchMetrics(env, "dead_letter", results, durationMs / Math.max(1, results.length));
  logBatchEvent(loadSettings(env).logLevel, batchEvent(batch, results, durationMs));
}
