import { describe, expect, it } from "vitest";
import { backoff } from "../../queues/enrichment/consumer.ts";
import {
  assertSafeUrl,
  FetchLimitError,
  parseIPv4,
  parseIPv6,
  safeFetchText,
  UnsafeUrlError,
  UpstreamStatusError,
} from "../../src/ingest/safe-fetch.ts";

describe("assertSafeUrl", () => {
  it.each([
    "https://127.0.0.1/",
    "https://127.1/",
    "https://2130706433/",
    "https://0x7f000001/",
    "https://0177.0.0.1/",
    "https://0x7f.0.0.1/",
    "https://169.254.169.254/latest/meta-data/",
    "https://10.0.0.5/",
    "https://172.16.3.4/",
    "https://192.168.1.1/",
    "https://100.64.0.1/",
    "https://0.0.0.0/",
    "https://224.0.0.1/",
    "https://[::1]/",
    "https://[::]/",
    "https://[::ffff:127.0.0.1]/",
    "https://[::ffff:a9fe:a9fe]/",
    "https://[::ffff:10.1.2.3]/",
    "https://[64:ff9b::a9fe:a9fe]/",
    "https://[2002:7f00:1::]/",
    "https://[fd00::1]/",
    "https://[fc12:3456::1]/",
    "https://[fe80::1]/",
    "https://localhost/",
    "https://api.localhost/",
    "https://printer.local/",
    "https://metadata.google.internal/",
    "https://intranet/",
    "http://example.com/",
    "file:///etc/passwd",
    "gopher://example.com/_GET",
    "ftp://example.com/",
    "https://user:pass@example.com/",
    "https://example.com:22/",
    "not a url",
  ])("refuses %s", (url) => {
    expect(() => assertSafeUrl(url)).toThrow(UnsafeUrlError);
  });

  it.each([
    "https://example.com/feed.csv",
    "https://reso.example.com:8443/odata/Property",
    "https://93.184.216.34/",
    "https://[2606:4700:4700::1111]/",
  ])("allows %s", (url) => {
    expect(assertSafeUrl(url).toString()).toBe(new URL(url).toString());
  });

  it("parses IPv4 and IPv6 literals in every spelling", () => {
    expect(parseIPv4("2130706433")).toEqual([127, 0, 0, 1]);
    expect(parseIPv4("0x7f.1")).toEqual([127, 0, 0, 1]);
    expect(parseIPv4("017700000001")).toEqual([127, 0, 0, 1]);
    expect(parseIPv4("256.1.1.1")).toBeNull();
    expect(parseIPv4("example")).toBeNull();
    expect(parseIPv6("::ffff:127.0.0.1")).toEqual([0, 0, 0, 0, 0, 0xffff, 0x7f00, 1]);
    expect(parseIPv6("1::2::3")).toBeNull();
  });
});

function fetcherFrom(routes: Record<string, () => Response>) {
  const calls: { url: string; headers: Headers; redirect?: string }[] = [];
  const fetcher = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    calls.push({ url, headers: new Headers(init?.headers), redirect: init?.redirect });
    const route = routes[url];
    if (!route) throw new TypeError(`unexpected fetch ${url}`);
    return route();
  }) as typeof fetch;
  return { fetcher, calls };
}

describe("safeFetchText", () => {
  const options = { maxBytes: 1024, timeoutMs: 1000 };

  it("follows redirects by hand, validating each hop and dropping credentials across origins", async () => {
    const { fetcher, calls } = fetcherFrom({
      "https://a.example.com/feed": () =>
        new Response(null, { status: 301, headers: { location: "/moved" } }),
      "https://a.example.com/moved": () =>
        new Response(null, { status: 302, headers: { location: "https://b.example.com/final" } }),
      "https://b.example.com/final": () => new Response("ok"),
    });
    const result = await safeFetchText("https://a.example.com/feed", {
      ...options,
      fetcher,
      headers: { authorization: "Bearer secret" },
    });
    expect(result).toEqual({ text: "ok", url: "https://b.example.com/final" });
    expect(calls.map((call) => call.redirect)).toEqual(["manual", "manual", "manual"]);
    expect(calls.map((call) => call.headers.get("authorization"))).toEqual([
      "Bearer secret",
      "Bearer secret",
      null,
    ]);
  });

  it("refuses a redirect to an internal host without fetching it", async () => {
    for (const location of [
      "https://169.254.169.254/latest/meta-data/",
      "https://127.0.0.1/",
      "https://[::1]/",
      "http://example.com/",
      "file:///etc/passwd",
    ]) {
      const { fetcher, calls } = fetcherFrom({
        "https://a.example.com/feed": () => new Response(null, { status: 302, headers: { location } }),
      });
      await expect(safeFetchText("https://a.example.com/feed", { ...options, fetcher })).rejects.toThrow(
        UnsafeUrlError,
      );
      expect(calls).toHaveLength(1);
    }
  });

  it("stops after three redirects", async () => {
    const { fetcher } = fetcherFrom({
      "https://a.example.com/loop": () => new Response(null, { status: 302, headers: { location: "/loop" } }),
    });
    await expect(safeFetchText("https://a.example.com/loop", { ...options, fetcher })).rejects.toThrow(
      /Too many redirects/,
    );
  });

  it("caps the body size whether or not Content-Length is declared", async () => {
    const big = "x".repeat(2048);
    const declared = fetcherFrom({ "https://a.example.com/big": () => new Response(big) });
    await expect(
      safeFetchText("https://a.example.com/big", { ...options, fetcher: declared.fetcher }),
    ).rejects.toThrow(FetchLimitError);
    const streamed = fetcherFrom({
      "https://a.example.com/stream": () =>
        new Response(
          new ReadableStream({
            pull(controller) {
              controller.enqueue(new TextEncoder().encode("y".repeat(600)));
            },
          }),
        ),
    });
    await expect(
      safeFetchText("https://a.example.com/stream", { ...options, fetcher: streamed.fetcher }),
    ).rejects.toThrow(FetchLimitError);
  });

  it("gives up at the deadline and reports upstream errors", async () => {
    const slow = (async (_input: RequestInfo | URL, init?: RequestInit) =>
      new Promise<Response>((_resolve, reject) => {
        init?.signal?.addEventListener("abort", () => reject(init.signal?.reason));
      })) as typeof fetch;
    await expect(
      safeFetchText("https://a.example.com/slow", { maxBytes: 10, timeoutMs: 50, fetcher: slow }),
    ).rejects.toThrow(FetchLimitError);
    const failing = fetcherFrom({ "https://a.example.com/down": () => new Response("no", { status: 503 }) });
    await expect(
      safeFetchText("https://a.example.com/down", { ...options, fetcher: failing.fetcher }),
    ).rejects.toThrow(UpstreamStatusError);
  });
});

describe("backoff", () => {
  it("grows exponentially with jitter and stays bounded", () => {
    expect(backoff(1, () => 0)).toBe(5);
    expect(backoff(1, () => 1)).toBe(10);
    expect(backoff(3, () => 1)).toBe(40);
    expect(backoff(30, () => 1)).toBe(900);
    expect(backoff(2, () => 0.5)).toBeGreaterThan(backoff(1, () => 0.5));
  });
});
