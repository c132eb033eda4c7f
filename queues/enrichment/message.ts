// The ENRICHMENT queue's message body. It names the record, never carries it: the consumer loads the record
// under the message's tenant, so a message cannot smuggle data into a tenant, and a stale message (an older
// revision of a resubmitted record) is recognised and dropped.
import { z } from "zod";

export const ENRICHMENT_MESSAGE_VERSION = 1;

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

export type EnrichmentMessage = z.infer<typeof enrichmentMessageSchema>;

export function idempotencyKeyFor(prospectId: string, revision: number): string {
  return `${prospectId}:${revision}`;
}
