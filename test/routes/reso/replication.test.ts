// Replication as RESO's client does it (NextLink, TimestampAsc, TimestampDesc, TopAndSkip): every record exactly
// once and exactly @odata.count records, also while others write during a nextLink walk.
import { beforeAll, describe, expect, it } from "vitest";
import { adminSql, createTenant, type TestTenant } from "../../helpers/tenants.ts";
import { createProperty, send, warmUp } from "../properties/helpers.ts";
import { expectBadQuery, page, walk } from "./helpers.ts";

beforeAll(warmUp, 30_000);

/** `count` properties written by one statement: they share the transaction's now(), not their stamps. */
async function bulkInsert(tenant: TestTenant, count: number, tag: string): Promise<void> {
  await adminSql()`insert into properties (tenant_id, address, normalized_address, address_hash, price, property_type,
      status)
    select ${tenant.id}, i || ' ' || ${tag} || ' St', upper(i || ' ' || ${tag} || ' St'), md5(${tag} || i), 1000 * i,
      'single_family', 'active'
    from generate_series(1, ${count}::int) i`;
}

function expectExactlyOnce(keys: string[], expected: number): void {
  expect(keys).toHaveLength(expected);
  expect(new Set(keys).size).toBe(expected);
}

describe("RESO replication", () => {
  let tenant: TestTenant;
  let initial: string[];

  beforeAll(async () => {
    tenant = await createTenant();
    await bulkInsert(tenant, 37, "bulk");
    const all = await page(tenant, "/Property?$select=ListingKey,ModificationTimestamp&$top=1000");
    initial = all.value.map((record) => String(record.ListingKey));
  }, 60_000);

  it("stamps rows one statement writes with distinct ModificationTimestamps", async () => {
    const all = await page(tenant, "/Property?$select=ModificationTimestamp");
    expectExactlyOnce(
      all.value.map((record) => String(record.ModificationTimestamp)),
      37,
    );
  });

  it("NextLink: follows @odata.nextLink to exactly @odata.count distinct records", async () => {
    const pages = await walk(tenant, "/Property?$count=true", 5);
    expect(pages.length).toBe(8);
    for (const current of pages) expect(current["@odata.count"]).toBe(37);
    expectExactlyOnce(
      pages.flatMap((current) => current.value.map((record) => String(record.ListingKey))),
      37,
    );
  });

  it("TimestampAsc and TimestampDesc: pages by `gt`/`lt` the last ModificationTimestamp lose no row", async () => {
    for (const [operator, direction] of [
      ["gt", "asc"],
      ["lt", "desc"],
    ] as const) {
      const keys: string[] = [];
      let last: string | undefined;
      for (;;) {
        const filter = last ? `&$filter=ModificationTimestamp ${operator} ${last}` : "";
        const current = await page(
          tenant,
          `/Property?$orderby=ModificationTimestamp ${direction}&$top=6${filter}`,
        );
        if (current.value.length === 0) break;
        keys.push(...current.value.map((record) => String(record.ListingKey)));
        last = String(current.value.at(-1)?.ModificationTimestamp);
      }
      expectExactlyOnce(keys, 37);
    }
  });

  it("TopAndSkip: $top and $skip until an empty page", async () => {
    const keys: string[] = [];
    for (let skip = 0; ; skip += 8) {
      const current = await page(tenant, `/Property?$top=8&$skip=${skip}`);
      if (current.value.length === 0) break;
      keys.push(...current.value.map((record) => String(record.ListingKey)));
    }
    expectExactlyOnce(keys, 37);
  });

  it("a nextLink walk returns each row that existed at its start exactly once while others insert, update and delete", async () => {
    const scratch = await createTenant();
    await bulkInsert(scratch, 40, "moving");
    const before = await page(scratch, "/Property?$select=ListingKey&$top=1000");
    const existing = before.value.map((record) => String(record.ListingKey));
    const inserted: string[] = [];
    let writes = 0;
    const pages = await walk(
      scratch,
      "/Property?$count=true&$select=ListingKey,ListPrice,StandardStatus",
      6,
      async () => {
        // Between pages: two inserts, an update of a row already served and one not yet served, and a delete.
        for (let index = 0; index < 2; index++) inserted.push((await createProperty(scratch)).id);
        for (const key of [existing[writes % 40], existing[39 - (writes % 40)]]) {
          const current = await send(scratch, "GET", `/${key}`);
          if (current.status === 404) continue; // deleted in an earlier round
          const etag = String(current.headers.get("etag"));
          const patched = await send(scratch, "PATCH", `/${key}`, {
            body: { price: 123456 + writes },
            headers: { "if-match": etag, "content-type": "application/merge-patch+json" },
          });
          expect(patched.status).toBe(200);
        }
        const victim = existing[(writes * 7 + 3) % 40];
        const current = await send(scratch, "GET", `/${victim}`);
        if (current.status === 200) {
          const gone = await send(scratch, "DELETE", `/${victim}`, {
            role: "admin",
            headers: { "if-match": String(current.headers.get("etag")) },
          });
          expect(gone.status).toBe(204);
        }
        writes++;
      },
    );
    expect(writes).toBeGreaterThan(5);
    const served = pages.flatMap((current) => current.value.map((record) => String(record.ListingKey)));
    expect(pages[0]?.["@odata.count"]).toBe(40);
    expectExactlyOnce(served, 40);
    expect(new Set(served)).toEqual(new Set(existing));
    for (const key of inserted) expect(served).not.toContain(key);
    // The next replication sees what changed: the new rows, the updates and the tombstones.
    const after = await page(scratch, "/Property?$count=true&$filter=StandardStatus eq 'Delete'");
    expect(after["@odata.count"]).toBeGreaterThan(0);
    const everything = await walk(scratch, "/Property?$count=true", 50);
    expect(everything[0]?.["@odata.count"]).toBe(40 + inserted.length);
  }, 120_000);

  it("refuses a $skiptoken replayed against another $orderby", async () => {
    const first = await page(tenant, "/Property?$orderby=ListPrice desc", { prefer: "odata.maxpagesize=5" });
    const token = new URL(String(first["@odata.nextLink"])).searchParams.get("$skiptoken") as string;
    const same = await page(tenant, `/Property?$orderby=ListPrice desc&$skiptoken=${token}`);
    expect(same.value.length).toBeGreaterThan(0);
    await expectBadQuery(tenant, `/Property?$orderby=ListPrice asc&$skiptoken=${token}`, "$skiptoken");
  });

  it("pages a custom order by keyset: ListPrice desc with nextLink serves every row once", async () => {
    const pages = await walk(tenant, "/Property?$orderby=ListPrice desc&$select=ListingKey,ListPrice", 4);
    const prices = pages.flatMap((current) => current.value.map((record) => Number(record.ListPrice)));
    expect(prices).toEqual([...prices].sort((a, b) => b - a));
    expectExactlyOnce(
      pages.flatMap((current) => current.value.map((record) => String(record.ListingKey))),
      initial.length,
    );
  });
});
