import { beforeAll, describe, expect, it } from "vitest";
import { createTenant, type TestTenant } from "../../helpers/tenants.ts";
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
});
