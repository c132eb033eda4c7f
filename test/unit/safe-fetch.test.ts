import { describe, expect, it } from "vitest";
import { backoff } from "../../queues/enrichment/consumer.ts";
import { parseIPv4, parseIPv6 } from "../../src/domain/ip-address.ts";
import {
  assertSafeUrl,
  FetchLimitError,
  safeFetchText,
  UnsafeUrlError,
  UpstreamStatusError,
} from "../../src/services/safe-fetch.ts";

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

describe("assertSafeUrl, special-purpose ranges", () => {
  it.each([
    "https://172.31.255.255/",
    "https://100.127.255.255/",
    "https://169.254.0.1/",
    "https://192.0.0.8/",
    "https://192.0.2.1/",
    "https://192.88.99.1/",
    "https://198.18.0.1/",
    "https://198.19.1.1/",
    "https://198.51.100.7/",
    "https://203.0.113.9/",
    "https://240.0.0.1/",
    "https://255.255.255.255/",
    "https://[::127.0.0.1]/",
    "https://[::ffff:192.168.0.1]/",
    "https://[64:ff9b::10.0.0.1]/",
    "https://[2002:c0a8:101::]/",
    "https://[2001::1]/",
    "https://[2001:db8::1]/",
    "https://[100::1]/",
    "https://[ff02::1]/",
    "https://[fec0::1]/",
    "https://router.lan/",
    "https://nas.home.arpa/",
    "https://localhost./",
  ])("refuses %s", (url) => {
    expect(() => assertSafeUrl(url)).toThrow(UnsafeUrlError);
  });

  it.each([
    "https://172.32.0.1/",
    "https://100.63.0.1/",
    "https://100.128.0.1/",
    "https://169.253.1.1/",
    "https://192.0.1.1/",
    "https://192.88.98.1/",
    "https://198.20.0.1/",
    "https://198.51.101.1/",
    "https://203.0.114.1/",
    "https://8.8.8.8:443/",
    "https://[::ffff:8.8.8.8]/",
    "https://[64:ff9b::8.8.8.8]/",
    "https://[2002:808:808::]/",
    "https://[2001:4860:4860::8888]/",
    "https://[100:1::1]/",
    "https://example.com./feed",
  ])("allows %s", (url) => {
    expect(assertSafeUrl(url).hostname).toBe(new URL(url).hostname);
  });

  it("rejects malformed literals", () => {
    expect(parseIPv4("1.2.3.4.")).toEqual([1, 2, 3, 4]);
    expect(parseIPv4("0x")).toEqual([0, 0, 0, 0]);
    expect(parseIPv4("1.256")).toEqual([1, 0, 1, 0]);
    expect(parseIPv4("1.2.3.4.5")).toBeNull();
    expect(parseIPv4("1.2.3.256")).toBeNull();
    expect(parseIPv4("4294967296")).toBeNull();
    expect(parseIPv4("08.1.1.1")).toBeNull();
    expect(parseIPv6("fe80::1%eth0")).toBeNull();
    expect(parseIPv6("::1.2.3")).toBeNull();
    expect(parseIPv6("::1.2.3.256")).toBeNull();
    expect(parseIPv6("1:2:3:4:5:6:7")).toBeNull();
    expect(parseIPv6("1:2:3:4::5:6:7:8")).toBeNull();
    expect(parseIPv6("g::1")).toBeNull();
    expect(parseIPv6("12345::1")).toBeNull();
    expect(parseIPv6("::")).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(parseIPv6("1:2:3:4:5:6:7:8")).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });
});

describe("safeFetchText, edge cases", () => {
  const options = { maxBytes: 1024, timeoutMs: 5_000 };

  it("never forwards cookies, answers an empty body and reports the final URL", async () => {
    const { fetcher, calls } = fetcherFrom({
      "https://a.example.com/empty": () => new Response(null, { status: 200 }),
    });
    const result = await safeFetchText("https://a.example.com/empty", {
      ...options,
      fetcher,
      headers: { cookie: "session=1", authorization: "Bearer t" },
    });
    expect(result).toEqual({ text: "", url: "https://a.example.com/empty" });
    expect(calls[0]?.headers.get("cookie")).toBeNull();
    expect(calls[0]?.headers.get("authorization")).toBe("Bearer t");
  });

  it("treats a 3xx without Location as an upstream error and rethrows transport failures", async () => {
    const { fetcher } = fetcherFrom({
      "https://a.example.com/moved": () => new Response(null, { status: 302 }),
    });
    const error = await safeFetchText("https://a.example.com/moved", { ...options, fetcher }).catch((e) => e);
    expect(error).toBeInstanceOf(UpstreamStatusError);
    const broken = (async () => {
      throw new TypeError("connection reset");
    }) as typeof fetch;
    await expect(safeFetchText("https://a.example.com/x", { ...options, fetcher: broken })).rejects.toThrow(
      "connection reset",
    );
  });

  it("maps a timeout while reading the body to FetchLimitError and rethrows other stream errors", async () => {
    const failingBody = (error: Error) =>
      fetcherFrom({
        "https://a.example.com/body": () =>
          new Response(
            new ReadableStream({
              pull(controller) {
                controller.error(error);
              },
            }),
          ),
      }).fetcher;
    await expect(
      safeFetchText("https://a.example.com/body", {
        ...options,
        fetcher: failingBody(new DOMException("deadline", "TimeoutError")),
      }),
    ).rejects.toThrow(FetchLimitError);
    await expect(
      safeFetchText("https://a.example.com/body", { ...options, fetcher: failingBody(new Error("corrupt")) }),
    ).rejects.toThrow("corrupt");
  });

  it("refuses a URL that is unsafe before fetching anything", async () => {
    const { fetcher, calls } = fetcherFrom({});
    await expect(safeFetchText("https://10.0.0.1/", { ...options, fetcher })).rejects.toThrow(UnsafeUrlError);
    expect(calls).toEqual([]);
  });
});
