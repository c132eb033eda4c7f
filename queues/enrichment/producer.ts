// Sends records to the ENRICHMENT queue as chunk messages (message.ts, version 2): each tenant's records in
// messages of up to MAX_CHUNK_RECORDS records and MAX_CHUNK_BYTES of JSON, as few sendBatch calls as Queues allows.
import {
  ENRICHMENT_CHUNK_VERSION,
  type EnrichmentChunk,
  MAX_CHUNK_BYTES,
  MAX_CHUNK_RECORDS,
} from "./message.ts";

/** Queues accepts at most 100 messages and 256 KB per sendBatch. */
export const SEND_BATCH_LIMIT = 100;
const SEND_BATCH_BYTES = 200 * 1024;

export interface OutboxRow {
  tenantId: string;
  prospectId: string;
  batchId: string;
  revision: number;
}

const bytes = (body: unknown) => new TextEncoder().encode(JSON.stringify(body)).byteLength;

function chunkOf(
  tenantId: string,
  rows: readonly OutboxRow[],
  priorAttempts: number,
  now: Date,
): EnrichmentChunk {
  return {
    version: ENRICHMENT_CHUNK_VERSION,
    tenantId,
    records: rows.map((row) => ({
      prospectId: row.prospectId,
      batchId: row.batchId,
      revision: row.revision,
    })),
    priorAttempts,
    enqueuedAt: now.toISOString(),
  };
}

/** Halves a chunk until its body fits MAX_CHUNK_BYTES (a single record always fits). */
function fitted(
  tenantId: string,
  rows: readonly OutboxRow[],
  priorAttempts: number,
  now: Date,
): EnrichmentChunk[] {
  const chunk = chunkOf(tenantId, rows, priorAttempts, now);
  if (rows.length === 1 || bytes(chunk) <= MAX_CHUNK_BYTES) return [chunk];
  const half = Math.ceil(rows.length / 2);
  return [
    ...fitted(tenantId, rows.slice(0, half), priorAttempts, now),
    ...fitted(tenantId, rows.slice(half), priorAttempts, now),
  ];
}

/** The chunk messages for `rows`: grouped by tenant, in order, at most MAX_CHUNK_RECORDS and MAX_CHUNK_BYTES each. */
export function chunkMessages(
  rows: readonly OutboxRow[],
  priorAttempts = 0,
  now = new Date(),
): EnrichmentChunk[] {
  const byTenant = new Map<string, OutboxRow[]>();
  for (const row of rows) byTenant.set(row.tenantId, [...(byTenant.get(row.tenantId) ?? []), row]);
  const chunks: EnrichmentChunk[] = [];
  for (const [tenantId, tenantRows] of byTenant) {
    for (let start = 0; start < tenantRows.length; start += MAX_CHUNK_RECORDS) {
      chunks.push(
        ...fitted(tenantId, tenantRows.slice(start, start + MAX_CHUNK_RECORDS), priorAttempts, now),
      );
    }
  }
  return chunks;
}

/**
 * Sends `rows` (any number, any tenants) as chunk messages; throws if the queue refused a send, so the caller
 * marks nothing sent (a send that failed part-way leaves some chunks queued: the consumer's idempotency makes
 * the later resend one effect). The outbox (services/outbox.ts), and through it intake and the feeds, calls this;
 * the consumer calls it with `priorAttempts` and a delay to send on records split off a chunk.
 */
export async function sendEnrichmentRecords(
  queue: Queue,
  rows: readonly OutboxRow[],
  options: { priorAttempts?: number; delaySeconds?: number } = {},
): Promise<void> {
  const chunks = chunkMessages(rows, options.priorAttempts ?? 0);
  let batch: MessageSendRequest[] = [];
  let batchBytes = 0;
  const flush = async () => {
    if (batch.length > 0)
      await queue.sendBatch(batch, options.delaySeconds ? { delaySeconds: options.delaySeconds } : undefined);
    batch = [];
    batchBytes = 0;
  };
  for (const chunk of chunks) {
    const size = bytes(chunk);
    if (batch.length === SEND_BATCH_LIMIT || batchBytes + size > SEND_BATCH_BYTES) await flush();
    batch.push({ body: chunk, contentType: "json" });
    batchBytes += size;
  }
  await flush();
}
