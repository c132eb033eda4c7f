// RESO Web API mapping and keyset paging of feed pulls (the pure parts of src/ingest/feeds.ts).
import { describe, expect, it } from "vitest";
import {
  type DueFeed,
  FEED_MAX_BYTES,
  fetchCsvPage,
  resoPageUrl,
  resoRecord,
} from "../../src/ingest/feeds.ts";
import { feedSecretBinding } from "../../src/services/ingest-feeds.ts";
import { testDeps } from "../helpers/pipeline.ts";

const feed = (overrides: Partial<DueFeed> = {}): DueFeed => ({
  id: "feed-1",
  tenant_id: "0b6a3f4e-1111-2222-3333-444455556666",
  kind: "reso_web_api",
  url: "https://reso.example.com/odata/Property?$select=ListingKey",
  secret_name: null,
  page_size: 100,
  interval_minutes: 15,
  cursor_timestamp: null,
  cursor_key: null,
  cursor_offset: null,
  cursor_rows: 0,
  cursor_validator: null,
  cursor_header: null,
  ...overrides,
});

describe("resoRecord", () => {
  it("maps Data Dictionary names, preferring close price and decimal baths, and drops absent fields", () => {
    expect(
      resoRecord({
        ListingKey: "L1",
        UnparsedAddress: "12 Main St",
        StreetNumber: "99",
        City: "Seattle",
        StateOrProvince: "WA",
        PostalCode: "98101",
        CountyOrParish: "King",
        Latitude: 47.6,
        Longitude: -122.3,
        ListPrice: 500_000,
        ClosePrice: 510_000,
        BedroomsTotal: 3,
        BathroomsTotalDecimal: 2.5,
        BathroomsTotalInteger: 2,
        LivingArea: 1800,
        LotSizeSquareFeet: 5000,
        YearBuilt: 1990,
        PropertySubType: "Condominium",
        StandardStatus: "Closed",
        CloseDate: "2024-05-01",
        Media: [{ url: "https://x" }],
      }),
    ).toEqual({
      externalRef: "L1",
      address: "12 Main St",
      city: "Seattle",
      state: "WA",
      zip: "98101",
      county: "King",
      latitude: 47.6,
      longitude: -122.3,
      price: 510_000,
      bedrooms: 3,
      bathrooms: 2.5,
      sqft: 1800,
      lotSize: 5000,
      yearBuilt: 1990,
      propertyType: "condo",
      status: "sold",
      closingDate: "2024-05-01",
    });
  });

  it("builds the address from its parts, falls back to list price and integer baths, ignores non-scalars", () => {
    expect(
      resoRecord({
        StreetNumber: 400,
        StreetDirPrefix: "",
        StreetName: "Pine",
        StreetSuffix: "St",
        ListPrice: 300_000,
        BathroomsTotalInteger: 2,
        PropertySubType: "Duplex",
        StandardStatus: "ActiveUnderContract",
        City: { name: "Seattle" },
      }),
    ).toEqual({
      address: "400 Pine St",
      price: 300_000,
      bathrooms: 2,
      propertyType: "multi_family",
      status: "pending",
    });
    // Unknown vocabularies and a missing address leave the fields out for quality rules to judge.
    expect(resoRecord({ PropertySubType: "Castle", StandardStatus: "Withdrawn" })).toEqual({});
  });
});

describe("resoPageUrl", () => {
  it("asks for the first page in cursor order without a filter", () => {
    const url = new URL(resoPageUrl(feed()));
    expect(url.searchParams.get("$filter")).toBeNull();
    expect(url.searchParams.get("$orderby")).toBe("ModificationTimestamp asc,ListingKey asc");
    expect(url.searchParams.get("$top")).toBe("100");
    expect(url.searchParams.get("$select")).toBe("ListingKey");
  });

  it("continues after the cursor with an escaped keyset filter", () => {
    const url = new URL(
      resoPageUrl(
        feed({ cursor_timestamp: "2024-05-01T00:00:00.000Z", cursor_key: "O'Brien-1", page_size: 5 }),
      ),
    );
    expect(url.searchParams.get("$filter")).toBe(
      "ModificationTimestamp gt 2024-05-01T00:00:00.000Z or (ModificationTimestamp eq 2024-05-01T00:00:00.000Z and ListingKey gt 'O''Brien-1')",
    );
    expect(url.searchParams.get("$top")).toBe("5");
    const keyless = new URL(resoPageUrl(feed({ cursor_timestamp: "2024-05-01T00:00:00.000Z" })));
    expect(keyless.searchParams.get("$filter")).toContain("ListingKey gt ''");
  });
});

describe("feedSecretBinding", () => {
  it("scopes the secret name to the tenant", () => {
    expect(feedSecretBinding("0b6a3f4e-1111-2222-3333-444455556666", "MLS_TOKEN")).toBe(
      "FEED_SECRET_0B6A3F4E111122223333444455556666_MLS_TOKEN",
    );
  });
});

describe("fetchCsvPage", () => {
  const csvFeed = (overrides: Partial<DueFeed> = {}) =>
    feed({ kind: "csv_url", url: "https://files.example.com/a.csv", page_size: 2, ...overrides });
  const HEAD = "listingKey,modificationTimestamp,zip,notes";
  const ROWS = [
    "K1,2026-01-02T00:00:00Z,98101,a",
    "K2,2026-01-01T00:00:00Z,98052,b",
    "K3,2026-01-03T00:00:00Z,98101,c",
  ];
  const file = `${HEAD}\r\n${ROWS.join("\r\n")}\r\n`;
  const sent: Headers[] = [];
  const answering = (respond: (headers: Headers) => Response) =>
    testDeps({
      fetcher: (async (_input: RequestInfo | URL, init?: RequestInit) => {
        const headers = new Headers(init?.headers);
        sent.push(headers);
        return respond(headers);
      }) as typeof fetch,
    });
  const ranged = (text: string, etag = '"e1"') =>
    answering((headers) => {
      const range = /^bytes=(\d+)-$/.exec(headers.get("range") ?? "");
      if (!range) return new Response(text, { headers: { etag } });
      const bytes = new TextEncoder().encode(text);
      const start = Number(range[1]);
      if (start >= bytes.byteLength) return new Response(null, { status: 416 });
      return new Response(bytes.subarray(start), {
        status: 206,
        headers: { etag, "content-range": `bytes ${start}-${bytes.byteLength - 1}/${bytes.byteLength}` },
      });
    });

  it("pages through a file by byte offset, in file order, then asks whether it changed", async () => {
    const deps = ranged(file);
    const first = await fetchCsvPage(csvFeed(), {}, deps);
    expect(first.items.map((item) => item.key)).toEqual(["K1", "K2"]);
    expect(first.items[0]?.record).toEqual({ externalRef: "K1", zip: "98101" });
    expect(first.exhausted).toBe(false);
    expect(first.next).toMatchObject({
      cursor_offset: utf8(`${HEAD}\r\n${ROWS[0]}\r\n${ROWS[1]}\r\n`),
      cursor_rows: 2,
      cursor_validator: 'etag "e1"',
      cursor_header: HEAD.split(","),
      cursor_key: "K2",
    });
    const second = await fetchCsvPage(csvFeed(first.next), {}, deps);
    expect(sent.at(-1)?.get("range")).toBe(`bytes=${(first.next.cursor_offset ?? 0) - 1}-`);
    expect(sent.at(-1)?.get("if-range")).toBe('"e1"');
    expect(second.items.map((item) => item.key)).toEqual(["K3"]);
    expect(second.exhausted).toBe(true);
    expect(second.next).toMatchObject({ cursor_offset: null, cursor_rows: 3, cursor_header: null });
    const again = await fetchCsvPage(
      csvFeed(second.next),
      {},
      answering(
        (headers) => new Response(null, { status: headers.get("if-none-match") === '"e1"' ? 304 : 500 }),
      ),
    );
    expect(again).toMatchObject({ items: [], exhausted: true });
  });

  it("uses Last-Modified when there is no ETag, and starts over on a 416", async () => {
    const modified = "Wed, 02 Dec 2026 10:00:00 GMT";
    const first = await fetchCsvPage(
      csvFeed(),
      {},
      answering(() => new Response(file, { headers: { "last-modified": modified } })),
    );
    expect(first.next.cursor_validator).toBe(`last-modified ${modified}`);
    const done = { ...first.next, cursor_offset: null, cursor_header: null };
    await fetchCsvPage(
      csvFeed(done),
      {},
      answering(() => new Response(null, { status: 304 })),
    );
    expect(sent.at(-1)?.get("if-modified-since")).toBe(modified);
    const shrunk = await fetchCsvPage(csvFeed({ ...first.next, cursor_offset: 10_000 }), {}, ranged(file));
    expect(shrunk).toMatchObject({ items: [], exhausted: false });
    expect(shrunk.next).toMatchObject({ cursor_offset: null, cursor_rows: 0, cursor_validator: null });
  });

  it("refuses a wrong range, a duplicate column, a row without its key and malformed CSV", async () => {
    const resumed = csvFeed({
      cursor_offset: 40,
      cursor_rows: 1,
      cursor_header: HEAD.split(","),
      cursor_validator: null,
    });
    const wrongRange = answering(
      () => new Response("x", { status: 206, headers: { "content-range": "bytes 0-0/100" } }),
    );
    await expect(fetchCsvPage(resumed, {}, wrongRange)).rejects.toThrow(/range other than/);
    const fails = (text: string) =>
      fetchCsvPage(
        csvFeed(),
        {},
        answering(() => new Response(text)),
      );
    await expect(fails("listingKey,listingKey\nK1,K1\n")).rejects.toThrow(/names a column twice/);
    await expect(fails(`${HEAD}\n,2026-01-01T00:00:00Z,98101,a\n`)).rejects.toThrow(
      /Row 2 lacks a listingKey/,
    );
    await expect(fails(`${HEAD}\nK1,2026-01-01T00:00:00Z,98101\n`)).rejects.toThrow(
      /^CSV line 2: expected 4 fields but found 3$/,
    );
    await expect(fails(`${HEAD}\nK1,2026-01-01T00:00:00Z,98101,"open`)).rejects.toThrow(
      /quoted field is not closed/,
    );
  });

  it("reads at most FEED_MAX_BYTES past the cursor", async () => {
    const big = new Uint8Array(FEED_MAX_BYTES + 1).fill(0x61);
    const deps = answering(
      () =>
        new Response(
          new ReadableStream({
            start(controller) {
              controller.enqueue(new TextEncoder().encode(`${HEAD}\nK1,2026-01-01T00:00:00Z,1,`));
              controller.enqueue(big);
              controller.close();
            },
          }),
        ),
    );
    await expect(fetchCsvPage(csvFeed({ page_size: 10 }), {}, deps)).rejects.toThrow(/larger than/);
  });
});

const utf8 = (text: string) => new TextEncoder().encode(text).byteLength;
