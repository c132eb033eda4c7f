// Chunk messages (queues/enrichment/message.ts, version 2): what intake sends, and how the consumer and the
// dead-letter consumer handle a message that names up to 100 records.
import { describe, expect, it } from "vitest";
import { consumeEnrichmentBatch, MAX_RETRIES } from "../../queues/enrichment/consumer.ts";
import {
  ENRICHMENT_CHUNK_VERSION,
  type EnrichmentChunk,
  MAX_CHUNK_BYTES,
  MAX_CHUNK_RECORDS,
} from "../../queues/enrichment/message.ts";
import { chunkMessages } from "../../queues/enrichment/producer.ts";
import worker from "../../src/index.ts";
import {
  type CapturingQueue,
  callApi,
  capturingQueue,
  deliver,
  pipelineEnv,
  prospect,
  testDeps,
} from "../helpers/pipeline.ts";
import { adminSql, createTenant, type TestTenant } from "../helpers/tenants.ts";

const REFUSING_DATABASE_URL = "postgres://app_runtime:app_runtime@127.0.0.1:9/realestate";

async function submit(
  queue: CapturingQueue,
  tenant: TestTenant,
  records: unknown[],
): Promise<EnrichmentChunk[]> {
  const response = await callApi(pipelineEnv(queue), "/api/v1/prospects", {
    method: "POST",
    headers: await tenant.headers("editor"),
    body: JSON.stringify(records),
  });
  expect(response.status).toBe(202);
  const chunks = queue.chunks.map((sent) => sent.body).filter((chunk) => chunk.tenantId === tenant.id);
  queue.take();
  return chunks;
}

const statuses = async (tenant: TestTenant) =>
  Object.fromEntries(
    (
      await adminSql()`select status, count(*)::int as n from prospect_queue where tenant_id = ${tenant.id}
        group by status`
    ).map((row) => [row.status, row.n]),
  );

describe("chunk messages", () => {
  it("keeps a worst-case chunk of 100 records far below the 128 KB message limit", () => {
    const uuid = "ffffffff-ffff-4fff-bfff-ffffffffffff";
    const rows = Array.from({ length: 250 }, () => ({
      tenantId: uuid,
      prospectId: uuid,
      batchId: uuid,
      revision: 2_147_483_647,
    }));
    const chunks = chunkMessages(rows, 100);
    expect(chunks.map((chunk) => chunk.records.length)).toEqual([100, 100, 50]);
    const bytes = new TextEncoder().encode(JSON.stringify(chunks[0])).byteLength;
    expect(bytes).toBeLessThan(MAX_CHUNK_BYTES);
    expect(bytes).toBeLessThan(13_000);
  });

  it("sends intake's records as chunks of up to 100, which load in full; a redelivered chunk has one effect", async () => {
    const tenant = await createTenant();
    const queue = capturingQueue();
    const records = Array.from({ length: 250 }, (_, index) =>
      index % 50 === 0 ? prospect(index, { yearBuilt: 1200 }) : prospect(index),
    );
    const chunks = await submit(queue, tenant, records);
    expect(chunks.map((chunk) => chunk.records.length)).toEqual([100, 100, 50]);
    expect(chunks.every((chunk) => chunk.version === ENRICHMENT_CHUNK_VERSION)).toBe(true);
    expect(new Set(chunks.flatMap((chunk) => chunk.records.map((record) => record.prospectId))).size).toBe(
      250,
    );

    const env = pipelineEnv(queue);
    const consume = () =>
      deliver("enrichment", chunks, (batch) => consumeEnrichmentBatch(batch, env, testDeps()));
    const first = await consume();
    expect(first.explicitAcks).toEqual(first.ids);
    expect(await statuses(tenant)).toEqual({ loaded: 245, quarantined: 5 });
    const again = await consume();
    expect(again.explicitAcks).toEqual(again.ids);
    const [counts] = await adminSql()`select count(*)::int as n, max(version)::int as version,
      (select count(*)::int from property_changes where tenant_id = ${tenant.id}) as changes
      from properties where tenant_id = ${tenant.id}`;
    expect(counts).toEqual({ n: 245, version: 1, changes: 245 });
  });

  it("retries the whole chunk message when the database fails", async () => {
    const tenant = await createTenant();
    const queue = capturingQueue();
    const chunks = await submit(queue, tenant, [prospect(1), prospect(2), prospect(3)]);
    const down = pipelineEnv(queue, { DATABASE_URL: REFUSING_DATABASE_URL });
    const failed = await deliver("enrichment", chunks, (batch) =>
      consumeEnrichmentBatch(batch, down, testDeps()),
    );
    expect(failed.explicitAcks).toEqual([]);
    expect(failed.retryMessages).toEqual([{ msgId: failed.ids[0] }]);
    expect(queue.chunks).toEqual([]);
  });

  it("splits off a record whose lookup keeps failing, counts its deliveries, and records it after its retries", async () => {
    const tenant = await createTenant();
    const queue = capturingQueue();
    const chunks = await submit(
      queue,
      tenant,
      Array.from({ length: 10 }, (_, index) =>
        index === 7 ? prospect(index, { zip: "99999" }) : prospect(index),
      ),
    );
    const lookups = {
      async locateZip(zip: string) {
        if (zip === "99999") throw new Error("reference service unavailable");
        return null;
      },
      async countyHazards() {
        return null;
      },
    };
    const env = pipelineEnv(queue);
    const consume = (chunk: EnrichmentChunk) =>
      deliver("enrichment", [chunk], (batch) =>
        consumeEnrichmentBatch(batch, env, testDeps({ lookups: () => lookups })),
      );

    // The chunk is done for its 9 good records; the failing one goes on alone, its first delivery counted.
    const first = await consume(chunks[0] as EnrichmentChunk);
    expect(first.explicitAcks).toEqual(first.ids);
    expect(await statuses(tenant)).toEqual({ loaded: 9, sent: 1 });
    const [split] = queue.chunks.splice(0);
    expect(split?.body.records).toHaveLength(1);
    expect(split?.body.priorAttempts).toBe(1);
    expect(split?.delaySeconds).toBeGreaterThan(0);

    // Alone in its message it is retried by Queues, with the deliveries so far carried in the body.
    const current = split?.body as EnrichmentChunk;
    for (let attempt = 1; attempt < MAX_RETRIES; attempt++) {
      const result = await deliver(
        "enrichment",
        [current],
        (batch) => consumeEnrichmentBatch(batch, env, testDeps({ lookups: () => lookups })),
        attempt,
      );
      expect(result.retryMessages).toEqual([{ msgId: result.ids[0] }]);
    }
    // Its fourth delivery in all (1 before, 3 of this message) is its last: it is recorded, not retried again.
    const last = await deliver(
      "enrichment",
      [current],
      (batch) => consumeEnrichmentBatch(batch, env, testDeps({ lookups: () => lookups })),
      MAX_RETRIES,
    );
    expect(last.retryMessages).toEqual([]);
    expect(last.explicitAcks).toEqual(last.ids);
    expect(await statuses(tenant)).toEqual({ loaded: 9, failed: 1 });
    const failures =
      await adminSql()`select reason, attempts from ingest_failures where tenant_id = ${tenant.id}`;
    expect(failures).toEqual([{ reason: "retries_exhausted", attempts: MAX_RETRIES + 1 }]);
  });

  it("records every record of a dead-lettered chunk message in ingest_failures, once however often it arrives", async () => {
    const tenant = await createTenant();
    const queue = capturingQueue();
    const chunks = await submit(
      queue,
      tenant,
      Array.from({ length: 5 }, (_, index) => prospect(index)),
    );
    const env = pipelineEnv(queue);
    for (let delivery = 0; delivery < 2; delivery++) {
      const dead = await deliver(env.ENRICHMENT_DEAD_LETTER_QUEUE, chunks, (batch, ctx) =>
        worker.queue(batch, env, ctx),
      );
      expect(dead.explicitAcks).toEqual(dead.ids);
    }
    const failures =
      await adminSql()`select reason, attempts from ingest_failures where tenant_id = ${tenant.id}`;
    expect(failures).toEqual(
      Array.from({ length: 5 }, () => ({ reason: "retries_exhausted", attempts: MAX_RETRIES + 1 })),
    );
    expect(await statuses(tenant)).toEqual({ failed: 5 });
  });

  it("refuses a chunk of more than MAX_CHUNK_RECORDS records without touching the database", async () => {
    const tenant = await createTenant();
    const queue = capturingQueue();
    const [chunk] = await submit(queue, tenant, [prospect(1)]);
    const record = chunk?.records[0];
    const oversized = { ...chunk, records: Array.from({ length: MAX_CHUNK_RECORDS + 1 }, () => record) };
    const result = await deliver("enrichment", [oversized], (batch) =>
      consumeEnrichmentBatch(batch, pipelineEnv(queue), testDeps()),
    );
    expect(result.explicitAcks).toEqual(result.ids);
    expect(await statuses(tenant)).toEqual({ sent: 1 });
  });
});
