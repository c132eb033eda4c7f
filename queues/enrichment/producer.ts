// Sends outbox rows to the ENRICHMENT queue in chunks the Queues API accepts in one call.
import { ENRICHMENT_MESSAGE_VERSION, type EnrichmentMessage, idempotencyKeyFor } from "./message.ts";

/** Queues accepts at most 100 messages (and 256 KB) per sendBatch; bodies here are a few hundred bytes. */
export const SEND_BATCH_LIMIT = 100;

export interface OutboxRow {
  tenantId: string;
  prospectId: string;
  batchId: string;
  revision: number;
}

export function enrichmentMessage(row: OutboxRow, now = new Date()): EnrichmentMessage {
  return {
    version: ENRICHMENT_MESSAGE_VERSION,
    tenantId: row.tenantId,
    prospectId: row.prospectId,
    batchId: row.batchId,
    revision: row.revision,
    idempotencyKey: idempotencyKeyFor(row.prospectId, row.revision),
    enqueuedAt: now.toISOString(),
  };
}

/** Sends one chunk (at most SEND_BATCH_LIMIT rows); throws if the queue refused it, so nothing is marked sent. */
export async function sendEnrichmentChunk(queue: Queue, rows: OutboxRow[]): Promise<void> {
  if (rows.length === 0) return;
  if (rows.length > SEND_BATCH_LIMIT) throw new RangeError(`at most ${SEND_BATCH_LIMIT} messages per chunk`);
  const now = new Date();
  await queue.sendBatch(
    rows.map((row) => ({ body: enrichmentMessage(row, now), contentType: "json" as const })),
  );
}
