// Consumers of the enrichment queue and of its dead-letter queue. Each message is acked or retried on its own,
// so one bad record never makes its neighbours run again.
//
// enrichment:     transient failures (database unavailable or slow, upstream 5xx/429) retry with exponential
//                 backoff and jitter; permanent ones (schema or quality failures, constraint violations) are
//                 quarantined with their reasons and acked. After max_retries, Queues moves the message to the DLQ.
// dead letters:   (the queue ENRICHMENT_DEAD_LETTER_QUEUE names: enrichment-dlq, enrichment-dlq-staging, ...)
//                 records the message in ingest_failures (visible and resubmittable through the API) and acks.
import { inArray } from "drizzle-orm";
import { createDatabase, type Database } from "../../src/db/client.ts";
import { properties } from "../../src/db/schema.ts";
import { loadSettings, type Settings } from "../../src/env.ts";
import { bumpTenantGenerations } from "../../src/middleware/edge-cache.ts";
import { type BatchEvent, logBatchEvent } from "../../src/observability/batch-log.ts";
import { type PipelineOutcome, recordPipelineRuns } from "../../src/observability/metrics.ts";
import { type BackoffPolicy, backoffMs } from "../../src/retry.ts";
import { indexProperties } from "../../src/services/comps-index.ts";
import {
  constraintReason,
  type EnrichOutcome,
  enrichProspect,
  loadProspects,
  type PlannedWrite,
  planProspect,
  recordFailure,
  writeEnriched,
} from "../../src/services/enrichment.ts";
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
  const results: MessageResult[] = [];
  const byTenant = new Map<string, Delivery[]>();
  for (const message of batch.messages) {
    const body = parseMessage(message);
    if (!body) {
      message.ack();
      results.push({ outcome: "rejected" });
      continue;
    }
    byTenant.set(body.tenantId, [...(byTenant.get(body.tenantId) ?? []), { message, body }]);
  }
  // Each tenant's messages are one chunk (its own transactions, its own acks), so tenants' round trips overlap.
  const chunks = await Promise.all(
    [...byTenant].map(([tenantId, deliveries]) => consumeChunk(db, settings, deps, tenantId, deliveries)),
  );
  results.push(...chunks.flat());
  // Loaded properties change what the tenants' cached reads return: their next reads must miss.
  const loaded = results
    .filter((result) => result.outcome === "loaded")
    .map((result) => result.tenantId ?? "");
  await bumpTenantGenerations(env, settings, loaded);
  const durationMs = performance.now() - started;
  // Messages of a batch run side by side, so each one took about the batch's time.
  recordBatchMetrics(env, "enrich", results, durationMs);
  logBatchEvent(settings.logLevel, batchEvent(batch, results, durationMs));
}

interface Delivery {
  message: Message;
  body: EnrichmentMessage;
}

/**
 * Hands loaded properties to the comps index: one read and one index write for the chunk. The properties are
 * committed whatever happens here, so a failure is logged, not retried: `npm run vector:backfill` re-embeds
 * anything the index missed.
 */
async function indexLoadedProperties(db: Database, settings: Settings, tenantId: string, ids: string[]) {
  if (ids.length === 0) return;
  try {
    const [rows] = await db.withTenant(tenantId, (tx) => [
      tx.select().from(properties).where(inArray(properties.id, ids)),
    ]);
    await indexProperties({ settings, db }, tenantId, rows);
  } catch (error) {
    log("warn", "loaded properties not indexed", {
      tenantId,
      properties: ids.length,
      error: describe(error),
    });
  }
}

function retry(delivery: Delivery, error: unknown): MessageResult {
  const { message, body } = delivery;
  const delaySeconds = backoff(message.attempts);
  log("warn", "enrichment message retried", {
    messageId: message.id,
    tenantId: body.tenantId,
    prospectId: body.prospectId,
    attempts: message.attempts,
    delaySeconds,
    error: describe(error),
  });
  message.retry({ delaySeconds });
  return { tenantId: body.tenantId, outcome: "retried" };
}

/**
 * One tenant's messages of a batch, set-based: one round trip loads every record (with its ZIP's price range),
 * the Worker enriches them, one round trip writes them all (services/enrichment.ts, writeEnriched), and one read
 * and one upsert index the loaded ones. A lookup failing for one record retries that message alone; the database
 * failing retries the chunk; a constraint violation (a record's own fault, but whose?) splits the chunk into
 * single-record writes, so only the record at fault is quarantined.
 */
async function consumeChunk(
  db: Database,
  settings: Settings,
  deps: PipelineDependencies,
  tenantId: string,
  deliveries: Delivery[],
): Promise<MessageResult[]> {
  // The same message twice in one batch: one delivery does the work, the other is acked as a duplicate.
  const unique = new Map<string, Delivery>();
  const results: MessageResult[] = [];
  for (const delivery of deliveries) {
    if (unique.has(delivery.body.idempotencyKey)) {
      delivery.message.ack();
      results.push({ tenantId, outcome: "duplicate" });
    } else unique.set(delivery.body.idempotencyKey, delivery);
  }
  const pending = [...unique.values()];
  const done = new Set<Delivery>();
  try {
    const { tenantStatus, rows } = await loadProspects(
      db,
      tenantId,
      pending.map((delivery) => delivery.body.prospectId),
    );
    const planned = await Promise.all(
      pending.map(async (delivery) => {
        try {
          const row = rows.get(delivery.body.prospectId);
          return { delivery, plan: await planProspect(db, deps, delivery.body, tenantStatus, row) };
        } catch (error) {
          return { delivery, error };
        }
      }),
    );
    const writes: PlannedWrite[] = [];
    for (const item of planned) {
      if (item.plan && item.plan.kind !== "final")
        writes.push({ message: item.delivery.body, plan: item.plan });
    }
    let written: Map<string, EnrichOutcome>;
    try {
      written = await writeEnriched(db, tenantId, deps.quality.suiteVersion, writes);
    } catch (error) {
      if (!constraintReason(error)) throw error;
      written = new Map();
      for (const write of writes) {
        written.set(write.message.prospectId, await enrichProspect(db, deps, write.message));
      }
    }
    const loaded: string[] = [];
    for (const { delivery, plan, error } of planned) {
      const { message, body } = delivery;
      if (!plan) {
        results.push(retry(delivery, error));
        done.add(delivery);
        continue;
      }
      const outcome =
        plan.kind === "final" ? plan.outcome : (written.get(body.prospectId) ?? { kind: "duplicate" });
      if (outcome.kind === "loaded") loaded.push(outcome.propertyId);
      else if (outcome.kind === "tenant_inactive") {
        await recordFailure(db, body, {
          reason: "tenant_inactive",
          error: "The tenant is suspended; the record was not enriched.",
          attempts: message.attempts,
        });
      } else if (outcome.kind === "tenant_missing" || outcome.kind === "prospect_missing") {
        // The tenant (and with it the record) is gone: there is nothing left to write to.
        log("warn", "enrichment message for missing data", {
          messageId: message.id,
          tenantId,
          prospectId: body.prospectId,
          outcome: outcome.kind,
        });
      }
      message.ack();
      done.add(delivery);
      results.push({ tenantId, outcome: outcome.kind });
    }
    await indexLoadedProperties(db, settings, tenantId, loaded);
    return results;
  } catch (error) {
    // Permanent problems of a record were quarantined above; what is thrown is the database or an upstream
    // failing, worth another delivery of every message not yet acked. One that keeps failing ends in the DLQ.
    const retried = pending
      .filter((delivery) => !done.has(delivery))
      .map((delivery) => retry(delivery, error));
    return [...results, ...retried];
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
