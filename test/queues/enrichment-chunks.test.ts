// The consumer's set-based path: a batch of one tenant's messages is loaded in one round trip, enriched in the
// Worker and written in one (services/enrichment.ts, loadProspects / planProspect / writeEnriched). No cron here
// (cron-driven tests live in enrichment.test.ts).
import { afterEach, describe, expect, it, vi } from "vitest";
import { consumeEnrichmentBatch } from "../../queues/enrichment/consumer.ts";
import type { EnrichmentMessage } from "../../queues/enrichment/message.ts";
import { createDatabase } from "../../src/db/client.ts";
import { qualityEvaluator } from "../../src/domain/pipeline/pure-parts.ts";
import {
  loadProspects,
  type PlannedWrite,
  planProspect,
  writeEnriched,
} from "../../src/services/enrichment.ts";
import { testEnv } from "../helpers/env.ts";
import { callApi, capturingQueue, deliver, pipelineEnv, prospect, testDeps } from "../helpers/pipeline.ts";
import { adminSql, createTenant, type TestTenant } from "../helpers/tenants.ts";

afterEach(() => {
  vi.restoreAllMocks();
});

async function submit(env: Env, tenant: TestTenant, records: unknown[]): Promise<EnrichmentMessage[]> {
  const response = await callApi(env, "/api/v1/prospects", {
    method: "POST",
    headers: await tenant.headers("editor"),
    body: JSON.stringify(records),
  });
  expect(response.status).toBe(202);
  return (env.ENRICHMENT as ReturnType<typeof capturingQueue>)
    .take()
    .filter((message) => message.tenantId === tenant.id);
}

describe("set-based enrichment of a chunk", () => {
  it("loads and writes 100 records in two round trips, with a property_changes row per property", async () => {
    const tenant = await createTenant();
    const env = pipelineEnv(capturingQueue());
    const messages = await submit(
      env,
      tenant,
      Array.from({ length: 100 }, (_, index) =>
        index % 10 === 0 ? prospect(index, { yearBuilt: 1200 }) : prospect(index),
      ),
    );
    expect(messages).toHaveLength(100);
    let roundTrips = 0;
    const db = createDatabase({
      url: testEnv.DATABASE_URL,
      timeoutMs: 20_000,
      onRoundTrip: () => roundTrips++,
    });
    const deps = testDeps();
    const { tenantStatus, rows } = await loadProspects(
      db,
      tenant.id,
      messages.map((message) => message.prospectId),
    );
    const writes: PlannedWrite[] = [];
    for (const message of messages) {
      const plan = await planProspect(db, deps, message, tenantStatus, rows.get(message.prospectId));
      if (plan.kind === "final") throw new Error(`unexpected ${plan.outcome.kind}`);
      writes.push({ message, plan });
    }
    const outcomes = await writeEnriched(db, tenant.id, deps.quality.suiteVersion, writes);
    // The test's lookups answer from memory; production's are cached per isolate (services/reference-lookup.ts).
    expect(roundTrips).toBe(2);
    const kinds = [...outcomes.values()].map((outcome) => outcome.kind);
    expect(kinds.filter((kind) => kind === "loaded")).toHaveLength(90);
    expect(kinds.filter((kind) => kind === "quarantined")).toHaveLength(10);

    const sql = adminSql();
    const [counts] = await sql`select
        (select count(*)::int from properties where tenant_id = ${tenant.id}) as properties,
        (select count(*)::int from properties where tenant_id = ${tenant.id} and hazards is not null) as with_hazards,
        (select count(*)::int from property_changes where tenant_id = ${tenant.id} and operation = 'created') as created,
        (select count(*)::int from prospect_queue where tenant_id = ${tenant.id} and status = 'loaded'
          and property_id is not null) as loaded`;
    // Hazards come from the database's trigger (migrations/0008), from the reference tables.
    expect(counts).toEqual({ properties: 90, with_hazards: 90, created: 90, loaded: 90 });

    // The same writes again (a redelivered chunk) change nothing.
    const again = await writeEnriched(db, tenant.id, deps.quality.suiteVersion, writes);
    expect(new Set([...again.values()].map((outcome) => outcome.kind))).toEqual(new Set(["duplicate"]));
    const [after] =
      await sql`select count(*)::int as n, max(version)::int as version from properties where tenant_id = ${tenant.id}`;
    expect(after).toEqual({ n: 90, version: 1 });
  });

  it("updates an existing property with an 'updated' change, and keeps its status when the source's is unknown", async () => {
    const tenant = await createTenant();
    const env = pipelineEnv(capturingQueue());
    const first = await submit(env, tenant, [prospect(1, { status: "sold", closingPrice: 510_000 })]);
    const deps = testDeps();
    const consume = (messages: EnrichmentMessage[]) =>
      deliver("enrichment", messages, (batch) => consumeEnrichmentBatch(batch, env, deps));
    await consume(first);
    // The same address again from a source whose status did not map (a feed's unknown StandardStatus), and the
    // same address twice in one chunk: one upsert cannot touch a row twice, so they are written in rounds.
    const second = await submit(env, tenant, [
      prospect(1, { price: 520_000 }),
      prospect(1, { price: 530_000 }),
    ]);
    const result = await consume(second);
    expect(result.explicitAcks).toHaveLength(2);
    const sql = adminSql();
    const [property] =
      await sql`select status, price::int as price, version from properties where tenant_id = ${tenant.id}`;
    // Messages carry no order among themselves: either record may be written last.
    expect(property).toEqual({ status: "sold", price: expect.any(Number), version: 3 });
    expect([520_000, 530_000]).toContain(property?.price);
    const changes = await sql`select operation, version from property_changes
      where tenant_id = ${tenant.id} order by version`;
    expect(changes).toEqual([
      { operation: "created", version: 1 },
      { operation: "updated", version: 2 },
      { operation: "updated", version: 3 },
    ]);
  });

  it("quarantines only the record that breaks a constraint the rules let through; its 99 neighbours load", async () => {
    const tenant = await createTenant();
    const env = pipelineEnv(capturingQueue());
    const messages = await submit(
      env,
      tenant,
      Array.from({ length: 100 }, (_, index) =>
        index === 42 ? prospect(index, { yearBuilt: 1500 }) : prospect(index),
      ),
    );
    // Rules that pass everything, so the year_built check constraint of the table is what refuses record 42.
    const lenient = {
      suiteVersion: qualityEvaluator.suiteVersion,
      evaluate: () => ({ passed: true, results: [] }),
    };
    const result = await deliver("enrichment", messages, (batch) =>
      consumeEnrichmentBatch(batch, env, testDeps({ quality: lenient })),
    );
    expect(result.retryMessages).toEqual([]);
    expect(result.explicitAcks).toHaveLength(100);
    const rows = await adminSql()`select position, status, reasons from prospect_queue
      where tenant_id = ${tenant.id} order by position`;
    expect(rows.filter((row) => row.status === "loaded")).toHaveLength(99);
    expect(rows[42]).toMatchObject({
      status: "quarantined",
      reasons: [expect.objectContaining({ ruleId: "database.constraint" })],
    });
  });

  it("shows a running batch's records per second and estimated completion in GET /ingest/batches/{id}", async () => {
    const tenant = await createTenant();
    const env = pipelineEnv(capturingQueue());
    const response = await callApi(env, "/api/v1/prospects", {
      method: "POST",
      headers: await tenant.headers("editor"),
      body: JSON.stringify(Array.from({ length: 40 }, (_, index) => prospect(index))),
    });
    const { batchId } = await response.json<{ batchId: string }>();
    const messages = (env.ENRICHMENT as ReturnType<typeof capturingQueue>)
      .take()
      .filter((message) => message.tenantId === tenant.id);
    const progress = async () => {
      const batch = await callApi(env, `/api/v1/ingest/batches/${batchId}`, {
        headers: await tenant.headers("viewer"),
      });
      expect(batch.status).toBe(200);
      return (
        await batch.json<{
          progress: { recordsPerSecond: number | null; estimatedCompletionAt: string | null };
        }>()
      ).progress;
    };
    expect(await progress()).toEqual({ recordsPerSecond: null, estimatedCompletionAt: null });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await deliver("enrichment", messages.slice(0, 10), (batch) =>
      consumeEnrichmentBatch(batch, env, testDeps()),
    );
    const running = await progress();
    expect(running.recordsPerSecond).toBeGreaterThan(0);
    expect(Date.parse(running.estimatedCompletionAt ?? "")).toBeGreaterThan(Date.now() - 5_000);
    await deliver("enrichment", messages.slice(10), (batch) =>
      consumeEnrichmentBatch(batch, env, testDeps()),
    );
    const done = await progress();
    expect(done.recordsPerSecond).toBeGreaterThan(0);
    expect(done.estimatedCompletionAt).toBeNull();
  });

  it("retries the whole chunk when the database fails, and one delivery later has one effect", async () => {
    const tenant = await createTenant();
    const env = pipelineEnv(capturingQueue());
    const messages = await submit(
      env,
      tenant,
      Array.from({ length: 20 }, (_, index) => prospect(index)),
    );
    const down = pipelineEnv(capturingQueue(), {
      DATABASE_URL: "postgres://app_runtime:app_runtime@127.0.0.1:9/realestate",
    });
    const failed = await deliver("enrichment", messages, (batch) =>
      consumeEnrichmentBatch(batch, down, testDeps()),
    );
    expect(failed.retryMessages).toHaveLength(20);
    expect(failed.explicitAcks).toEqual([]);
    // Redelivered, and delivered once more at the same time.
    const handler = (batch: MessageBatch) => consumeEnrichmentBatch(batch, env, testDeps());
    await Promise.all([
      deliver("enrichment", messages, handler, 2),
      deliver("enrichment", messages, handler, 2),
    ]);
    const [counts] = await adminSql()`select count(*)::int as n, max(version)::int as version,
      (select count(*)::int from property_changes where tenant_id = ${tenant.id}) as changes
      from properties where tenant_id = ${tenant.id}`;
    expect(counts).toEqual({ n: 20, version: 1, changes: 20 });
  });
});
