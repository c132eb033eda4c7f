// The enrichment pipeline end to end on the local platform: intake -> outbox -> (cron) -> consumer -> properties or
// quarantine, and failures through the dead-letter queue. Every cron-driven test lives in this one file: the cron
// scans all tenants, so ticks from files running in parallel would publish each other's rows.
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { afterEach, describe, expect, inject, it, vi } from "vitest";
import { consumeEnrichmentBatch } from "../../queues/enrichment/consumer.ts";
import type { EnrichmentMessage } from "../../queues/enrichment/message.ts";
import { createAdminDb } from "../../src/db/admin.ts";
import { createDatabase } from "../../src/db/client.ts";
import { NRI_DATA_VERSION } from "../../src/domain/geo/hazards.ts";
import { type PriceSample, priceRangeByZip } from "../../src/domain/quality/price-reference.ts";
import worker from "../../src/index.ts";
import { runIngestionTick } from "../../src/ingest/cron.ts";
import { tenantKey } from "../../src/rate-limit-policies.ts";
import { servedAvmModel } from "../../src/services/avm-model.ts";
import type { CandidateRow } from "../../src/services/comps.ts";
import { enrichProspect } from "../../src/services/enrichment.ts";
import { marketPointsOf } from "../../src/services/market-index.ts";
import { publishPending } from "../../src/services/outbox.ts";
import { defaultPipelineDependencies } from "../../src/services/pipeline-dependencies.ts";
import { priceRangeOfRow } from "../../src/services/price-ranges.ts";
import {
  LINEAGE_EVENTS_RETENTION_DAYS,
  PROPERTY_CHANGES_RETENTION_DAYS,
  VALUATION_LOG_RETENTION_DAYS,
} from "../../src/services/retention.ts";
import { rowsOf, runOpsQuery } from "../helpers/analytics-sql.ts";
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

afterEach(() => {
  vi.restoreAllMocks();
});

/** Collects the JSON log lines written from here on (console.log, warn and error), parsed. */
function captureLogLines() {
  const lines: Record<string, unknown>[] = [];
  const capture = (line: unknown) => {
    lines.push(JSON.parse(String(line)) as Record<string, unknown>);
  };
  for (const method of ["log", "warn", "error"] as const)
    vi.spyOn(console, method).mockImplementation(capture);
  return lines;
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
      suiteVersions: string[];
      evaluated: number;
      passed: number;
      passRate: number;
      rules: { ruleId: string; evaluated: number; passed: number; passRate: number | null }[];
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
    expect(batch.quality.rules.find((rule) => rule.ruleId === "zip_format")?.passRate).toBeCloseTo(
      920 / 960,
      4,
    );

    const sql = adminSql();
    const [properties] = await sql`select count(*)::int as n, count(hazards)::int as with_hazards,
      count(latitude)::int as located from properties where tenant_id = ${tenant.id}`;
    expect(properties).toEqual({ n: 920, with_hazards: 920, located: 920 });
    const [indexed] =
      await sql`select count(*)::int as n from property_embeddings where tenant_id = ${tenant.id}`;
    expect(indexed).toEqual({ n: 920 });
    const quarantined = await sql`select reasons from prospect_queue
      where tenant_id = ${tenant.id} and status = 'quarantined' and payload->>'zip' = 'ABCDE' limit 1`;
    expect(
      ((quarantined[0]?.reasons ?? []) as { ruleId: string }[]).map((reason) => reason.ruleId).sort(),
    ).toEqual(["year_built_not_future", "zip_format"]);
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

  it("loads a record whose property GET serves its county's NRI hazards, with the production dependencies", async () => {
    const tenant = await createTenant();
    const queue = capturingQueue();
    const env = pipelineEnv(queue);
    await submit(env, tenant, [prospect(8)]);
    const [message] = ofTenant(tenant, queue.take());
    const deps = defaultPipelineDependencies();
    const result = await deliver("enrichment", [message], (batch) =>
      consumeEnrichmentBatch(batch, env, deps),
    );
    expect(result.explicitAcks).toHaveLength(1);
    const [row] = await adminSql()`select id from properties where tenant_id = ${tenant.id}`;
    const response = await callApi(env, `/api/v1/properties/${row?.id}`, {
      headers: await tenant.headers("viewer"),
    });
    expect(response.status).toBe(200);
    const body = await response.json<{ hazards: Record<string, unknown> | null }>();
    expect(body.hazards).toMatchObject({
      nriVersion: NRI_DATA_VERSION,
      countyFips: "53033",
      county: "King",
      riskRating: "Very High",
    });
  });

  it("bumps the tenant's data generation for a batch that loaded its records, so cached reads miss", async () => {
    const tenant = await createTenant();
    const other = await createTenant();
    const queue = capturingQueue();
    const env = pipelineEnv(queue);
    await submit(env, tenant, [prospect(9)]);
    const [message] = ofTenant(tenant, queue.take());
    // After the submission (an API write, which bumps too), before the load: cached with nothing in it.
    const headers = await tenant.headers("viewer");
    const list = async () => callApi(env, "/api/v1/properties?limit=10", { headers });
    const before = await list();
    expect(before.headers.get("cache-status")).toBe("tenant-reads; fwd=uri-miss; stored");
    expect((await before.json<{ items: unknown[] }>()).items).toHaveLength(0);
    expect((await list()).headers.get("cache-status")).toBe("tenant-reads; hit");
    const generation = (id: string) => env.RATE_LIMITER.getByName(tenantKey(id)).generation();
    const otherBefore = await generation(other.id);

    await deliver("enrichment", [message], (batch) => consumeEnrichmentBatch(batch, env, testDeps()));

    const after = await list();
    expect(after.headers.get("cache-status")).not.toBe("tenant-reads; hit");
    expect((await after.json<{ items: unknown[] }>()).items).toHaveLength(1);
    expect(await generation(other.id)).toBe(otherBefore);
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
    const lines = captureLogLines();
    for (let delivery = 0; delivery < 2; delivery++) {
      const dead = await deliver("enrichment-dlq", [message], (batch, ctx) => worker.queue(batch, env, ctx));
      expect(dead.explicitAcks).toEqual(dead.ids);
    }
    expect(lines.filter((line) => line.msg === "queue batch")).toEqual([
      expect.objectContaining({ level: "warn", queue: "enrichment-dlq", acked: 1, deadLettered: 1 }),
      expect.objectContaining({ level: "info", queue: "enrichment-dlq", acked: 1, deadLettered: 0 }),
    ]);
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

  it("writes the pipeline points the operator queries read, from the consumers and the cron", async () => {
    const tenant = await createTenant();
    const queue = capturingQueue();
    const points: AnalyticsEngineDataPoint[] = [];
    const METRICS = { writeDataPoint: vi.fn((point: AnalyticsEngineDataPoint) => points.push(point)) };
    const env = pipelineEnv(queue, { METRICS });
    await submit(env, tenant, [prospect(1), prospect(2, { zip: "ABCDE" }), prospect(3)]);
    const messages = ofTenant(tenant, queue.take());
    const [poisonRow] =
      await adminSql()`select id from prospect_queue where tenant_id = ${tenant.id} and position = 2`;
    const poison = messages.find((message) => message.prospectId === poisonRow?.id);
    const others = messages.filter((message) => message !== poison);
    expect(others).toHaveLength(2);

    await deliver("enrichment", others, (batch, ctx) => worker.queue(batch, env, ctx));
    const down = pipelineEnv(queue, { METRICS, DATABASE_URL: REFUSING_DATABASE_URL });
    await deliver("enrichment", [poison], (batch, ctx) => worker.queue(batch, down, ctx), 4);
    await deliver(env.ENRICHMENT_DEAD_LETTER_QUEUE, [poison], (batch, ctx) => worker.queue(batch, env, ctx));
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: "* * * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);

    // The operator queries, as scripts/ops-query.ts renders them, over the points as Analytics Engine stores them.
    const queries = inject("opsQueries");
    const rows = rowsOf(points);
    expect(runOpsQuery(queries.dead_letters ?? "", rows).result).toEqual([{ t: null, dead_lettered: 1 }]);
    const failures = runOpsQuery(queries.pipeline_failures ?? "", rows).result;
    expect(failures).toEqual(
      expect.arrayContaining([
        { step: "enrich", outcome: "quarantined", tenant_id: tenant.id, records: 1 },
        { step: "enrich", outcome: "retried", tenant_id: tenant.id, records: 1 },
        { step: "dead_letter", outcome: "dead_lettered", tenant_id: tenant.id, records: 1 },
      ]),
    );
    expect(failures).toHaveLength(3);
    expect(runOpsQuery(queries.pipeline_throughput ?? "", rows).result).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ step: "enrich", outcome: "ok", runs: 1, records: 1 }),
        expect.objectContaining({ step: "ingest", outcome: "ok", runs: 1 }),
      ]),
    );
    // The lag alert's query finds the tick's successful "ingest" point (with no point at all it would page).
    const lag = runOpsQuery(queries.ingestion_lag ?? "", rows);
    expect(lag.matched).toEqual([
      expect.objectContaining({ blob1: "pipeline_step", blob2: "ingest", blob3: "ok", index1: "anonymous" }),
    ]);
    expect(lag.result).toEqual([{ lag_seconds: null, last_ingest: null, runs_in_window: 1 }]);
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
      "year_built_not_future",
      "zip_format",
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

  it("retries only the message that failed: the other nine of ten are acked", async () => {
    const tenant = await createTenant();
    const queue = capturingQueue();
    const env = pipelineEnv(queue);
    await submit(
      env,
      tenant,
      Array.from({ length: 10 }, (_, index) =>
        index === 7 ? prospect(index, { zip: "99999" }) : prospect(index),
      ),
    );
    const messages = ofTenant(tenant, queue.take());
    const lookups = {
      async locateZip(zip: string) {
        // An upstream answering 429/5xx for one record's lookup.
        if (zip === "99999") throw new Error("reference service unavailable");
        return null;
      },
      async countyHazards() {
        return null;
      },
    };
    const lines = captureLogLines();
    const result = await deliver("enrichment", messages, (batch) =>
      consumeEnrichmentBatch(batch, env, testDeps({ lookups: () => lookups })),
    );
    // The batch's one wide-event line, raised to warn because a message was retried.
    expect(lines.filter((line) => line.msg === "queue batch")).toEqual([
      expect.objectContaining({
        level: "warn",
        queue: "enrichment",
        messages: 10,
        acked: 9,
        retried: 1,
        tenants: 1,
      }),
    ]);
    const [failing] =
      await adminSql()`select id from prospect_queue where tenant_id = ${tenant.id} and position = 7`;
    const failingId = result.ids[messages.findIndex((message) => message.prospectId === failing?.id)] ?? "";
    expect(result.explicitAcks).toHaveLength(9);
    expect(result.explicitAcks).not.toContain(failingId);
    expect(result.retryMessages).toEqual([{ msgId: failingId }]);
    expect(result.delays[failingId]).toBeGreaterThan(0);
    const rows = await adminSql()`select position, status from prospect_queue
      where tenant_id = ${tenant.id} order by position`;
    expect(rows.filter((row) => row.status === "loaded")).toHaveLength(9);
    expect(rows[7]?.status).toBe("sent");
  });

  it("republishes a record whose message was lost after sending, with the same idempotency key", async () => {
    const tenant = await createTenant();
    const queue = capturingQueue();
    const env = pipelineEnv(queue);
    await submit(env, tenant, [prospect(6)]);
    const [lost] = ofTenant(tenant, queue.take());
    await runIngestionTick(env, testDeps());
    expect(ofTenant(tenant, queue.take())).toEqual([]);

    await adminSql()`update prospect_queue set sent_at = now() - interval '31 minutes' where tenant_id = ${tenant.id}`;
    await runIngestionTick(env, testDeps());
    const republished = ofTenant(tenant, queue.take());
    expect(republished).toEqual([expect.objectContaining({ idempotencyKey: lost?.idempotencyKey })]);
    await consumeAll(env, [...republished, ...(lost ? [lost] : [])]);
    const rows = await adminSql()`select status from prospect_queue where tenant_id = ${tenant.id}`;
    expect(rows).toEqual([{ status: "loaded" }]);
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

/** Loaded properties of a tenant: `count` in `zip` with living areas of 1,000-2,900 sqft around `perSqft`. */
async function seedProperties(tenantId: string, zip: string, count: number, perSqft: number) {
  const rows = Array.from({ length: count }, (_, index) => {
    const sqft = 1000 + index * 100;
    // +-10% around the level, spread evenly, in whole dollars.
    const price = Math.round(sqft * perSqft * (0.9 + (0.2 * index) / Math.max(1, count - 1)));
    return { address: `${index + 1} Seed Ave ${zip}`, hash: crypto.randomUUID(), zip, price, sqft };
  });
  await adminSql()`
    insert into properties (tenant_id, address, normalized_address, address_hash, zip, price, sqft, property_type)
    select ${tenantId}, r.address, upper(r.address), r.hash, r.zip, r.price, r.sqft, 'single_family'
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
      as r(address text, hash text, zip text, price numeric, sqft integer)`;
  return rows.map<PriceSample>(({ zip, price, sqft }) => ({ zip, price, sqft }));
}

/**
 * Runs cron ticks until every given tenant's price ranges were refreshed by one. A tick refreshes a bounded
 * number of due tenants, and the suite's other files create tenants too, so it may take a few.
 */
async function tickUntilPriceRangesRefreshed(env: Env, tenantIds: string[]) {
  const waiting = new Set(tenantIds);
  for (let tick = 0; tick < 200 && waiting.size > 0; tick++) {
    const report = await runIngestionTick(env, testDeps());
    expect(report.leased).toBe(true);
    for (const refresh of report.priceRanges) waiting.delete(refresh.tenantId);
  }
  expect([...waiting]).toEqual([]);
}

async function priceRangesOf(tenantId: string) {
  const rows = await adminSql()`
    select zip, low as price_low, median as price_median, high as price_high, sample_size as price_samples
    from zip_price_ranges where tenant_id = ${tenantId} order by zip`;
  return new Map(rows.map((row) => [String(row.zip), priceRangeOfRow(row)]));
}

const PRICE_RULE = "price_per_sqft_in_zip_range";

describe("price per sqft against the tenant's own ZIP range", () => {
  it("refreshes ranges on the cron tick per tenant, and quarantines only records far outside their tenant's range", {
    timeout: 120_000,
  }, async () => {
    const [tenantA, tenantB] = [await createTenant(), await createTenant()];
    // The same ZIP, ten times apart: a record priced like B's ZIP is an outlier for A, and the other way round.
    const samplesA = await seedProperties(tenantA.id, "98101", 20, 300);
    await seedProperties(tenantA.id, "98052", 9, 300);
    const samplesB = await seedProperties(tenantB.id, "98101", 12, 3000);
    const queue = capturingQueue();
    const env = pipelineEnv(queue);
    await tickUntilPriceRangesRefreshed(env, [tenantA.id, tenantB.id]);

    // Exactly the rule's own definition over each tenant's samples; 98052 (9 samples) has no range.
    expect(await priceRangesOf(tenantA.id)).toEqual(priceRangeByZip(samplesA));
    expect(await priceRangesOf(tenantB.id)).toEqual(priceRangeByZip(samplesB));
    expect([...(await priceRangesOf(tenantA.id)).keys()]).toEqual(["98101"]);
    const rangeA = (await priceRangesOf(tenantA.id)).get("98101");
    expect(rangeA).toMatchObject({ sampleSize: 20 });
    expect(rangeA?.low).toBeGreaterThan(250);
    expect(rangeA?.high).toBeLessThan(350);

    const { batchId } = await submit(env, tenantA, [
      prospect(1, { zip: "98101", price: 540_000, sqft: 1800 }),
      prospect(2, { zip: "98101", price: 5_400_000, sqft: 1800 }),
      prospect(3, { zip: "98101-2201", price: 54_000, sqft: 1800 }),
      prospect(4, { zip: "98052", price: 5_400_000, sqft: 1800 }),
    ]);
    const batchB = await submit(env, tenantB, [
      prospect(1, { zip: "98101", price: 540_000, sqft: 1800 }),
      prospect(2, { zip: "98101", price: 5_400_000, sqft: 1800 }),
    ]);
    await consumeAll(env, [...ofTenant(tenantA, queue.messages), ...ofTenant(tenantB, queue.take())]);

    const outcomes = async (tenant: TestTenant) =>
      adminSql()`select position, status, reasons, quality_results from prospect_queue
        where tenant_id = ${tenant.id} order by batch_id, position`;
    const a = await outcomes(tenantA);
    expect(a.map((row) => row.status)).toEqual(["loaded", "quarantined", "quarantined", "loaded"]);
    for (const quarantined of [a[1], a[2]]) {
      expect(quarantined?.reasons).toEqual([
        expect.objectContaining({
          ruleId: PRICE_RULE,
          severity: "error",
          message: expect.stringMatching(/^price per sqft \d+ is far outside the zip 98101 range/),
        }),
      ]);
    }
    const resultOf = (row: Record<string, unknown> | undefined) =>
      ((row?.quality_results ?? []) as { ruleId: string; status: string; message: string }[]).find(
        (result) => result.ruleId === PRICE_RULE,
      );
    expect(resultOf(a[0])).toMatchObject({ status: "passed", passed: true });
    expect(resultOf(a[3])).toMatchObject({
      status: "not_evaluated",
      passed: true,
      message: "no pricePerSqftByZip reference for zip 98052",
    });
    const b = await outcomes(tenantB);
    expect(b.map((row) => row.status)).toEqual(["quarantined", "loaded"]);
    expect(((b[0]?.reasons ?? []) as { ruleId: string }[]).map((reason) => reason.ruleId)).toEqual([
      PRICE_RULE,
    ]);

    await runIngestionTick(env, testDeps());
    const batch = await batchOf(env, tenantA, batchId);
    expect(batch.quality.suiteVersions).toEqual(["properties-v2"]);
    expect(batch.quality).toMatchObject({ evaluated: 4, passed: 2 });
    // The record in 98052 had no range to be judged against: it is not counted.
    expect(batch.quality.rules.find((rule) => rule.ruleId === PRICE_RULE)).toEqual({
      ruleId: PRICE_RULE,
      evaluated: 3,
      passed: 1,
      passRate: 0.3333,
    });
    expect(batch.quality.rules.find((rule) => rule.ruleId === "unique_in_batch")).toMatchObject({
      evaluated: 0,
      passRate: null,
    });
    expect((await batchOf(env, tenantB, batchB.batchId)).quality.rules).toContainEqual({
      ruleId: PRICE_RULE,
      evaluated: 2,
      passed: 1,
      passRate: 0.5,
    });
  });

  it("finishes the tick when a refresh fails, leaving the tenant due for the next one", async () => {
    const tenant = await createTenant();
    await seedProperties(tenant.id, "98101", 10, 300);
    const down = pipelineEnv(capturingQueue(), { DATABASE_URL: REFUSING_DATABASE_URL });
    const report = await runIngestionTick(down, testDeps());
    expect(report.leased).toBe(true);
    expect(report.priceRanges).toEqual([]);
    const [refreshed] = await adminSql()`select count(*)::int as n from zip_price_range_refreshes
      where tenant_id = ${tenant.id}`;
    expect(refreshed?.n).toBe(0);
    await tickUntilPriceRangesRefreshed(pipelineEnv(capturingQueue()), [tenant.id]);
    expect([...(await priceRangesOf(tenant.id)).keys()]).toEqual(["98101"]);
  });

  it("reads a record's ZIP range in the round trip that loads the record: two round trips per message", async () => {
    const tenant = await createTenant();
    await seedProperties(tenant.id, "98101", 10, 300);
    const queue = capturingQueue();
    const env = pipelineEnv(queue);
    await tickUntilPriceRangesRefreshed(env, [tenant.id]);
    await submit(env, tenant, [
      prospect(1, { zip: "98101", price: 540_000, sqft: 1800 }),
      prospect(2, { zip: "98101", price: 54_000, sqft: 1800 }),
    ]);
    const outcomes: string[] = [];
    for (const message of ofTenant(tenant, queue.take())) {
      let roundTrips = 0;
      const db = createDatabase({
        url: testEnv.DATABASE_URL,
        timeoutMs: 10_000,
        onRoundTrip: () => roundTrips++,
      });
      // Load (record + range) and one write; the test's lookups answer from memory.
      const outcome = await enrichProspect(db, testDeps(), message);
      outcomes.push(outcome.kind);
      expect(roundTrips).toBe(2);
    }
    expect(outcomes.sort()).toEqual(["loaded", "quarantined"]);
  });
});

interface ResoListing {
  ListingKey: string;
  ModificationTimestamp: string;
  [field: string]: unknown;
}

/** A RESO Web API that honours $filter/$orderby/$top keyset paging, as a fetcher the pipeline calls. */
function resoServer(total: number, token: string) {
  // Seven listings share each timestamp, so pages split inside a run of equal timestamps.
  const listings: ResoListing[] = Array.from({ length: total }, (_, index) => ({
    ListingKey: `L${String(index).padStart(6, "0")}`,
    ModificationTimestamp: new Date(Date.UTC(2026, 0, 1) + Math.floor(index / 7) * 1000).toISOString(),
    UnparsedAddress: `${index + 1} Feed Ave`,
    City: "Seattle",
    StateOrProvince: "WA",
    PostalCode: "98101",
    ListPrice: 400_000 + index,
    BedroomsTotal: 3,
    BathroomsTotalInteger: 2,
    LivingArea: 1500,
    YearBuilt: 2000,
    StandardStatus: "Active",
    PropertySubType: "SingleFamilyResidence",
  }));
  const server = {
    listings,
    requests: 0,
    failNext: 0,
    fetcher: (async (input: RequestInfo | URL, init?: RequestInit) => {
      server.requests++;
      const url = new URL(String(input));
      expect(url.hostname).toBe("reso.example.com");
      expect(new Headers(init?.headers).get("authorization")).toBe(`Bearer ${token}`);
      expect(init?.redirect).toBe("manual");
      if (server.failNext > 0) {
        server.failNext--;
        return new Response("unavailable", { status: 503 });
      }
      const filter = url.searchParams.get("$filter");
      let rows = listings;
      if (filter) {
        const match =
          /^ModificationTimestamp gt (\S+) or \(ModificationTimestamp eq (\S+) and ListingKey gt '(.*)'\)$/.exec(
            filter,
          );
        if (!match) return new Response("bad filter", { status: 400 });
        const [, after, at, key] = match as unknown as [string, string, string, string];
        rows = listings.filter(
          (row) =>
            row.ModificationTimestamp > after || (row.ModificationTimestamp === at && row.ListingKey > key),
        );
      }
      expect(url.searchParams.get("$orderby")).toBe("ModificationTimestamp asc,ListingKey asc");
      return Response.json({ value: rows.slice(0, Number(url.searchParams.get("$top"))) });
    }) as typeof fetch,
  };
  return server;
}

describe("feed ingestion", () => {
  it("pulls a 10,000-record RESO feed across ticks, through failures, with its cursor right", {
    timeout: 240_000,
  }, async () => {
    const tenant = await createTenant();
    const queue = capturingQueue();
    const secretBinding = `FEED_SECRET_${tenant.id.replaceAll("-", "").toUpperCase()}_RESO`;
    const env = pipelineEnv(queue, { [secretBinding]: "reso-token" });
    const server = resoServer(10_000, "reso-token");
    const deps = testDeps({ fetcher: server.fetcher });

    const created = await callApi(env, "/api/v1/ingest/feeds", {
      method: "POST",
      headers: await tenant.headers("admin"),
      body: JSON.stringify({
        name: "MLS",
        kind: "reso_web_api",
        url: "https://reso.example.com/odata/Property",
        secretName: "RESO",
        pageSize: 1000,
        intervalMinutes: 15,
      }),
    });
    expect(created.status).toBe(201);
    const feed = await created.json<{ id: string; secretBinding: string }>();
    expect(feed.secretBinding).toBe(secretBinding);

    const sql = adminSql();
    const messages: EnrichmentMessage[] = [];
    let ticks = 0;
    for (; ticks < 20; ticks++) {
      if (ticks === 2) server.failNext = 1;
      if (ticks === 4) queue.failNext(1);
      const report = await runIngestionTick(env, deps);
      expect(report.leased).toBe(true);
      messages.push(...ofTenant(tenant, queue.take()));
      const [state] =
        await sql`select last_status, cursor_timestamp, cursor_key from ingest_feeds where id = ${feed.id}`;
      if (ticks === 2) {
        expect(state?.last_status).toBe("error");
        // A failed fetch waits out a backoff; the test does not.
        await sql`update ingest_feeds set next_run_at = now() where id = ${feed.id}`;
      }
      if (ticks === 4) {
        expect(state?.last_status).toBe("error");
        expect(state?.cursor_key).toBe("L002999");
      }
      if (state?.last_status === "caught_up") break;
    }
    expect(ticks).toBeGreaterThanOrEqual(11);

    const [stored] = await sql`select count(*)::int as n, count(distinct source_key)::int as keys
      from prospect_queue where tenant_id = ${tenant.id}`;
    expect(stored).toEqual({ n: 10_000, keys: 10_000 });
    expect(messages).toHaveLength(10_000);
    expect(new Set(messages.map((message) => message.prospectId)).size).toBe(10_000);

    const last = server.listings.at(-1);
    const [state] =
      await sql`select cursor_timestamp, cursor_key, records_ingested::int as ingested, last_status,
      next_run_at > now() + interval '14 minutes' as waits_interval from ingest_feeds where id = ${feed.id}`;
    expect(state).toEqual({
      cursor_timestamp: last?.ModificationTimestamp,
      cursor_key: last?.ListingKey,
      ingested: 10_000,
      last_status: "caught_up",
      waits_interval: true,
    });

    const [sample] = await sql`select payload from prospect_queue
      where tenant_id = ${tenant.id} and source_key = ${`L000042@${server.listings[42]?.ModificationTimestamp}`}`;
    expect(sample?.payload).toMatchObject({
      externalRef: "L000042",
      address: "43 Feed Ave",
      zip: "98101",
      price: 400_042,
      propertyType: "single_family",
      status: "active",
    });
    // Not due again until its interval has passed.
    const requests = server.requests;
    await runIngestionTick(env, deps);
    expect(server.requests).toBe(requests);
    await sql`update ingest_feeds set enabled = false where id = ${feed.id}`;
  });

  it("refuses to store a feed pointing at an internal address, and refuses one that redirects there", async () => {
    const tenant = await createTenant();
    const queue = capturingQueue();
    const env = pipelineEnv(queue);
    for (const url of [
      "https://127.0.0.1/feed",
      "https://169.254.169.254/latest/meta-data/",
      "https://[::1]/feed",
      "file:///etc/passwd",
      "gopher://example.com/_x",
      "http://feeds.example.com/listings.csv",
    ]) {
      const response = await callApi(env, "/api/v1/ingest/feeds", {
        method: "POST",
        headers: await tenant.headers("admin"),
        body: JSON.stringify({ name: "bad", kind: "csv_url", url }),
      });
      expect(response.status, url).toBe(422);
      expect(await response.json()).toMatchObject({ code: "validation_failed", errors: [{ field: "url" }] });
    }

    const created = await callApi(env, "/api/v1/ingest/feeds", {
      method: "POST",
      headers: await tenant.headers("admin"),
      body: JSON.stringify({
        name: "redirects",
        kind: "csv_url",
        url: "https://feeds.example.com/listings.csv",
      }),
    });
    const feed = await created.json<{ id: string }>();
    const fetched: string[] = [];
    const deps = testDeps({
      fetcher: (async (input: RequestInfo | URL) => {
        fetched.push(String(input));
        return new Response(null, {
          status: 302,
          headers: { location: "https://169.254.169.254/latest/meta-data/" },
        });
      }) as typeof fetch,
    });
    await runIngestionTick(env, deps);
    expect(fetched).toEqual(["https://feeds.example.com/listings.csv"]);
    const [state] = await adminSql()`select last_status, last_error from ingest_feeds where id = ${feed.id}`;
    expect(state?.last_status).toBe("error");
    expect(state?.last_error).toMatch(/UnsafeUrlError/);
    await adminSql()`update ingest_feeds set enabled = false where id = ${feed.id}`;
  });

  it("pulls a CSV feed and POSTs lineage events to OPENLINEAGE_URL", async () => {
    const tenant = await createTenant();
    const queue = capturingQueue();
    const env = pipelineEnv(queue, { OPENLINEAGE_URL: "https://lineage.example.com/api/v1/lineage" });
    const created = await callApi(env, "/api/v1/ingest/feeds", {
      method: "POST",
      headers: await tenant.headers("admin"),
      body: JSON.stringify({ name: "csv", kind: "csv_url", url: "https://feeds.example.com/listings.csv" }),
    });
    const feed = await created.json<{ id: string }>();
    const posted: { eventType: string; job: { name: string } }[] = [];
    const csv = [
      "listingKey,modificationTimestamp,address,city,state,zip,price",
      'C1,2026-02-01T00:00:00Z,"1 Csv St, Unit 2",Seattle,WA,98101,"450,000"',
      "C2,2026-02-02T00:00:00Z,2 Csv St,Redmond,WA,98052,510000",
    ].join("\r\n");
    const deps = testDeps({
      fetcher: (async (input: RequestInfo | URL, init?: RequestInit) => {
        if (String(input).startsWith("https://lineage.example.com/")) {
          posted.push(JSON.parse(String(init?.body)));
          return new Response(null, { status: 201 });
        }
        return new Response(csv, { headers: { "content-type": "text/csv" } });
      }) as typeof fetch,
    });
    await runIngestionTick(env, deps);
    const messages = ofTenant(tenant, queue.take());
    expect(messages).toHaveLength(2);
    await consumeAll(env, messages);
    await runIngestionTick(env, deps);

    const properties = await adminSql()`select address, price::float8 as price from properties
      where tenant_id = ${tenant.id} order by address`;
    expect(properties).toEqual([
      { address: "1 Csv St, Unit 2", price: 450_000 },
      { address: "2 Csv St", price: 510_000 },
    ]);
    const mine = posted.filter((event) => event.job.name === `ingest.feed.${feed.id}`);
    expect(mine.map((event) => event.eventType)).toEqual(["START", "COMPLETE"]);
    const [undelivered] = await adminSql()`select count(*)::int as n from lineage_events
      where tenant_id = ${tenant.id} and delivered_at is null`;
    expect(undelivered?.n).toBe(0);
    await adminSql()`update ingest_feeds set enabled = false where id = ${feed.id}`;
  });
});

/**
 * A CSV file behind a test fetcher, as a static file host serves it: an ETag, Range requests answered with 206
 * (unless `ranges` is off or If-Range names another version), If-None-Match answered with 304, and the body a
 * pull stream of 16 KiB chunks that counts the bytes the reader actually took.
 */
function csvFileServer(text: string, etag: string | null = '"v1"') {
  const realFetch = globalThis.fetch.bind(globalThis);
  const server = {
    bytes: new TextEncoder().encode(text),
    etag,
    ranges: true,
    pulled: 0,
    requests: [] as { status: number; range: string | null }[],
    replace(next: string, nextEtag: string | null) {
      server.bytes = new TextEncoder().encode(next);
      server.etag = nextEtag;
    },
    fetch: (async (input: RequestInfo | URL, init?: RequestInit) => {
      // Everything else (the Neon HTTP endpoint the Worker's database client calls) goes out as usual.
      if (String(input) !== "https://files.example.com/listings.csv") return realFetch(input, init);
      const headers = new Headers(init?.headers);
      const answer = (status: number, body: Uint8Array | null, extra: Record<string, string> = {}) => {
        server.requests.push({ status, range: headers.get("range") });
        let offset = 0;
        const stream =
          body &&
          new ReadableStream<Uint8Array>(
            {
              pull(controller) {
                if (offset >= body.byteLength) return controller.close();
                const chunk = body.slice(offset, offset + 16_384);
                offset += chunk.byteLength;
                server.pulled += chunk.byteLength;
                controller.enqueue(chunk);
              },
            },
            { highWaterMark: 0 },
          );
        return new Response(stream, {
          status,
          headers: { "content-type": "text/csv", ...(server.etag ? { etag: server.etag } : {}), ...extra },
        });
      };
      if (server.etag && headers.get("if-none-match") === server.etag) return answer(304, null);
      const range = /^bytes=(\d+)-$/.exec(headers.get("range") ?? "");
      const ifRange = headers.get("if-range");
      if (range && server.ranges && (ifRange === null || ifRange === server.etag)) {
        const start = Number(range[1]);
        const size = server.bytes.byteLength;
        if (start >= size) return answer(416, null, { "content-range": `bytes */${size}` });
        return answer(206, server.bytes.subarray(start), {
          "content-range": `bytes ${start}-${size - 1}/${size}`,
        });
      }
      return answer(200, server.bytes);
    }) as typeof fetch,
  };
  return server;
}

const CSV_HEADER = "listingKey,modificationTimestamp,address,city,state,zip,price,remarks";

/** Row `index` of a feed file: listing keys in file order, modification times not (a file has no order). */
function csvRow(index: number, version = 0) {
  const key = `C${String(index).padStart(6, "0")}`;
  const at = new Date(Date.UTC(2026, 0, 1) + ((index * 7919) % 100_003) * 1000 + version * 86_400_000);
  const address = index % 97 === 0 ? `"${index + 1} Feed Ave, Unit ""B"""` : `${index + 1} Feed Ave`;
  const remarks = index % 89 === 0 ? '"two\r\nlines, quoted"' : "Café 🏠";
  return `${key},${at.toISOString()},${address},Seattle,WA,98101,${400_000 + index},${remarks}`;
}

async function feedOf(tenant: TestTenant, env: Env, body: Record<string, unknown>) {
  const created = await callApi(env, "/api/v1/ingest/feeds", {
    method: "POST",
    headers: await tenant.headers("admin"),
    body: JSON.stringify({
      name: "file",
      kind: "csv_url",
      url: "https://files.example.com/listings.csv",
      ...body,
    }),
  });
  expect(created.status).toBe(201);
  return created.json<{ id: string }>();
}

/** One cron tick through the Worker's scheduled handler; answers the tick's log line. */
async function scheduledTick(env: Env, lines: Record<string, unknown>[]) {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ cron: "* * * * *" }), env, ctx);
  await waitOnExecutionContext(ctx);
  return lines.filter((line) => line.msg === "ingestion tick").at(-1);
}

describe("CSV feeds at size", () => {
  it("streams a 100,000-row CSV file over scheduled ticks: every row once, one page held per tick, cursor right", {
    timeout: 900_000,
  }, async () => {
    const tenant = await createTenant();
    const queue = capturingQueue();
    // A 5,000-row page is one statement; PGlite on a shared test machine can take longer than the 5 s default.
    const env = pipelineEnv(queue, { DB_TIMEOUT_MS: "60000" });
    const total = 100_000;
    const pageSize = 5000;
    const text = `\ufeff${CSV_HEADER}\r\n${Array.from({ length: total }, (_, index) => csvRow(index)).join("\r\n")}\r\n`;
    const server = csvFileServer(text);
    const fileBytes = server.bytes.byteLength;
    expect(fileBytes).toBeGreaterThan(8 * 1024 * 1024); // more than one fetch may read (FEED_MAX_BYTES)
    const lines = captureLogLines();
    vi.spyOn(globalThis, "fetch").mockImplementation(server.fetch);
    const feed = await feedOf(tenant, env, { pageSize, intervalMinutes: 60 });

    const sql = adminSql();
    const messages: EnrichmentMessage[] = [];
    let ticks = 0;
    for (; ticks < 40; ticks++) {
      if (ticks === 4) queue.failNext(1); // stored but not sent: the cursor waits, the outbox sends them
      server.ranges = ticks !== 6; // a host that ignores Range for one tick: the same version, skipped to the cursor
      const pulledBefore = server.pulled;
      let line: Record<string, unknown> | undefined;
      if (ticks === 2) {
        // Two overlapping ticks: the lease lets one of them work.
        const both = await Promise.all([scheduledTick(env, lines), scheduledTick(env, lines)]);
        line = both.find((tick) => tick?.feeds === 1);
      } else {
        line = await scheduledTick(env, lines);
      }
      const sent = ofTenant(tenant, queue.take());
      messages.push(...sent);
      const pulled = server.pulled - pulledBefore;
      const [state] = await sql`select last_status, last_error, cursor_rows::int as rows
        from ingest_feeds where id = ${feed.id}`;
      if (ticks !== 4) expect(state?.last_error, `tick ${ticks}`).toBeNull();
      // Bounded per tick: at most one page of records held and sent, and (ranged) about one page of bytes read.
      expect(Number(line?.feedRecordsHeld)).toBeLessThanOrEqual(pageSize);
      expect(sent.length).toBeLessThanOrEqual(ticks === 5 ? 2 * pageSize : pageSize);
      if (ticks !== 6) expect(pulled).toBeLessThan(fileBytes / 10);
      if (ticks === 4) {
        expect(state?.last_status).toBe("error");
        expect(state?.rows).toBe(4 * pageSize);
        await sql`update ingest_feeds set next_run_at = now() where id = ${feed.id}`;
      }
      if (ticks === 6) {
        expect(server.requests.at(-1)).toMatchObject({ status: 200 });
        expect(state?.rows).toBe(6 * pageSize);
      }
      if (state?.last_status === "caught_up") break;
    }
    expect(ticks).toBe(total / pageSize + 1); // the last page is full: one more tick finds the end
    expect(server.requests.filter((request) => request.status === 206).length).toBeGreaterThan(15);

    const [stored] = await sql`select count(*)::int as n, count(distinct source_key)::int as keys
      from prospect_queue where tenant_id = ${tenant.id}`;
    expect(stored).toEqual({ n: total, keys: total });
    expect(messages).toHaveLength(total);
    expect(new Set(messages.map((message) => message.prospectId)).size).toBe(total);
    const [state] = await sql`select cursor_offset, cursor_rows::int as rows, cursor_validator, cursor_header,
      cursor_key, records_ingested::int as ingested, last_status,
      next_run_at > now() + interval '59 minutes' as waits_interval from ingest_feeds where id = ${feed.id}`;
    expect(state).toEqual({
      cursor_offset: null,
      rows: total,
      cursor_validator: 'etag "v1"',
      cursor_header: null,
      cursor_key: `C${String(total - 1).padStart(6, "0")}`,
      ingested: total,
      last_status: "caught_up",
      waits_interval: true,
    });
    const [quoted] = await sql`select payload from prospect_queue
      where tenant_id = ${tenant.id} and payload->>'externalRef' = 'C000970'`;
    expect(quoted?.payload).toMatchObject({
      address: '971 Feed Ave, Unit "B"',
      zip: "98101",
      price: "400970",
    });

    // Due again after its interval: the same version is not read again (304).
    await sql`update ingest_feeds set next_run_at = now() where id = ${feed.id}`;
    const pulled = server.pulled;
    await scheduledTick(env, lines);
    expect(server.requests.at(-1)).toEqual({ status: 304, range: null });
    expect(server.pulled).toBe(pulled);
    expect(ofTenant(tenant, queue.take())).toEqual([]);
    await sql`update ingest_feeds set enabled = false where id = ${feed.id}`;
  });

  it("reads a file that changed between ticks from its start, storing only new and changed rows", async () => {
    const tenant = await createTenant();
    const queue = capturingQueue();
    const env = pipelineEnv(queue);
    const rows = Array.from({ length: 30 }, (_, index) => csvRow(index));
    const server = csvFileServer(`${CSV_HEADER}\n${rows.join("\n")}\n`);
    const lines = captureLogLines();
    vi.spyOn(globalThis, "fetch").mockImplementation(server.fetch);
    const feed = await feedOf(tenant, env, { pageSize: 10 });
    const sql = adminSql();
    const due = () => sql`update ingest_feeds set next_run_at = now() where id = ${feed.id}`;

    await scheduledTick(env, lines);
    expect(ofTenant(tenant, queue.take())).toHaveLength(10);
    // A new version: two rows inserted before the cursor, row 3 changed, row 20 gone, two rows appended.
    const changed = [csvRow(1000), csvRow(1001), ...rows.slice(0, 3), csvRow(3, 1), ...rows.slice(4, 20)];
    changed.push(...rows.slice(21), csvRow(1002), csvRow(1003));
    server.replace(`${CSV_HEADER}\n${changed.join("\n")}\n`, '"v2"');
    const sent: EnrichmentMessage[] = [];
    for (let tick = 0; tick < 10; tick++) {
      await due();
      await scheduledTick(env, lines);
      sent.push(...ofTenant(tenant, queue.take()));
      const [state] = await sql`select last_status from ingest_feeds where id = ${feed.id}`;
      if (state?.last_status === "caught_up") break;
    }
    // The If-Range named v1: the host answered v2 whole, read from its first row.
    expect(server.requests[1]).toMatchObject({ status: 200, range: expect.stringMatching(/^bytes=\d+-$/) });
    const refs = await sql`select payload->>'externalRef' as ref from prospect_queue
      where tenant_id = ${tenant.id} order by id`;
    // The 10 rows stored from v1 are not stored again, except row 3's new version; the other 24 rows of v2 are.
    const stored = refs.map((row) => row.ref as string);
    expect(stored).toHaveLength(10 + 24);
    expect(stored).toEqual(expect.arrayContaining(["C001000", "C001001", "C001002", "C001003"]));
    expect(stored.filter((ref) => ref === "C000003")).toHaveLength(2);
    expect(new Set(stored).size).toBe(33);
    expect(sent).toHaveLength(24);
    const [state] = await sql`select cursor_offset, cursor_rows::int as rows, cursor_validator
      from ingest_feeds where id = ${feed.id}`;
    expect(state).toEqual({ cursor_offset: null, rows: changed.length, cursor_validator: 'etag "v2"' });
    await sql`update ingest_feeds set enabled = false where id = ${feed.id}`;
  });

  it("resumes a file without ETag or Last-Modified by its bytes, and starts over when they moved", async () => {
    const tenant = await createTenant();
    const queue = capturingQueue();
    const env = pipelineEnv(queue);
    const rows = Array.from({ length: 25 }, (_, index) => csvRow(index));
    const server = csvFileServer(`${CSV_HEADER}\n${rows.join("\n")}\n`, null);
    server.ranges = false;
    const lines = captureLogLines();
    vi.spyOn(globalThis, "fetch").mockImplementation(server.fetch);
    const feed = await feedOf(tenant, env, { pageSize: 10 });
    const sql = adminSql();
    await scheduledTick(env, lines);
    await scheduledTick(env, lines);
    expect(ofTenant(tenant, queue.take())).toHaveLength(20);
    const [middle] =
      await sql`select cursor_rows::int as rows, cursor_validator from ingest_feeds where id = ${feed.id}`;
    expect(middle).toEqual({ rows: 20, cursor_validator: null });

    // A new version of the first row, one byte longer: the byte before the offset is no longer a line break.
    const first = csvRow(0, 1).replace(",Seattle,", ",Seattlex,");
    server.replace(`${CSV_HEADER}\n${first}\n${rows.slice(1).join("\n")}\n`, null);
    await scheduledTick(env, lines);
    const [restarted] = await sql`select cursor_offset, cursor_rows::int as rows, last_status
      from ingest_feeds where id = ${feed.id}`;
    expect(restarted).toEqual({ cursor_offset: null, rows: 0, last_status: "ok" });
    for (let tick = 0; tick < 4; tick++) await scheduledTick(env, lines);
    const [done] =
      await sql`select cursor_rows::int as rows, last_status from ingest_feeds where id = ${feed.id}`;
    expect(done).toEqual({ rows: 25, last_status: "caught_up" });
    // Only the changed first row is new: the rest were skipped by their source keys.
    const [stored] = await sql`select count(*)::int as n from prospect_queue where tenant_id = ${tenant.id}`;
    expect(stored?.n).toBe(26);
    await sql`update ingest_feeds set enabled = false where id = ${feed.id}`;
  });
});

describe("retention on the cron tick", () => {
  it("deletes what is past each table's retention through the scheduled handler, and keeps what is inside", async () => {
    const tenant = await createTenant();
    const env = pipelineEnv(capturingQueue());
    // A client that started following the feed while it was empty and has not polled since.
    const emptyFeed = await callApi(env, "/api/v1/properties/changes", {
      headers: await tenant.headers("viewer"),
    });
    const { nextCursor } = await emptyFeed.json<{ nextCursor: string }>();
    const admin = adminSql();
    const [property] = await admin`
      insert into properties (tenant_id, address, normalized_address, address_hash)
      values (${tenant.id}, '1 Retention Way', '1 RETENTION WAY', ${crypto.randomUUID()}) returning id`;
    const propertyId = String(property?.id);
    // Two changes of one property, both past the window: the first is superseded, the second is its latest.
    for (const [operation, version, days] of [
      ["created", 1, PROPERTY_CHANGES_RETENTION_DAYS + 3],
      ["updated", 2, PROPERTY_CHANGES_RETENTION_DAYS + 2],
    ] as const) {
      await admin`
        insert into property_changes (tenant_id, property_id, operation, version, changed_at, snapshot)
        select p.tenant_id, p.id, ${operation}, ${version}, now() - make_interval(days => ${days}),
          to_jsonb(p) || jsonb_build_object('version', ${version}::int)
        from properties p where p.id = ${propertyId}`;
    }
    await admin`
      insert into idempotency_keys (tenant_id, key, request_hash, property_id, response_status, expires_at)
      values (${tenant.id}, 'expired', ${"a".repeat(64)}, ${propertyId}, 201, now() - interval '1 minute'),
        (${tenant.id}, 'live', ${"b".repeat(64)}, ${propertyId}, 201, now() + interval '1 hour')`;
    await admin`
      insert into valuation_log (tenant_id, property_id, model_version, estimate, fsd, requested_at,
        subject_features)
      values (${tenant.id}, null, 'old', 1, 0.1, now() - make_interval(days => ${VALUATION_LOG_RETENTION_DAYS + 1}),
          '{}'),
        (${tenant.id}, null, 'recent', 1, 0.1, now() - interval '1 day', '{}')`;
    const [batch] = await admin`
      insert into ingest_batches (tenant_id, source, received, status) values (${tenant.id}, 'api', 0, 'completed')
      returning id, run_id`;
    // OPENLINEAGE_URL is empty in wrangler.toml: nothing delivers events, so an old undelivered one goes too.
    await admin`
      insert into lineage_events (tenant_id, batch_id, run_id, event_type, event_time, event)
      values (${tenant.id}, ${batch?.id}, ${batch?.run_id}, 'START',
          now() - make_interval(days => ${LINEAGE_EVENTS_RETENTION_DAYS + 1}), '{}'),
        (${tenant.id}, ${batch?.id}, ${batch?.run_id}, 'COMPLETE', now(), '{}')`;

    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: "* * * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);

    const versions = await admin`select version from property_changes where tenant_id = ${tenant.id}`;
    expect(versions.map((row) => row.version)).toEqual([2]);
    const keys = await admin`select key from idempotency_keys where tenant_id = ${tenant.id}`;
    expect(keys.map((row) => row.key)).toEqual(["live"]);
    const valuations = await admin`select model_version from valuation_log where tenant_id = ${tenant.id}`;
    expect(valuations.map((row) => row.model_version)).toEqual(["recent"]);
    const events = await admin`select event_type from lineage_events where tenant_id = ${tenant.id}`;
    expect(events.map((row) => row.event_type)).toEqual(["COMPLETE"]);
    const expired = await callApi(env, `/api/v1/properties/changes?since=${nextCursor}`, {
      headers: await tenant.headers("viewer"),
    });
    expect(expired.status).toBe(410);
  });
});

/**
 * `count` sold houses of one kind in `zip` around (latitude, longitude), closed 1-60 days ago, priced
 * `perSqft` × sqft ± 8% (alternating), in one statement.
 */
async function seedRecentSales(
  tenantId: string,
  zip: string,
  latitude: number,
  longitude: number,
  perSqft: number,
) {
  await adminSql()`insert into properties (tenant_id, address, normalized_address, address_hash, zip, latitude,
      longitude, sqft, lot_size, bedrooms, bathrooms, floors, waterfront, view_rating, condition_rating, grade,
      year_built, property_type, status, closing_price, closing_date)
    select ${tenantId}, i || ' Market St', i || ' MARKET ST', gen_random_uuid()::text, ${zip},
      ${latitude} + (i % 20) * 0.0005, ${longitude} + (i / 20) * 0.0005, 1800, 5000, 3, 2, 1, false, 0, 3, 7,
      1990, 'single_family', 'sold', round(1800 * ${perSqft} * (case when i % 2 = 0 then 1.08 else 0.92 end)),
      current_date - (1 + i % 60)
    from generate_series(1, 200) as i`;
}

describe("market index", () => {
  it("is refreshed per tenant and area by the scheduled handler, from the tenant's own recent sales", {
    timeout: 180_000,
  }, async () => {
    const [tenantA, tenantB] = [await createTenant(), await createTenant()];
    await seedRecentSales(tenantA.id, "98103", 47.66, -122.34, 400);
    await seedRecentSales(tenantA.id, "98033", 47.68, -122.2, 300);
    // B's houses in the same ZIP sell 25% higher: its index must say so, and A's must not see them.
    await seedRecentSales(tenantB.id, "98103", 47.66, -122.34, 500);
    const model = servedAvmModel;
    const refreshed = async () =>
      adminSql()`select tenant_id from market_index_refreshes
        where tenant_id in (${tenantA.id}, ${tenantB.id}) and model_version = ${model.modelVersion}`;
    const env = pipelineEnv(capturingQueue());
    for (let tick = 0; tick < 100 && (await refreshed()).length < 2; tick++) {
      const ctx = createExecutionContext();
      await worker.scheduled(createScheduledController({ cron: "* * * * *" }), env, ctx);
      await waitOnExecutionContext(ctx);
    }
    expect(await refreshed()).toHaveLength(2);

    const pointsOf = async (tenantId: string) =>
      adminSql()`select area, as_of::text as as_of, log_level, sales from market_index
        where tenant_id = ${tenantId} and model_version = ${model.modelVersion} order by area, as_of`;
    const a = await pointsOf(tenantA.id);
    const today = new Date().toISOString().slice(0, 10);
    // Exactly what the pure estimate gives over A's sales, rounded as stored.
    const sales =
      await adminSql()`select id, address, city, zip, latitude, longitude, sqft, lot_size, bedrooms,
        bathrooms::text as bathrooms, floors::text as floors, waterfront, view_rating, condition_rating, grade,
        sqft_above, sqft_basement, year_built, year_renovated, property_type, closing_price::text as closing_price,
        closing_date::text as closing_date
      from properties where tenant_id = ${tenantA.id}`;
    const expected = marketPointsOf(model, sales as unknown as CandidateRow[], today);
    expect(a).toEqual(
      expected
        .map((point) => ({
          area: point.area,
          as_of: point.asOf,
          log_level: Number(point.level.toFixed(6)),
          sales: point.sales,
        }))
        .sort((x, y) => (x.area + x.as_of < y.area + y.as_of ? -1 : 1)),
    );
    expect(new Set(a.map((row) => row.area))).toEqual(new Set(["*", "980", "981"]));
    const latest = (rows: Record<string, unknown>[], area: string) =>
      Number(rows.filter((row) => row.area === area && row.as_of === today)[0]?.log_level);
    expect(a.filter((row) => row.as_of === today).map((row) => row.sales)).toEqual([400, 200, 200]);
    const b = await pointsOf(tenantB.id);
    expect(new Set(b.map((row) => row.area))).toEqual(new Set(["*", "981"]));
    expect(latest(b, "981") - latest(a, "981")).toBeCloseTo(Math.log(500 / 400), 2);
  });

  it("bumps each refreshed tenant's data generation, so no cached valuation outlives the new index", {
    timeout: 180_000,
  }, async () => {
    const tenant = await createTenant();
    await seedRecentSales(tenant.id, "98103", 47.66, -122.34, 400);
    const model = servedAvmModel;
    const [subject] = await adminSql()`select id from properties where tenant_id = ${tenant.id} limit 1`;
    const env = pipelineEnv(capturingQueue());
    const headers = await tenant.headers("viewer");
    const valuation = () => callApi(env, `/api/v1/properties/${subject?.id}/valuation`, { headers });
    const first = await valuation();
    expect(first.status).toBe(200);
    await first.arrayBuffer();
    const cached = await valuation();
    expect(cached.headers.get("cache-status")).toBe("tenant-reads; hit");
    await cached.arrayBuffer();
    const generation = () => env.RATE_LIMITER.getByName(tenantKey(tenant.id)).generation();
    const before = await generation();

    const tick = async () => {
      const ctx = createExecutionContext();
      await worker.scheduled(createScheduledController({ cron: "* * * * *" }), env, ctx);
      await waitOnExecutionContext(ctx);
    };
    const refreshed = async () =>
      adminSql()`select 1 from market_index_refreshes
        where tenant_id = ${tenant.id} and model_version = ${model.modelVersion}`;
    for (let ticks = 0; ticks < 100 && (await refreshed()).length === 0; ticks++) await tick();
    expect(await refreshed()).toHaveLength(1);

    const bumped = await generation();
    expect(bumped).toBeGreaterThan(before);
    const after = await valuation();
    expect(after.status).toBe(200);
    expect(after.headers.get("cache-status")).toBe("tenant-reads; fwd=uri-miss; stored");
    await after.arrayBuffer();
    // A tick that does not refresh the tenant (its points are fresh now) leaves its generation, and its cache, alone.
    await tick();
    expect(await generation()).toBe(bumped);
  });
});
