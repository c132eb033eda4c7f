// The enrichment pipeline end to end on the local platform: intake -> outbox -> (cron) -> consumer -> properties or
// quarantine, and failures through the dead-letter queue. Every cron-driven test lives in this one file: the cron
// scans all tenants, so ticks from files running in parallel would publish each other's rows.
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { consumeEnrichmentBatch } from "../../queues/enrichment/consumer.ts";
import type { EnrichmentMessage } from "../../queues/enrichment/message.ts";
import worker from "../../src/index.ts";
import { runIngestionTick } from "../../src/ingest/cron.ts";
import { createAdminDb } from "../../src/db/admin.ts";
import { publishPending } from "../../src/ingest/outbox.ts";
import { testEnv } from "../helpers/env.ts";
import { callApi, capturingQueue, deliver, pipelineEnv, prospect, testDeps } from "../helpers/pipeline.ts";
import { adminSql, createTenant, type TestTenant } from "../helpers/tenants.ts";

const REFUSING_DATABASE_URL = "postgres://app_runtime:app_runtime@127.0.0.1:9/realestate";

async function submit(env: Env, tenant: TestTenant, records: unknown[]) {
  const response = await callApi(env, "/api/v1/prospects", {
    method: "POST",
    headers: await tenant.headers("editor"),
    body: JSON.stringify(records),
  });
  expect(response.status).toBe(202);
  return response.json<{ batchId: string; runId: string; received: number }>();
}

/** Feeds messages to the consumer in batches of `size` until none are left; answers every result. */
async function consumeAll(env: Env, messages: EnrichmentMessage[], size = 50) {
  const deps = testDeps();
  for (let start = 0; start < messages.length; start += size) {
    const result = await deliver("enrichment", messages.slice(start, start + size), (batch) =>
      consumeEnrichmentBatch(batch, env, deps),
    );
    expect(result.retryMessages).toEqual([]);
  }
}

const ofTenant = (tenant: TestTenant, messages: EnrichmentMessage[]) =>
  messages.filter((message) => message.tenantId === tenant.id);

async function batchOf(env: Env, tenant: TestTenant, batchId: string) {
  const response = await callApi(env, `/api/v1/ingest/batches/${batchId}`, {
    headers: await tenant.headers("viewer"),
  });
  expect(response.status).toBe(200);
  return response.json<{
    status: string;
    counts: Record<string, number>;
    quality: {
      evaluated: number;
      passed: number;
      passRate: number;
      rules: { ruleId: string; passRate: number }[];
    };
  }>();
}

describe("enrichment pipeline", () => {
  it("ends 1,000 prospects as properties or quarantined with reasons, none missing", {
    timeout: 120_000,
  }, async () => {
    const tenant = await createTenant();
    const queue = capturingQueue();
    const env = pipelineEnv(queue);
    const records = Array.from({ length: 1000 }, (_, index) =>
      index % 25 === 0
        ? prospect(index, { zip: "ABCDE", yearBuilt: 1200 })
        : index % 25 === 1
          ? prospect(index, { bedrooms: "many" })
          : prospect(index),
    );
    const { batchId, received } = await submit(env, tenant, records);
    expect(received).toBe(1000);

    const messages = ofTenant(tenant, queue.take());
    expect(messages).toHaveLength(1000);
    expect(new Set(messages.map((message) => message.prospectId)).size).toBe(1000);
    await consumeAll(env, messages);

    const tick = await runIngestionTick(env, testDeps());
    expect(tick.leased).toBe(true);
    const batch = await batchOf(env, tenant, batchId);
    expect(batch.counts).toEqual({ received: 1000, queued: 0, loaded: 920, quarantined: 80, failed: 0 });
    expect(batch.status).toBe("completed");
    expect(batch.quality.evaluated).toBe(960);
    expect(batch.quality.rules.find((rule) => rule.ruleId === "zip.format")?.passRate).toBeCloseTo(
      920 / 960,
      4,
    );

    const sql = adminSql();
    const [properties] = await sql`select count(*)::int as n, count(hazards)::int as with_hazards,
      count(latitude)::int as located from properties where tenant_id = ${tenant.id}`;
    expect(properties).toEqual({ n: 920, with_hazards: 920, located: 920 });
    const quarantined = await sql`select reasons from prospect_queue
      where tenant_id = ${tenant.id} and status = 'quarantined' and payload->>'zip' = 'ABCDE' limit 1`;
    expect((quarantined[0]?.reasons as { ruleId: string }[]).map((reason) => reason.ruleId).sort()).toEqual([
      "year_built.range",
      "zip.format",
    ]);
    const schemaFailure = await sql`select reasons from prospect_queue
      where tenant_id = ${tenant.id} and status = 'quarantined' and payload->>'bedrooms' = 'many' limit 1`;
    expect(schemaFailure[0]?.reasons).toEqual([
      expect.objectContaining({ ruleId: "schema.bedrooms", observed: "many" }),
    ]);
    const events = await sql`select event_type, event from lineage_events
      where tenant_id = ${tenant.id} and batch_id = ${batchId} order by event_time`;
    expect(events.map((event) => event.event_type)).toEqual(["START", "COMPLETE"]);
    expect(events[1]?.event).toMatchObject({
      eventType: "COMPLETE",
      job: { namespace: "real-estate-os", name: "ingest.api" },
      inputs: [{ name: "public.prospect_queue", inputFacets: { inputStatistics: { rowCount: 1000 } } }],
      outputs: [
        { name: "public.properties", outputFacets: { outputStatistics: { rowCount: 920 } } },
        { name: "public.prospect_queue.quarantined", outputFacets: { outputStatistics: { rowCount: 80 } } },
        { name: "public.ingest_failures", outputFacets: { outputStatistics: { rowCount: 0 } } },
      ],
    });
  });

  it("gives a message delivered twice, or twice at once, one effect", async () => {
    const tenant = await createTenant();
    const queue = capturingQueue();
    const env = pipelineEnv(queue);
    await submit(env, tenant, [prospect(1)]);
    const [message] = ofTenant(tenant, queue.take());
    const deps = testDeps();
    const handler = (batch: MessageBatch) => consumeEnrichmentBatch(batch, env, deps);
    const first = await deliver("enrichment", [message, message], handler);
    expect(first.explicitAcks).toHaveLength(2);
    await Promise.all([deliver("enrichment", [message], handler), deliver("enrichment", [message], handler)]);

    const sql = adminSql();
    const properties = await sql`select version from properties where tenant_id = ${tenant.id}`;
    expect(properties).toEqual([{ version: 1 }]);
    const markers = await sql`select outcome from processed_messages where tenant_id = ${tenant.id}`;
    expect(markers).toEqual([{ outcome: "loaded" }]);
  });

  it("retries a transient database error with backoff, then succeeds", async () => {
    const tenant = await createTenant();
    const queue = capturingQueue();
    const env = pipelineEnv(queue);
    await submit(env, tenant, [prospect(2)]);
    const [message] = ofTenant(tenant, queue.take());
    const down = pipelineEnv(queue, { DATABASE_URL: REFUSING_DATABASE_URL });
    const failed = await deliver("enrichment", [message], (batch, ctx) => worker.queue(batch, down, ctx));
    expect(failed.explicitAcks).toEqual([]);
    expect(failed.retryMessages).toEqual([{ msgId: failed.ids[0] }]);
    expect(failed.delays[failed.ids[0] ?? ""]).toBeGreaterThanOrEqual(5);

    const retried = await deliver(
      "enrichment",
      [message],
      (batch) => consumeEnrichmentBatch(batch, env, testDeps()),
      2,
    );
    expect(retried.explicitAcks).toEqual(retried.ids);
    const [row] = await adminSql()`select status from prospect_queue where tenant_id = ${tenant.id}`;
    expect(row?.status).toBe("loaded");
  });

  it("records a poison message in ingest_failures after its retries, and lets it be fixed and resubmitted", async () => {
    const tenant = await createTenant();
    const queue = capturingQueue();
    const env = pipelineEnv(queue);
    await submit(env, tenant, [prospect(3, { price: 123 })]);
    const [message] = ofTenant(tenant, queue.take());
    const down = pipelineEnv(queue, { DATABASE_URL: REFUSING_DATABASE_URL });
    const last = await deliver("enrichment", [message], (batch, ctx) => worker.queue(batch, down, ctx), 4);
    expect(last.retryMessages).toHaveLength(1);

    // Queues moves it to the dead-letter queue after max_retries; delivered there twice, it is recorded once.
    for (let delivery = 0; delivery < 2; delivery++) {
      const dead = await deliver("enrichment-dlq", [message], (batch, ctx) => worker.queue(batch, env, ctx));
      expect(dead.explicitAcks).toEqual(dead.ids);
    }
    const listed = await callApi(env, "/api/v1/ingest/failures", { headers: await tenant.headers("viewer") });
    expect(listed.status).toBe(200);
    const { items } = await listed.json<{ items: { id: string; reason: string; prospectId: string }[] }>();
    expect(items).toEqual([
      expect.objectContaining({ reason: "retries_exhausted", prospectId: message?.prospectId }),
    ]);

    const resubmitted = await callApi(env, `/api/v1/ingest/failures/${items[0]?.id}/resubmit`, {
      method: "POST",
      headers: await tenant.headers("editor"),
      body: JSON.stringify({ fields: { price: 456_000 } }),
    });
    expect(resubmitted.status).toBe(202);
    expect(await resubmitted.json()).toMatchObject({ revision: 2 });
    const again = await callApi(env, `/api/v1/ingest/failures/${items[0]?.id}/resubmit`, {
      method: "POST",
      headers: await tenant.headers("editor"),
    });
    expect(again.status).toBe(404);

    const [retry] = ofTenant(tenant, queue.take());
    expect(retry).toMatchObject({ prospectId: message?.prospectId, revision: 2 });
    await consumeAll(env, retry ? [retry] : []);
    const [property] = await adminSql()`select price from properties where tenant_id = ${tenant.id}`;
    expect(Number(property?.price)).toBe(456_000);
  });

  it("lets a quarantined record be corrected and resubmitted", async () => {
    const tenant = await createTenant();
    const queue = capturingQueue();
    const env = pipelineEnv(queue);
    await submit(env, tenant, [prospect(4, { zip: "9810", yearBuilt: 3000 })]);
    await consumeAll(env, ofTenant(tenant, queue.take()));

    const listed = await callApi(env, "/api/v1/ingest/quarantine", {
      headers: await tenant.headers("viewer"),
    });
    const { items } = await listed.json<{ items: { id: string; reasons: { ruleId: string }[] }[] }>();
    expect(items).toHaveLength(1);
    expect(items[0]?.reasons.map((reason) => reason.ruleId).sort()).toEqual([
      "year_built.range",
      "zip.format",
    ]);

    const resubmitted = await callApi(env, `/api/v1/ingest/quarantine/${items[0]?.id}/resubmit`, {
      method: "POST",
      headers: await tenant.headers("editor"),
      body: JSON.stringify({ fields: { zip: "98101", yearBuilt: 1999 } }),
    });
    expect(resubmitted.status).toBe(202);
    await consumeAll(env, ofTenant(tenant, queue.take()));
    const [property] =
      await adminSql()`select zip, year_built, county_fips from properties where tenant_id = ${tenant.id}`;
    expect(property).toEqual({ zip: "98101", year_built: 1999, county_fips: "53033" });
  });

  it("records a message for a suspended tenant as a failure and drops one for a deleted tenant", async () => {
    const tenant = await createTenant();
    const queue = capturingQueue();
    const env = pipelineEnv(queue);
    await submit(env, tenant, [prospect(5)]);
    const [message] = ofTenant(tenant, queue.take());
    await adminSql()`update tenants set status = 'suspended' where id = ${tenant.id}`;
    const result = await deliver("enrichment", [message], (batch) =>
      consumeEnrichmentBatch(batch, env, testDeps()),
    );
    expect(result.explicitAcks).toEqual(result.ids);
    const failures = await adminSql()`select reason from ingest_failures where tenant_id = ${tenant.id}`;
    expect(failures).toEqual([{ reason: "tenant_inactive" }]);

    const orphan = { ...message, tenantId: crypto.randomUUID() };
    const dropped = await deliver("enrichment", [orphan, { not: "a message" }], (batch) =>
      consumeEnrichmentBatch(batch, env, testDeps()),
    );
    expect(dropped.explicitAcks).toEqual(dropped.ids);
  });

  it("publishes the outbox after a failed send, once, even with two cron ticks at the same time", async () => {
    const tenant = await createTenant();
    const failing = capturingQueue();
    failing.failNext(10);
    const { batchId } = await submit(
      pipelineEnv(failing),
      tenant,
      Array.from({ length: 150 }, (_, i) => prospect(i)),
    );
    expect(failing.messages).toHaveLength(0);
    const [pending] = await adminSql()`select count(*)::int as n from prospect_queue
      where tenant_id = ${tenant.id} and status = 'pending' and claimed_until is null`;
    expect(pending?.n).toBe(150);

    const queue = capturingQueue();
    const env = pipelineEnv(queue);
    const ticks = [createExecutionContext(), createExecutionContext()];
    await Promise.all(
      ticks.map(async (ctx) => {
        await worker.scheduled(createScheduledController({ cron: "* * * * *" }), env, ctx);
        await waitOnExecutionContext(ctx);
      }),
    );
    const messages = ofTenant(tenant, queue.take());
    expect(messages).toHaveLength(150);
    expect(new Set(messages.map((message) => message.prospectId)).size).toBe(150);

    // Without the lease, the claims alone still keep two publishers from sending a row twice.
    await adminSql()`update prospect_queue set status = 'pending', sent_at = null
      where tenant_id = ${tenant.id} and batch_id = ${batchId}`;
    const adminDb = createAdminDb({ url: testEnv.ADMIN_DATABASE_URL, timeoutMs: 5000 });
    const deadline = Date.now() + 30_000;
    await Promise.all([
      publishPending(adminDb, queue, { maxChunks: 10, deadline }),
      publishPending(adminDb, queue, { maxChunks: 10, deadline }),
    ]);
    const republished = ofTenant(tenant, queue.take());
    expect(republished).toHaveLength(150);
    expect(new Set(republished.map((message) => message.prospectId)).size).toBe(150);
  });
});
