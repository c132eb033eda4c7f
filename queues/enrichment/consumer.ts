// Consumers of the enrichment queue and of its dead-letter queue. A message names one record (version 1) or a
// chunk of up to 100 (version 2, what the producer sends); each message is acked or retried on its own, and a
// record that fails while its neighbours succeed is split off into a message of its own, so one bad record never
// makes its neighbours run again.
//
// enrichment:     transient failures (database unavailable or slow, upstream 5xx/429) retry with exponential
//                 backoff and jitter; permanent ones (schema or quality failures, constraint violations) are
//                 quarantined with their reasons and acked. After max_retries, Queues moves the message to the DLQ;
//                 a split-off record carries its earlier deliveries (priorAttempts) and is recorded in
//                 ingest_failures by the consumer itself once they reach max_retries + 1.
// dead letters:   (the queue ENRICHMENT_DEAD_LETTER_QUEUE names: enrichment-dlq, enrichment-dlq-staging, ...)
//                 records each record of the message in ingest_failures (visible and resubmittable through the
//                 API) and acks.
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
  type EnrichOutcome,
  loadProspects,
  type PlannedWrite,
  planProspect,
  recordFailure,
  writeIsolating,
} from "../../src/services/enrichment.ts";
import type { PipelineDependencies } from "../../src/services/pipeline-dependencies.ts";
import {
  ENRICHMENT_CHUNK_VERSION,
  type EnrichmentMessage,
  enrichmentChunkSchema,
  enrichmentMessageSchema,
  MAX_CHUNK_RECORDS,
  recordsOfChunk,
} from "./message.ts";
import { sendEnrichmentRecords } from "./producer.ts";

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

/**
 * One delivered message: the records it names (one for a version 1 body, up to MAX_CHUNK_RECORDS for a chunk) and
 * the deliveries they had before this message (a chunk's priorAttempts; 0 for version 1).
 */
interface Delivery {
  message: Message;
  tenantId: string;
  records: EnrichmentMessage[];
  priorAttempts: number;
  chunk: boolean;
}

function parseMessage(message: Message): Delivery | null {
  const chunk = enrichmentChunkSchema.safeParse(message.body);
  if (chunk.success) {
    const { tenantId, priorAttempts } = chunk.data;
    return { message, tenantId, records: recordsOfChunk(chunk.data), priorAttempts, chunk: true };
  }
  const single = enrichmentMessageSchema.safeParse(message.body);
  if (single.success) {
    return {
      message,
      tenantId: single.data.tenantId,
      records: [single.data],
      priorAttempts: 0,
      chunk: false,
    };
  }
  const version = (message.body as { version?: unknown } | null)?.version;
  const issues = (version === ENRICHMENT_CHUNK_VERSION ? chunk : single).error?.issues ?? [];
  // No tenant can be trusted from a body that does not validate, so there is no tenant to record it under.
  log("error", "enrichment message rejected", {
    messageId: message.id,
    issues: issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`),
  });
  return null;
}

/** Deliveries of all this message's records so far: earlier messages' and this one's. */
const deliveriesSoFar = (delivery: Delivery) => delivery.priorAttempts + delivery.message.attempts;

function databaseFor(env: Env): Database {
  const settings = loadSettings(env);
  return createDatabase({ url: settings.databaseUrl, timeoutMs: settings.dbTimeoutMs });
}

/**
 * What became of one record: acked with its enrichment outcome, "rejected" when its message was unreadable,
 * "dead_lettered" when the DLQ consumer recorded it (a "duplicate" when it already was), or retried.
 */
type MessageResult = {
  tenantId?: string;
  outcome: EnrichOutcome["kind"] | "rejected" | "dead_lettered" | "retried";
};

/** The metric outcome of a record result (docs/metrics.md): what the operator queries and alerts count. */
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
 * The batch's pipeline_step points (step "enrich" or "dead_letter"): one per tenant and outcome, each record
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

/** What the consumer did with each message: acked, or retried (Queues delivers it again). */
type Fates = Map<Message, "acked" | "retried">;

function ack(fates: Fates, message: Message) {
  message.ack();
  fates.set(message, "acked");
}

/** The batch's wide event: messages acked and retried, records quarantined and dead-lettered, tenants. */
function batchEvent(
  batch: MessageBatch,
  fates: Fates,
  results: MessageResult[],
  durationMs: number,
): BatchEvent {
  const fateCount = (fate: "acked" | "retried") =>
    [...fates.values()].filter((value) => value === fate).length;
  const count = (outcome: MessageResult["outcome"]) =>
    results.filter((result) => result.outcome === outcome).length;
  return {
    queue: batch.queue,
    messages: batch.messages.length,
    acked: fateCount("acked"),
    retried: fateCount("retried"),
    quarantined: count("quarantined"),
    deadLettered: count("dead_lettered"),
    tenants: new Set(results.map((result) => result.tenantId).filter(Boolean)).size,
    maxAttempts: Math.max(0, ...batch.messages.map((message) => message.attempts)),
    durationMs,
    fields: { records: results.length },
  };
}

/** Concurrent write groups per tenant: one enriches in the Worker while the other's statement runs. */
const GROUPS_IN_FLIGHT = 2;

/**
 * A tenant's deliveries in groups of whole messages of at most MAX_CHUNK_RECORDS records (a chunk message is one
 * group; per-record messages are gathered up to that size): each group is one load and one write statement.
 */
function groupsOf(deliveries: Delivery[]): Delivery[][] {
  const groups: Delivery[][] = [];
  let current: Delivery[] = [];
  let size = 0;
  for (const delivery of deliveries) {
    if (current.length > 0 && size + delivery.records.length > MAX_CHUNK_RECORDS) {
      groups.push(current);
      current = [];
      size = 0;
    }
    current.push(delivery);
    size += delivery.records.length;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

async function inParallel<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  });
  await Promise.all(lanes);
  return results;
}

export async function consumeEnrichmentBatch(
  batch: MessageBatch,
  env: Env,
  deps: PipelineDependencies,
): Promise<void> {
  const started = performance.now();
  const db = databaseFor(env);
  const settings = loadSettings(env);
  const context: ChunkContext = { db, settings, deps, queue: env.ENRICHMENT, fates: new Map() };
  const results: MessageResult[] = [];
  const byTenant = new Map<string, Delivery[]>();
  for (const message of batch.messages) {
    const delivery = parseMessage(message);
    if (!delivery) {
      ack(context.fates, message);
      results.push({ outcome: "rejected" });
      continue;
    }
    byTenant.set(delivery.tenantId, [...(byTenant.get(delivery.tenantId) ?? []), delivery]);
  }
  // Tenants side by side (their own transactions, their own acks); a tenant's groups two at a time.
  const chunks = await Promise.all(
    [...byTenant].map(([tenantId, deliveries]) =>
      inParallel(groupsOf(deliveries), GROUPS_IN_FLIGHT, (group) => consumeChunk(context, tenantId, group)),
    ),
  );
  results.push(...chunks.flat(2));
  // Loaded properties change what the tenants' cached reads return: their next reads must miss.
  const loaded = results
    .filter((result) => result.outcome === "loaded")
    .map((result) => result.tenantId ?? "");
  await bumpTenantGenerations(env, settings, loaded);
  const durationMs = performance.now() - started;
  // Records of a batch run side by side, so each one took about the batch's time.
  recordBatchMetrics(env, "enrich", results, durationMs);
  logBatchEvent(settings.logLevel, batchEvent(batch, context.fates, results, durationMs));
}

interface ChunkContext {
  db: Database;
  settings: Settings;
  deps: PipelineDependencies;
  /** Where records split off a chunk message go on (the ENRICHMENT queue). */
  queue: Queue;
  fates: Fates;
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

/** Records given up on: in ingest_failures (as the DLQ consumer would), each with its deliveries so far. */
async function recordExhausted(db: Database, records: EnrichmentMessage[], attempts: number) {
  for (const record of records) {
    await recordFailure(db, record, {
      reason: "retries_exhausted",
      error: `Enrichment did not succeed after ${attempts} deliveries.`,
      attempts,
    });
  }
}

/**
 * Some of a delivery's records failed for a reason worth another try (`error`), `failed` of them or all. A message
 * whose records all failed is retried by Queues, with backoff (after max_retries it lands in the DLQ). A chunk whose
 * other records are done is acked, and the failed ones go on in a new chunk message carrying their deliveries so
 * far, delayed by the same backoff; once those reach MAX_RETRIES + 1 they are recorded in ingest_failures instead.
 * If that send or record fails too, the whole message is retried (its done records are duplicates next time).
 */
async function retryRecords(
  context: ChunkContext,
  delivery: Delivery,
  failed: EnrichmentMessage[],
  error: unknown,
): Promise<MessageResult[]> {
  const { message, tenantId } = delivery;
  const attempts = deliveriesSoFar(delivery);
  const delaySeconds = backoff(attempts);
  const fields = {
    messageId: message.id,
    tenantId,
    records: failed.length,
    prospectId: failed.length === 1 ? failed[0]?.prospectId : undefined,
    attempts,
    delaySeconds,
    error: describe(error),
  };
  const retried = failed.map(() => ({ tenantId, outcome: "retried" as const }));
  const retryMessage = () => {
    log("warn", "enrichment message retried", fields);
    message.retry({ delaySeconds });
    context.fates.set(message, "retried");
    return retried;
  };
  if (failed.length === delivery.records.length && (!delivery.chunk || attempts <= MAX_RETRIES))
    return retryMessage();
  try {
    if (attempts > MAX_RETRIES) {
      await recordExhausted(context.db, failed, attempts);
      log("error", "enrichment records failed after their retries", fields);
      ack(context.fates, message);
      return failed.map(() => ({ tenantId, outcome: "dead_lettered" as const }));
    }
    await sendEnrichmentRecords(
      context.queue,
      failed.map((record) => ({ ...record, tenantId })),
      { priorAttempts: attempts, delaySeconds },
    );
    log("warn", "enrichment records split off their chunk and retried", fields);
    ack(context.fates, message);
    return retried;
  } catch (sendError) {
    log("error", "split-off records not sent", { messageId: message.id, error: describe(sendError) });
    return retryMessage();
  }
}

/**
 * One tenant's group of deliveries, set-based: one round trip loads every record (with its ZIP's price range),
 * the Worker enriches them, one round trip writes them all (services/enrichment.ts, writeEnriched), and one read
 * and one upsert index the loaded ones. A lookup failing for some records retries those alone (retryRecords); the
 * database failing retries the group's messages; a constraint violation (a record's own fault, but whose?) halves
 * the write until the record at fault is alone, and only it is quarantined (writeIsolating).
 */
async function consumeChunk(
  context: ChunkContext,
  tenantId: string,
  deliveries: Delivery[],
): Promise<MessageResult[]> {
  const { db, deps, settings } = context;
  // The same record twice in the group: one does the work, the other is a duplicate.
  const seen = new Set<string>();
  const results: MessageResult[] = [];
  const items: { delivery: Delivery; body: EnrichmentMessage }[] = [];
  for (const delivery of deliveries) {
    for (const body of delivery.records) {
      if (seen.has(body.idempotencyKey)) results.push({ tenantId, outcome: "duplicate" });
      else {
        seen.add(body.idempotencyKey);
        items.push({ delivery, body });
      }
    }
  }
  try {
    const { tenantStatus, rows } = await loadProspects(
      db,
      tenantId,
      items.map((item) => item.body.prospectId),
    );
    const planned = await Promise.all(
      items.map(async (item) => {
        try {
          const row = rows.get(item.body.prospectId);
          const plan = await planProspect(db, deps, item.body, tenantStatus, row);
          return { ...item, plan, error: undefined as unknown };
        } catch (error) {
          return { ...item, plan: undefined, error };
        }
      }),
    );
    const writes: PlannedWrite[] = [];
    for (const item of planned) {
      if (item.plan && item.plan.kind !== "final") writes.push({ message: item.body, plan: item.plan });
    }
    const written = await writeIsolating(db, tenantId, deps.quality.suiteVersion, writes);
    const loaded: string[] = [];
    const failed = new Map<Delivery, { records: EnrichmentMessage[]; error: unknown }>();
    for (const { delivery, body, plan, error } of planned) {
      if (!plan) {
        const entry = failed.get(delivery) ?? { records: [], error };
        entry.records.push(body);
        failed.set(delivery, entry);
        continue;
      }
      const outcome =
        plan.kind === "final" ? plan.outcome : (written.get(body.prospectId) ?? { kind: "duplicate" });
      if (outcome.kind === "loaded") loaded.push(outcome.propertyId);
      else if (outcome.kind === "tenant_inactive") {
        await recordFailure(db, body, {
          reason: "tenant_inactive",
          error: "The tenant is suspended; the record was not enriched.",
          attempts: deliveriesSoFar(delivery),
        });
      } else if (outcome.kind === "tenant_missing" || outcome.kind === "prospect_missing") {
        // The tenant (and with it the record) is gone: there is nothing left to write to.
        log("warn", "enrichment message for missing data", {
          messageId: delivery.message.id,
          tenantId,
          prospectId: body.prospectId,
          outcome: outcome.kind,
        });
      }
      results.push({ tenantId, outcome: outcome.kind });
    }
    for (const delivery of deliveries) {
      const failure = failed.get(delivery);
      if (failure) results.push(...(await retryRecords(context, delivery, failure.records, failure.error)));
      else ack(context.fates, delivery.message);
    }
    await indexLoadedProperties(db, settings, tenantId, loaded);
    return results;
  } catch (error) {
    // Permanent problems of a record were quarantined above; what is thrown is the database or an upstream
    // failing, worth another delivery of every message not yet acked. One that keeps failing ends in the DLQ.
    const retried: MessageResult[] = [];
    for (const delivery of deliveries) {
      if (context.fates.has(delivery.message)) continue;
      retried.push(...(await retryRecords(context, delivery, delivery.records, error)));
    }
    return [...results, ...retried];
  }
}

export async function consumeDeadLetterBatch(batch: MessageBatch, env: Env): Promise<void> {
  const started = performance.now();
  const db = databaseFor(env);
  const results: MessageResult[] = [];
  const fates: Fates = new Map();
  for (const message of batch.messages) {
    const delivery = parseMessage(message);
    if (!delivery) {
      ack(fates, message);
      results.push({ outcome: "rejected" });
      continue;
    }
    // Every record of a dead chunk is recorded on its own (a redelivered dead letter records none twice).
    const attempts = delivery.priorAttempts + MAX_RETRIES + 1;
    const outcomes: MessageResult[] = [];
    try {
      for (const body of delivery.records) {
        const recorded = await recordFailure(db, body, {
          reason: "retries_exhausted",
          error: `Enrichment did not succeed after ${attempts} deliveries.`,
          attempts,
        });
        log(recorded ? "error" : "info", "enrichment dead letter", {
          messageId: message.id,
          tenantId: body.tenantId,
          prospectId: body.prospectId,
          recorded,
        });
        outcomes.push({ tenantId: body.tenantId, outcome: recorded ? "dead_lettered" : "duplicate" });
      }
      ack(fates, message);
      results.push(...outcomes);
    } catch (error) {
      log("error", "dead letter not recorded", { messageId: message.id, error: describe(error) });
      message.retry({ delaySeconds: backoff(message.attempts) });
      fates.set(message, "retried");
      results.push(
        ...delivery.records.map((body) => ({ tenantId: body.tenantId, outcome: "retried" as const })),
      );
    }
  }
  const durationMs = performance.now() - started;
  // One record after the other here, so each one's share is the mean.
  recordBatchMetrics(env, "dead_letter", results, durationMs / Math.max(1, results.length));
  logBatchEvent(loadSettings(env).logLevel, batchEvent(batch, fates, results, durationMs));
}
