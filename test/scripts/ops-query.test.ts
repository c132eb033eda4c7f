import { describe, expect, it, vi } from "vitest";
import {
  credentialsFrom,
  DATASETS,
  defaultBucket,
  formatTable,
  listQueries,
  loadQuery,
  main,
  parseArgs,
  parseDuration,
  renderForGrafana,
  renderQuery,
  runQuery,
  UsageError,
} from "../../scripts/ops-query.ts";

const ACCOUNT_ID = "0123456789abcdef0123456789abcdef";
const credentials = { CLOUDFLARE_ACCOUNT_ID: ACCOUNT_ID, CLOUDFLARE_API_TOKEN: "test-token-value" };

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (text: string) => out.push(text), err: (text: string) => err.push(text) }, out, err };
}

function jsonResponse(body: unknown, status = 200) {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

describe("parseArgs", () => {
  it("takes a query name and defaults to the last hour of production", () => {
    const args = parseArgs(["error_rate"]);
    expect(args).toMatchObject({
      name: "error_rate",
      env: "production",
      dataset: DATASETS.production,
      print: false,
    });
    expect(args.since).toEqual({ amount: 1, unit: "HOUR", seconds: 3600 });
    expect(args.bucket).toEqual({ amount: 1, unit: "MINUTE", seconds: 60 });
  });

  it("reads --since, --bucket, --env, --print and the --flag=value form", () => {
    const args = parseArgs([
      "latency_by_route",
      "--since",
      "7d",
      "--bucket=1h",
      "--env",
      "staging",
      "--print",
    ]);
    expect(args).toMatchObject({ env: "staging", dataset: DATASETS.staging, print: true });
    expect(args.since).toMatchObject({ amount: 7, unit: "DAY" });
    expect(args.bucket).toMatchObject({ amount: 1, unit: "HOUR" });
  });

  it("refuses what would end up unquoted in SQL or in a file path", () => {
    expect(() => parseArgs(["../secrets"])).toThrow(UsageError);
    expect(() => parseArgs(["error_rate", "--dataset", "x; DROP TABLE y"])).toThrow(UsageError);
    expect(() => parseArgs(["error_rate", "--since", "1h; SELECT 1"])).toThrow(UsageError);
  });

  it("explains missing values, unknown options and environments", () => {
    expect(() => parseArgs([])).toThrow(/name a query/);
    expect(() => parseArgs(["error_rate", "--since"])).toThrow(/--since needs a value/);
    expect(() => parseArgs(["error_rate", "--frobnicate"])).toThrow(/unknown option/);
    expect(() => parseArgs(["error_rate", "--env", "qa"])).toThrow(/--env must be one of/);
    expect(() => parseArgs(["a", "b"])).toThrow(/one query at a time/);
  });
});

describe("durations", () => {
  it("parses minutes, hours and days within Analytics Engine's retention", () => {
    expect(parseDuration("15m")).toEqual({ amount: 15, unit: "MINUTE", seconds: 900 });
    expect(parseDuration("30d")).toEqual({ amount: 30, unit: "DAY", seconds: 2_592_000 });
    expect(() => parseDuration("0h")).toThrow(UsageError);
    expect(() => parseDuration("1y")).toThrow(UsageError);
    expect(() => parseDuration("200d")).toThrow(/three months/);
  });

  it("picks a bucket that keeps a chart at no more than 300 points", () => {
    expect(defaultBucket(parseDuration("1h"))).toMatchObject({ amount: 1, unit: "MINUTE" });
    expect(defaultBucket(parseDuration("24h"))).toMatchObject({ amount: 5, unit: "MINUTE" });
    expect(defaultBucket(parseDuration("3d"))).toMatchObject({ amount: 15, unit: "MINUTE" });
    expect(defaultBucket(parseDuration("7d"))).toMatchObject({ amount: 1, unit: "HOUR" });
    expect(defaultBucket(parseDuration("90d"))).toMatchObject({ amount: 1, unit: "DAY" });
  });
});

describe("templating", () => {
  const template =
    "-- doc line\nSELECT {{bucket}} AS t, SUM(_sample_interval) AS n\nFROM {{dataset}}\nWHERE {{timeFilter}}\n";

  it("renders a literal dataset, window and bucket and drops the documentation comments", () => {
    const sql = renderQuery(template, {
      dataset: "real_estate_os_staging",
      since: parseDuration("6h"),
      bucket: parseDuration("5m"),
    });
    expect(sql).toBe(
      "SELECT toStartOfInterval(timestamp, INTERVAL '5' MINUTE) AS t, SUM(_sample_interval) AS n\n" +
        "FROM real_estate_os_staging\nWHERE timestamp > NOW() - INTERVAL '6' HOUR",
    );
  });

  it("renders Grafana macros and the dashboard variable for the dashboard", () => {
    expect(renderForGrafana(template)).toBe(
      "SELECT $timeSeries AS t, SUM(_sample_interval) AS n\nFROM $dataset\nWHERE $timeFilter",
    );
  });

  it("fails on an unknown placeholder instead of sending it", () => {
    expect(() => renderForGrafana("SELECT {{nope}}")).toThrow(/unknown placeholder/);
  });

  it("renders every shipped query without placeholders left, weighting by _sample_interval", async () => {
    const names = await listQueries();
    expect(names.length).toBeGreaterThanOrEqual(10);
    for (const name of names) {
      const sql = renderQuery(await loadQuery(name), parseArgs([name]));
      expect(sql, name).not.toMatch(/\{\{|\}\}/);
      expect(sql, name).toContain("_sample_interval");
      expect(sql, name).toContain(`FROM ${DATASETS.production}`);
      expect(sql, name).toMatch(/WHERE blob1 = '(request|pipeline_step|valuation)'/);
      expect(sql, name).not.toMatch(/count\(\)/i);
    }
  });
});

describe("credentials", () => {
  it("names both missing variables and points at --print", () => {
    expect(() => credentialsFrom({})).toThrow(
      /CLOUDFLARE_ACCOUNT_ID and CLOUDFLARE_API_TOKEN must be set.*--print/,
    );
    expect(() => credentialsFrom({ CLOUDFLARE_ACCOUNT_ID: ACCOUNT_ID })).toThrow(
      /^CLOUDFLARE_API_TOKEN must be set/,
    );
    expect(() => credentialsFrom({ ...credentials, CLOUDFLARE_ACCOUNT_ID: "nope" })).toThrow(/32 hex digits/);
  });
});

describe("runQuery", () => {
  it("POSTs the SQL with FORMAT JSON and the bearer token to the account's SQL endpoint", async () => {
    const fetchMock = vi.fn(async (_input: RequestInfo | URL, _init?: RequestInit) =>
      jsonResponse({ meta: [{ name: "n", type: "UInt64" }], data: [{ n: 3 }], rows: 1 }),
    );
    const result = await runQuery("SELECT 1", credentialsFrom(credentials), fetchMock as typeof fetch);
    expect(result.data).toEqual([{ n: 3 }]);
    const [url, init] = fetchMock.mock.calls[0] ?? [];
    expect(String(url)).toBe(
      `https://api.cloudflare.com/client/v4/accounts/${ACCOUNT_ID}/analytics_engine/sql`,
    );
    expect(init?.method).toBe("POST");
    expect(new Headers(init?.headers).get("authorization")).toBe("Bearer test-token-value");
    expect(init?.body).toBe("SELECT 1\nFORMAT JSON");
  });

  it("surfaces the API's error text and status", async () => {
    const fetchMock = vi.fn(async () => new Response("unknown column blob99", { status: 422 }));
    await expect(runQuery("SELECT blob99", credentialsFrom(credentials), fetchMock)).rejects.toThrow(
      /422: unknown column blob99/,
    );
  });
});

describe("formatTable", () => {
  it("aligns columns in the order the API lists them", () => {
    const table = formatTable(
      [
        { route: "/api/v1/health", p95_ms: 12.3456, requests: 100 },
        { route: "/api/v1/properties/:id", p95_ms: 40, requests: 7 },
      ],
      ["route", "requests", "p95_ms"],
    );
    expect(table.split("\n")).toEqual([
      "route                   requests  p95_ms",
      "----------------------  --------  ------",
      "/api/v1/health          100       12.346",
      "/api/v1/properties/:id  7         40",
    ]);
    expect(formatTable([])).toBe("(no rows)");
  });
});

describe("main", () => {
  it("--print writes the SQL and calls nothing", async () => {
    const fetchMock = vi.fn();
    const { io, out, err } = capture();
    const code = await main(["error_rate", "--since", "6h", "--print"], {}, io, fetchMock);
    expect(code).toBe(0);
    expect(err).toEqual([]);
    expect(out.join("\n")).toContain("timestamp > NOW() - INTERVAL '6' HOUR");
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it("exits 2 with a clear message when the credentials are missing, without calling the API", async () => {
    const fetchMock = vi.fn();
    const { io, err } = capture();
    expect(await main(["error_rate"], {}, io, fetchMock)).toBe(2);
    expect(err.join("\n")).toMatch(/CLOUDFLARE_ACCOUNT_ID and CLOUDFLARE_API_TOKEN must be set/);
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it("runs the query and prints a table", async () => {
    const fetchMock = vi.fn(async () =>
      jsonResponse({
        meta: [
          { name: "tenant_id", type: "String" },
          { name: "rate_limited", type: "Float64" },
        ],
        data: [{ tenant_id: "anonymous", rate_limited: 12 }],
        rows: 1,
      }),
    );
    const { io, out } = capture();
    expect(await main(["rate_limited_by_tenant", "--since", "1d"], credentials, io, fetchMock)).toBe(0);
    expect(out.join("\n")).toContain("anonymous  12");
    const init = fetchMock.mock.calls[0]?.at(1) as RequestInit | undefined;
    expect(String(init?.body)).toContain("INTERVAL '1' DAY");
  });

  it("exits 2 for an unknown query and lists the known ones", async () => {
    const { io, err } = capture();
    expect(await main(["no_such_query", "--print"], {}, io)).toBe(2);
    expect(err.join("\n")).toContain("error_rate");
  });
});
