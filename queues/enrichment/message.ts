// The ENRICHMENT queue's message bodies. They name records, never carry them: the consumer loads each record under
// the message's tenant, so a message cannot smuggle data into a tenant, and a stale message (an older revision of
// a resubmitted record) is recognised and dropped.
//
// Version 2 (what the producer sends) names a chunk of up to MAX_CHUNK_RECORDS records of one tenant; version 1
// names one record and is still consumed (messages sent before an upgrade, and the tests' per-record deliveries).
import { z } from "zod";

export const ENRICHMENT_MESSAGE_VERSION = 1;
export const ENRICHMENT_CHUNK_VERSION = 2;

/** Records per chunk message: one consumer write statement's worth. */
export const MAX_CHUNK_RECORDS = 100;
/**
 * A chunk message's body stays under this many bytes of JSON (Queues accepts 128 KB per message, 256 KB per
 * sendBatch). A record reference is at most ~110 bytes (two UUIDs and a 10-digit revision), so 100 of them are
 * ~11 KB; the producer still measures each body and splits a chunk that would pass the bound.
 */
export const MAX_CHUNK_BYTES = 48 * 1024;

export const enrichmentMessageSchema = z
  .object({
    version: z.literal(ENRICHMENT_MESSAGE_VERSION),
    tenantId: z.uuid(),
    prospectId: z.uuid(),
    batchId: z.uuid(),
    /** The record's revision: resubmitting a record bumps it, and with it the idempotency key. */
    revision: z.number().int().min(1),
    /** `<prospectId>:<revision>`: one effect per key, however often the message is delivered. */
    idempotencyKey: z.string().min(1).max(200),
    enqueuedAt: z.iso.datetime(),
  })
  .strict()
  .refine((message) => message.idempotencyKey === idempotencyKeyFor(message.prospectId, message.revision), {
    message: "idempotencyKey does not match prospectId and revision",
    path: ["idempotencyKey"],
  });

/** One record as the consumer handles it, whichever message version named it. */
export type EnrichmentMessage = z.infer<typeof enrichmentMessageSchema>;

export const enrichmentChunkSchema = z
  .object({
    version: z.literal(ENRICHMENT_CHUNK_VERSION),
    tenantId: z.uuid(),
    records: z
      .array(
        z.object({ prospectId: z.uuid(), batchId: z.uuid(), revision: z.number().int().min(1) }).strict(),
      )
      .min(1)
      .max(MAX_CHUNK_RECORDS),
    /**
     * Deliveries these records already had in earlier messages: a record split off a chunk on retry (its
     * neighbours were done) travels on in a new message, and its count of deliveries must not start again.
     */
    priorAttempts: z.number().int().min(0).max(100),
    enqueuedAt: z.iso.datetime(),
  })
  .strict();

export type EnrichmentChunk = z.infer<typeof enrichmentChunkSchema>;

export function idempotencyKeyFor(prospectId: string, revision: number): string {
  return `${prospectId}:${revision}`;
}

/** The records a chunk message names, each as the consumer handles one record. */
export function recordsOfChunk(chunk: EnrichmentChunk): EnrichmentMessage[] {
  return chunk.records.map((record) => ({
    version: ENRICHMENT_MESSAGE_VERSION,
    tenantId: chunk.tenantId,
    prospectId: record.prospectId,
    batchId: record.batchId,
    revision: record.revision,
    idempotencyKey: idempotencyKeyFor(record.prospectId, record.revision),
    enqueuedAt: chunk.enqueuedAt,
  }));
}
