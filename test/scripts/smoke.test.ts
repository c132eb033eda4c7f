import { describe, expect, it, vi } from "vitest";
import { obtainToken, parseSmokeArgs, runSmoke, SmokeUsageError } from "../../scripts/smoke.ts";

const healthy = () =>
  new Response(JSON.stringify({ status: "ok", version: "1", database: { reachable: true, latencyMs: 3 } }), {
    headers: { "content-type": "application/json" },
  });
const list = () =>
  new Response(JSON.stringify({ data: [] }), { headers: { "content-type": "application/json" } });

describe("parseSmokeArgs", () => {
  it("needs a URL and pairs a version id with the Worker's name", () => {
    expect(() => parseSmokeArgs([], {})).toThrow(SmokeUsageError);
    expect(() => parseSmokeArgs(["--url", "https://api.test", "--version-id", "v1"], {})).toThrow(/--worker/);
    const options = parseSmokeArgs(["--url=https://api.test/", "--version-id", "v1", "--worker", "reos"], {});
    expect(options).toMatchObject({
      baseUrl: "https://api.test",
      versionId: "v1",
      workerName: "reos",
      attempts: 5,
    });
    expect(parseSmokeArgs([], { SMOKE_BASE_URL: "https://api.test" }).readPath).toBe(
      "/api/v1/properties?limit=1",
    );
  });
});

describe("runSmoke", () => {
  const options = {
    baseUrl: "https://api.test",
    readPath: "/api/v1/properties?limit=1",
    attempts: 2,
    delayMs: 1,
  };

  it("checks health and one authenticated read, pinned to the version under test", async () => {
    const fetchMock = vi.fn(async (input: RequestInfo | URL, _init?: RequestInit) =>
      String(input).endsWith("/health") ? healthy() : list(),
    );
    const results = await runSmoke({ ...options, versionId: "abc", workerName: "reos" }, "tok", fetchMock);
    expect(results.map((result) => result.ok)).toEqual([true, true]);
    const [, readInit] = fetchMock.mock.calls[1] ?? [];
    const headers = new Headers(readInit?.headers);
    expect(headers.get("authorization")).toBe("Bearer tok");
    expect(headers.get("cloudflare-workers-version-overrides")).toBe('reos="abc"');
  });

  it("retries, then fails when the read keeps answering an error", async () => {
    const fetchMock = vi.fn(async (input: RequestInfo | URL) =>
      String(input).endsWith("/health") ? healthy() : new Response("{}", { status: 503 }),
    );
    const results = await runSmoke(options, "tok", fetchMock);
    expect(results).toEqual([
      { name: "health", ok: true, detail: "HTTP 200 (attempt 1)" },
      { name: "authenticated read", ok: false, detail: "HTTP 503 (attempt 2)" },
    ]);
  });
});

describe("obtainToken", () => {
  it("uses SMOKE_TOKEN as is, or the client-credentials grant", async () => {
    expect(await obtainToken({ SMOKE_TOKEN: "given" })).toBe("given");
    const fetchMock = vi.fn(async (_input: RequestInfo | URL, _init?: RequestInit) =>
      Response.json({ access_token: "granted" }),
    );
    const env = {
      SMOKE_TOKEN_URL: "https://id.test/token",
      SMOKE_CLIENT_ID: "smoke",
      SMOKE_CLIENT_SECRET: "s",
    };
    expect(await obtainToken(env, fetchMock)).toBe("granted");
    expect(String(fetchMock.mock.calls[0]?.[1]?.body)).toContain("grant_type=client_credentials");
    await expect(obtainToken({})).rejects.toThrow(SmokeUsageError);
  });
});
