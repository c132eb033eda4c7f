// The ingest API: intake limits and validation, batch progress, feed sources, failure and quarantine listings.
// No cron runs here (see test/queues/enrichment.test.ts): intake's own after-response send goes to a capturing
// queue.
import { describe, expect, it } from "vitest";
import { callApi, capturingQueue, pipelineEnv, prospect } from "../helpers/pipeline.ts";
import { adminSql, createTenant } from "../helpers/tenants.ts";

const env = () => pipelineEnv(capturingQueue());

describe("POST /api/v1/prospects", () => {
  it("answers 202 with a batch, stores every record before sending, and shows progress", async () => {
    const tenant = await createTenant();
    const queue = capturingQueue();
    const response = await callApi(pipelineEnv(queue), "/api/v1/prospects", {
      method: "POST",
      headers: await tenant.headers("editor"),
      body: JSON.stringify([prospect(1), prospect(2), prospect(3)]),
    });
    expect(response.status).toBe(202);
    const body = await response.json<{ batchId: string; received: number; links: { batch: string } }>();
    expect(body).toMatchObject({ received: 3, status: "running" });
    expect(response.headers.get("location")).toBe(body.links.batch);
    expect(queue.messages.map((message) => message.batchId)).toEqual([
      body.batchId,
      body.batchId,
      body.batchId,
    ]);

    const progress = await callApi(pipelineEnv(queue), body.links.batch, {
      headers: await tenant.headers("viewer"),
    });
    expect(progress.status).toBe(200);
    expect(await progress.json()).toMatchObject({
      id: body.batchId,
      source: "api",
      status: "running",
      counts: { received: 3, queued: 3, loaded: 0, quarantined: 0, failed: 0 },
      quality: { evaluated: 0, passRate: null, rules: [] },
    });
    const [started] = await adminSql()`select event->>'eventType' as type from lineage_events
      where tenant_id = ${tenant.id} and batch_id = ${body.batchId}`;
    expect(started?.type).toBe("START");
  });

  it("accepts text/csv with a header row", async () => {
    const tenant = await createTenant();
    const csv =
      'address,city,state,zip,price\r\n"1 Main St, Apt 2",Seattle,WA,98101,"400,000"\r\n2 Main St,,WA,98052,\r\n';
    const response = await callApi(env(), "/api/v1/prospects", {
      method: "POST",
      headers: { ...(await tenant.headers("editor")), "content-type": "text/csv; charset=utf-8" },
      body: csv,
    });
    expect(response.status).toBe(202);
    const rows =
      await adminSql()`select payload from prospect_queue where tenant_id = ${tenant.id} order by position`;
    expect(rows.map((row) => row.payload)).toEqual([
      { address: "1 Main St, Apt 2", city: "Seattle", state: "WA", zip: "98101", price: "400,000" },
      { address: "2 Main St", city: "", state: "WA", zip: "98052", price: "" },
    ]);
  });

  it("refuses bodies over 2 MiB (413), other media types (415) and malformed or unknown input (400/422)", async () => {
    const tenant = await createTenant();
    const headers = await tenant.headers("editor");
    const post = (body: string, extra: Record<string, string> = {}) =>
      callApi(env(), "/api/v1/prospects", { method: "POST", headers: { ...headers, ...extra }, body });

    const huge = JSON.stringify([prospect(1, { address: "x".repeat(900) })]).repeat(1);
    expect((await post(`[${Array(3000).fill(huge.slice(1, -1)).join(",")}]`)).status).toBe(413);
    expect((await post("address\n1 Main", { "content-type": "text/plain" })).status).toBe(415);
    expect((await post("[{")).status).toBe(400);
    for (const body of [
      [],
      {},
      [prospect(1, { tenant_id: crypto.randomUUID() })],
      [prospect(1, { address: { nested: true } })],
      Array.from({ length: 1001 }, (_, index) => ({ address: `${index} Main St` })),
    ]) {
      const response = await post(JSON.stringify(body));
      expect(response.status).toBe(422);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
    }
    const unknownColumn = await post("address,owner\n1 Main,me\n", { "content-type": "text/csv" });
    expect(unknownColumn.status).toBe(422);
    const [count] =
      await adminSql()`select count(*)::int as n from prospect_queue where tenant_id = ${tenant.id}`;
    expect(count?.n).toBe(0);
  });

  it("needs the editor role", async () => {
    const tenant = await createTenant();
    const response = await callApi(env(), "/api/v1/prospects", {
      method: "POST",
      headers: await tenant.headers("viewer"),
      body: JSON.stringify([prospect(1)]),
    });
    expect(response.status).toBe(403);
  });
});

describe("GET /api/v1/ingest/batches/{id}", () => {
  it("answers 404 for another tenant's batch and 400 for a malformed id", async () => {
    const owner = await createTenant();
    const other = await createTenant();
    const created = await callApi(env(), "/api/v1/prospects", {
      method: "POST",
      headers: await owner.headers("editor"),
      body: JSON.stringify([prospect(1)]),
    });
    const { links } = await created.json<{ links: { batch: string } }>();
    expect((await callApi(env(), links.batch, { headers: await other.headers("admin") })).status).toBe(404);
    const malformed = await callApi(env(), "/api/v1/ingest/batches/not-a-uuid", {
      headers: await owner.headers(),
    });
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get("content-type")).toBe("application/problem+json");
    expect(await malformed.json()).toMatchObject({ code: "bad_request", errors: [{ field: "id" }] });
  });
});

describe("feed sources", () => {
  it("creates, lists, updates and deletes a feed; the token stays a secret reference", async () => {
    const tenant = await createTenant();
    const headers = await tenant.headers("admin");
    const created = await callApi(env(), "/api/v1/ingest/feeds", {
      method: "POST",
      headers,
      body: JSON.stringify({
        name: "MLS",
        kind: "reso_web_api",
        url: "https://reso.example.com/odata/Property",
        secretName: "MLS_TOKEN",
        intervalMinutes: 30,
      }),
    });
    expect(created.status).toBe(201);
    const feed = await created.json<{
      id: string;
      secretBinding: string;
      cursor: unknown;
      enabled: boolean;
    }>();
    expect(feed).toMatchObject({
      secretBinding: `FEED_SECRET_${tenant.id.replaceAll("-", "").toUpperCase()}_MLS_TOKEN`,
      cursor: { modificationTimestamp: null, key: null },
      enabled: true,
    });

    const listed = await callApi(env(), "/api/v1/ingest/feeds", { headers });
    expect((await listed.json<{ items: { id: string }[] }>()).items.map((item) => item.id)).toEqual([
      feed.id,
    ]);

    await adminSql()`update ingest_feeds set cursor_timestamp = '2026-01-01T00:00:00.000Z', cursor_key = 'K'
      where id = ${feed.id}`;
    const renamed = await callApi(env(), `/api/v1/ingest/feeds/${feed.id}`, {
      method: "PATCH",
      headers,
      body: JSON.stringify({ name: "MLS 2", enabled: false }),
    });
    expect(await renamed.json()).toMatchObject({ name: "MLS 2", enabled: false, cursor: { key: "K" } });
    const moved = await callApi(env(), `/api/v1/ingest/feeds/${feed.id}`, {
      method: "PATCH",
      headers,
      body: JSON.stringify({ url: "https://other.example.com/odata/Property" }),
    });
    expect(await moved.json()).toMatchObject({ cursor: { modificationTimestamp: null, key: null } });

    const sneaky = await callApi(env(), `/api/v1/ingest/feeds/${feed.id}`, {
      method: "PATCH",
      headers,
      body: JSON.stringify({ secretName: "../DATABASE_URL" }),
    });
    expect(sneaky.status).toBe(422);
    const internal = await callApi(env(), `/api/v1/ingest/feeds/${feed.id}`, {
      method: "PATCH",
      headers,
      body: JSON.stringify({ url: "https://[::ffff:169.254.169.254]/" }),
    });
    expect(internal.status).toBe(422);

    const other = await createTenant();
    const foreign = await callApi(env(), `/api/v1/ingest/feeds/${feed.id}`, {
      headers: await other.headers("admin"),
    });
    expect(foreign.status).toBe(404);
    const editor = await callApi(env(), "/api/v1/ingest/feeds", { headers: await tenant.headers("editor") });
    expect(editor.status).toBe(403);

    expect(
      (await callApi(env(), `/api/v1/ingest/feeds/${feed.id}`, { method: "DELETE", headers })).status,
    ).toBe(204);
    expect((await callApi(env(), `/api/v1/ingest/feeds/${feed.id}`, { headers })).status).toBe(404);
  });
});

describe("failures and quarantine listings", () => {
  it("validate limit and cursor, and page newest first", async () => {
    const tenant = await createTenant();
    const headers = await tenant.headers("viewer");
    for (const query of ["limit=0", "limit=101", "limit=abc", "cursor=not-a-cursor"]) {
      for (const path of ["/api/v1/ingest/failures", "/api/v1/ingest/quarantine"]) {
        const response = await callApi(env(), `${path}?${query}`, { headers });
        expect(response.status, `${path}?${query}`).toBe(400);
      }
    }
    const empty = await callApi(env(), "/api/v1/ingest/quarantine", { headers });
    expect(await empty.json()).toEqual({ items: [], nextCursor: null });

    const created = await callApi(env(), "/api/v1/prospects", {
      method: "POST",
      headers: await tenant.headers("editor"),
      body: JSON.stringify([prospect(1), prospect(2), prospect(3)]),
    });
    const { batchId } = await created.json<{ batchId: string }>();
    await adminSql()`update prospect_queue set status = 'quarantined',
      reasons = '[{"ruleId":"zip.format","message":"bad","severity":"error"}]'::jsonb
      where tenant_id = ${tenant.id}`;
    const first = await callApi(env(), `/api/v1/ingest/quarantine?limit=2&batchId=${batchId}`, { headers });
    const page = await first.json<{ items: { id: string }[]; nextCursor: string }>();
    expect(page.items).toHaveLength(2);
    const second = await callApi(env(), `/api/v1/ingest/quarantine?limit=2&cursor=${page.nextCursor}`, {
      headers,
    });
    const rest = await second.json<{ items: { id: string }[]; nextCursor: string | null }>();
    expect(rest.items).toHaveLength(1);
    expect(rest.nextCursor).toBeNull();
    expect(new Set([...page.items, ...rest.items].map((item) => item.id)).size).toBe(3);

    const other = await createTenant();
    const foreign = await callApi(env(), `/api/v1/ingest/quarantine/${page.items[0]?.id}/resubmit`, {
      method: "POST",
      headers: await other.headers("editor"),
    });
    expect(foreign.status).toBe(404);
    const unknownField = await callApi(env(), `/api/v1/ingest/quarantine/${page.items[0]?.id}/resubmit`, {
      method: "POST",
      headers: await tenant.headers("editor"),
      body: JSON.stringify({ fields: { tenant_id: other.id } }),
    });
    expect(unknownField.status).toBe(422);
  });
});

describe("OpenAPI document", () => {
  it("documents the ingest operations", async () => {
    const response = await callApi(env(), "/openapi.json");
    expect(response.status).toBe(200);
    const document = await response.json<{ paths: Record<string, unknown> }>();
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        "/api/v1/prospects",
        "/api/v1/ingest/batches/{id}",
        "/api/v1/ingest/feeds",
        "/api/v1/ingest/feeds/{id}",
        "/api/v1/ingest/failures",
        "/api/v1/ingest/failures/{id}/resubmit",
        "/api/v1/ingest/quarantine",
        "/api/v1/ingest/quarantine/{id}/resubmit",
      ]),
    );
  });
});
