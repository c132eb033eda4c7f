// Round trip: the product's own RESO feed client (src/ingest/feeds.ts) replicates one tenant's properties from this
// product's own RESO Web API (/reso/odata, with that tenant's token), into another tenant's intake. Both sides of
// the format meet: the client's keyset filter and order, ModificationTimestamp and ListingKey, the field mapping.
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDatabase } from "../../src/db/client.ts";
import { type DueFeed, pullFeedPage } from "../../src/ingest/feeds.ts";
import { testEnv } from "../helpers/env.ts";
import { callApi, capturingQueue, pipelineEnv, testDeps } from "../helpers/pipeline.ts";
import { adminSql, createTenant } from "../helpers/tenants.ts";

describe("RESO round trip", () => {
  it("a tenant's RESO feed pointed at this product's /reso/odata replicates another tenant's every property", {
    timeout: 120_000,
  }, async () => {
    const source = await createTenant();
    const target = await createTenant();
    const sql = adminSql();
    // Written by one statement (one now()), so the feed's pages split inside what would be a run of equal stamps.
    await sql`insert into properties (tenant_id, address, normalized_address, address_hash, city, state, zip, price,
        bedrooms, bathrooms, sqft, year_built, property_type, status, closing_price, closing_date)
      select ${source.id}, i || ' Round Trip Ave', upper(i || ' ROUND TRIP AVE'), md5('rt' || i), 'Seattle', 'WA',
        '98101', 400000 + i, 3, 2, 1500 + i, 1990, case when i % 3 = 0 then 'condo' else 'single_family' end,
        case when i % 4 = 0 then 'sold' else 'active' end, case when i % 4 = 0 then 410000 + i end,
        case when i % 4 = 0 then date '2026-05-01' end
      from generate_series(1, 23) i`;
    const sourceRows = await sql`select id::text as id,
      (extract(epoch from modification_timestamp) * 1000)::bigint::text as ms from properties
      where tenant_id = ${source.id}`;

    const queue = capturingQueue();
    const binding = `FEED_SECRET_${target.id.replaceAll("-", "").toUpperCase()}_SELF`;
    const env = pipelineEnv(queue, { [binding]: await source.token("viewer") });
    const created = await callApi(env, "/api/v1/ingest/feeds", {
      method: "POST",
      headers: await target.headers("admin"),
      body: JSON.stringify({
        name: "our own RESO Web API",
        kind: "reso_web_api",
        url: "https://reso.example.com/reso/odata/Property",
        secretName: "SELF",
        pageSize: 5,
        enabled: false,
      }),
    });
    expect(created.status, await created.clone().text()).toBe(201);
    const { id: feedId } = (await created.json()) as { id: string };

    // The feed's fetches reach this Worker's own /reso/odata.
    const requests: string[] = [];
    const deps = testDeps({
      fetcher: (async (input: RequestInfo | URL, init?: RequestInit) => {
        const url = new URL(String(input));
        expect(url.origin).toBe("https://reso.example.com");
        requests.push(url.search);
        return exports.default.fetch(new Request(`http://api.test${url.pathname}${url.search}`, init));
      }) as typeof fetch,
    });
    const db = createDatabase({ url: testEnv.DATABASE_URL, timeoutMs: 10_000 });
    let status = "ok";
    for (let page = 0; page < 10 && status !== "caught_up"; page++) {
      // The columns and conversions of the cron's due-feed query (src/ingest/cron.ts).
      const [feed] =
        (await sql`select id, tenant_id, kind, url, secret_name, page_size::int, interval_minutes::int,
          cursor_timestamp, cursor_key, cursor_offset::float8, cursor_rows::int, cursor_validator, cursor_header
        from ingest_feeds where id = ${feedId}`) as unknown as DueFeed[];
      const report = await pullFeedPage(
        { db, env, deps, queue, deadline: Date.now() + 30_000 },
        feed as DueFeed,
      );
      expect(report.status, report.error).not.toBe("error");
      status = report.status;
    }
    expect(status).toBe("caught_up");
    // 23 records in pages of 5: the fifth, short, page is the last.
    expect(requests.length).toBe(5);
    expect(requests[1]).toContain("ModificationTimestamp+gt+");

    const stored = await sql`select source_key, payload from prospect_queue where tenant_id = ${target.id}`;
    expect(stored).toHaveLength(23);
    const keys = new Set(stored.map((row) => String(row.source_key)));
    for (const row of sourceRows) {
      expect(keys.has(`${row.id}@${new Date(Number(row.ms)).toISOString()}`)).toBe(true);
    }
    const sold = stored.find((row) => (row.payload as { address: string }).address === "8 Round Trip Ave");
    expect(sold?.payload).toMatchObject({
      address: "8 Round Trip Ave",
      city: "Seattle",
      state: "WA",
      zip: "98101",
      price: 410008,
      bedrooms: 3,
      bathrooms: 2,
      sqft: 1508,
      yearBuilt: 1990,
      propertyType: "single_family",
      status: "sold",
      closingDate: "2026-05-01",
    });
    const condo = stored.find((row) => (row.payload as { address: string }).address === "3 Round Trip Ave");
    expect(condo?.payload).toMatchObject({ propertyType: "condo", status: "active", price: 400003 });
  });
});
