import { beforeAll, describe, expect, it } from "vitest";
import { createAdminDb } from "../../../src/db/admin.ts";
import { PROPERTY_CHANGES_RETENTION_DAYS, purgeExpired } from "../../../src/services/retention.ts";
import { testEnv } from "../../helpers/env.ts";
import { adminSql, createTenant, type TestTenant } from "../../helpers/tenants.ts";
import { createProperty, send, warmUp } from "./helpers.ts";

beforeAll(warmUp, 30_000);

interface Change {
  changeId: string;
  operation: string;
  propertyId: string;
  version: number;
  property: Record<string, unknown> | null;
}
interface ChangesPage {
  changes: Change[];
  nextCursor: string;
  hasMore: boolean;
}

async function changes(tenant: TestTenant, query = ""): Promise<ChangesPage> {
  const response = await send(tenant, "GET", `/changes${query}`, { role: "viewer" });
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as ChangesPage;
}

describe("GET /api/v1/properties/changes", () => {
  it("returns creates, updates and deletion tombstones in order, with the property as written", async () => {
    const tenant = await createTenant();
    const created = await createProperty(tenant, { price: 100 });
    await send(tenant, "PATCH", `/${created.id}`, {
      body: { price: 200 },
      headers: { "if-match": created.etag },
    });
    await send(tenant, "DELETE", `/${created.id}`, { headers: { "if-match": '"2"' } });

    const page = await changes(tenant);
    expect(page.changes.map((change) => [change.operation, change.version])).toEqual([
      ["created", 1],
      ["updated", 2],
      ["deleted", 3],
    ]);
    expect(page.changes[0]?.property).toEqual(created.body);
    expect(page.changes[1]?.property).toMatchObject({ price: 200, version: 2 });
    expect(page.changes[2]).toMatchObject({ propertyId: created.id, property: null });
    expect(page.hasMore).toBe(false);
  });

  it("resumes from the cursor: nothing new, then only what happened after", async () => {
    const tenant = await createTenant();
    const first = await createProperty(tenant);
    const second = await createProperty(tenant);
    const page1 = await changes(tenant, "?limit=1");
    expect(page1.changes.map((change) => change.propertyId)).toEqual([first.id]);
    expect(page1.hasMore).toBe(true);
    const page2 = await changes(tenant, `?limit=1&since=${page1.nextCursor}`);
    expect(page2.changes.map((change) => change.propertyId)).toEqual([second.id]);
    const idle = await changes(tenant, `?since=${page2.nextCursor}`);
    expect(idle.changes).toEqual([]);
    expect(idle.nextCursor).toBe(page2.nextCursor);

    await send(tenant, "PATCH", `/${first.id}`, {
      body: { bedrooms: 9 },
      headers: { "if-match": first.etag },
    });
    const later = await changes(tenant, `?since=${idle.nextCursor}`);
    expect(later.changes.map((change) => [change.propertyId, change.operation])).toEqual([
      [first.id, "updated"],
    ]);
  });

  it("keeps a replica equal to the live list when replayed in order", async () => {
    const tenant = await createTenant();
    const a = await createProperty(tenant);
    const b = await createProperty(tenant);
    await createProperty(tenant);
    await send(tenant, "PATCH", `/${a.id}`, { body: { price: 1 }, headers: { "if-match": a.etag } });
    await send(tenant, "DELETE", `/${b.id}`, { headers: { "if-match": b.etag } });

    const replica = new Map<string, Record<string, unknown>>();
    let cursor = "";
    for (;;) {
      const page = await changes(tenant, `?limit=2${cursor ? `&since=${cursor}` : ""}`);
      for (const change of page.changes) {
        if (change.property) replica.set(change.propertyId, change.property);
        else replica.delete(change.propertyId);
      }
      cursor = page.nextCursor;
      if (!page.hasMore) break;
    }
    const live = (await (await send(tenant, "GET", "?limit=100", { role: "viewer" })).json()) as {
      items: { id: string }[];
    };
    expect([...replica.values()].sort((x, y) => String(x.id).localeCompare(String(y.id)))).toEqual(
      [...live.items].sort((x, y) => x.id.localeCompare(y.id)),
    );
  });

  it("answers 400 invalid_cursor for a garbage or out-of-range cursor and 400 for a bad limit", async () => {
    const tenant = await createTenant();
    const huge = btoa(JSON.stringify({ v: 1, x: "99999999999999999999", c: "1" })).replace(/=+$/, "");
    for (const since of ["nope", "eyJ2IjoxLCJ4IjoiMSJ9", huge]) {
      const response = await send(tenant, "GET", `/changes?since=${since}`, { role: "viewer" });
      expect(response.status, since).toBe(400);
      expect(await response.json()).toMatchObject({ code: "invalid_cursor" });
    }
    expect((await send(tenant, "GET", "/changes?limit=0", { role: "viewer" })).status).toBe(400);
  });

  it("answers 410 for a cursor after which retention removed a change, and keeps every property's latest", async () => {
    const tenant = await createTenant();
    const other = await createTenant();
    const created = await createProperty(tenant);
    const otherCreated = await createProperty(other);
    const afterCreate = await changes(tenant);
    const otherCursor = (await changes(other)).nextCursor;
    // A change older than the window. The API cannot backdate a write, so the test stores one as the cron's role
    // may (the same snapshot as the create, an earlier version than the PATCH below supersedes).
    await adminSql()`
      insert into property_changes (tenant_id, property_id, operation, version, changed_at, snapshot)
      select tenant_id, property_id, 'updated', 1,
        now() - make_interval(days => ${PROPERTY_CHANGES_RETENTION_DAYS + 1}), snapshot
      from property_changes where tenant_id = ${tenant.id} and property_id = ${created.id}`;
    const patched = await send(tenant, "PATCH", `/${created.id}`, {
      body: { price: 1 },
      headers: { "if-match": created.etag },
    });
    expect(patched.status).toBe(200);
    const beforePurge = await changes(tenant, `?since=${afterCreate.nextCursor}`);
    expect(beforePurge.changes.map((change) => [change.operation, change.version])).toEqual([
      ["updated", 1],
      ["updated", 2],
    ]);

    // The cron's purge (the cron tick itself is tested in test/queues/enrichment.test.ts, where every tick runs).
    await purgeExpired(createAdminDb({ url: testEnv.ADMIN_DATABASE_URL, timeoutMs: 10_000 }), {
      deadline: Date.now() + 30_000,
      lineageDelivery: false,
    });
    const left =
      await adminSql()`select operation, version from property_changes where tenant_id = ${tenant.id}
      order by xid, change_id`;
    expect(left.map((row) => [row.operation, row.version])).toEqual([
      ["created", 1],
      ["updated", 2],
    ]);

    const gone = await send(tenant, "GET", `/changes?since=${afterCreate.nextCursor}`, { role: "viewer" });
    expect(gone.status).toBe(410);
    expect(gone.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    const problem = (await gone.json()) as Record<string, unknown>;
    expect(problem).toMatchObject({ status: 410, code: "changes_cursor_expired" });
    expect(String(problem.detail)).toContain(`${PROPERTY_CHANGES_RETENTION_DAYS} days`);

    // A cursor past the removed change, and another tenant's, go on as before.
    expect((await changes(tenant, `?since=${beforePurge.nextCursor}`)).changes).toEqual([]);
    expect((await changes(other, `?since=${otherCursor}`)).changes).toEqual([]);
    // From the start: the create (inside the window) and the latest update; the removed one is not served.
    const restart = await changes(tenant);
    expect(restart.changes.map((change) => [change.operation, change.version])).toEqual([
      ["created", 1],
      ["updated", 2],
    ]);
    expect(restart.changes[1]?.property).toMatchObject({ id: created.id, price: 1, version: 2 });
    expect((await changes(other)).changes.map((change) => change.propertyId)).toEqual([otherCreated.id]);
  });
});
