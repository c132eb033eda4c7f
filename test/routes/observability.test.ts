import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import * as Sentry from "@sentry/cloudflare";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createApp } from "../../src/app.ts";
import { resetMetricsFailureReport } from "../../src/observability/metrics.ts";
import { withOptionalSentry } from "../../src/observability/sentry.ts";
import { testEnv } from "../helpers/env.ts";
import { createTenant } from "../helpers/tenants.ts";

afterEach(() => {
  vi.restoreAllMocks();
  resetMetricsFailureReport();
});

async function call(env: Env, path: string, init?: RequestInit) {
  const ctx = createExecutionContext();
  const response = await createApp().fetch(new Request(`http://api.test${path}`, init), env, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

/** A Sentry transport that records envelopes instead of sending them. */
function recordingTransport() {
  const envelopes: string[] = [];
  const transport: Sentry.CloudflareOptions["transport"] = (options) =>
    Sentry.createTransport(options, async (request) => {
      envelopes.push(
        typeof request.body === "string" ? request.body : new TextDecoder().decode(request.body),
      );
      return { statusCode: 200 };
    });
  return { envelopes, transport };
}

// An app with one route that fails, so a 5xx can be produced after authentication (with a tenant).
function failingApp() {
  const app = createApp();
  app.get("/api/v1/boom", () => {
    throw new Error("simulated failure");
  });
  return app;
}

describe("request metrics", () => {
  it("writes one Analytics Engine point per request with route pattern, status and timings", async () => {
    const env = { ...testEnv };
    const write = vi.spyOn(env.METRICS, "writeDataPoint");
    const response = await call(env, "/api/v1/health");
    expect(response.status).toBe(200);
    expect(write).toHaveBeenCalledOnce();
    const point = write.mock.calls[0]?.[0];
    expect(point?.indexes).toEqual(["anonymous"]);
    expect(point?.blobs?.slice(0, 7)).toEqual([
      "request",
      "/api/v1/health",
      "GET",
      "2xx",
      "anonymous",
      "local",
      "",
    ]);
    expect(point?.blobs?.[7]).toBe(testEnv.APP_VERSION);
    const [status, durationMs, dbMs, dbRoundTrips, rateLimited] = point?.doubles ?? [];
    expect(status).toBe(200);
    expect(durationMs).toBeGreaterThan(0);
    expect(dbMs).toBeGreaterThan(0);
    expect(dbRoundTrips).toBe(1);
    expect(rateLimited).toBe(0);
  });

  it("indexes an authenticated request by its tenant and never records the raw path", async () => {
    const tenant = await createTenant();
    const env = { ...testEnv };
    const write = vi.spyOn(env.METRICS, "writeDataPoint");
    const response = await call(env, "/api/v1/nothing-here/1f7c2a9e", {
      headers: await tenant.headers("viewer"),
    });
    expect(response.status).toBe(404);
    const point = write.mock.calls[0]?.[0];
    expect(point?.indexes).toEqual([tenant.id]);
    expect(point?.blobs?.[1]).toBe("unmatched");
    expect(point?.blobs?.[4]).toBe(tenant.id);
    expect(point?.doubles?.[5]).toBeGreaterThan(0);
    expect(JSON.stringify(point)).not.toContain("1f7c2a9e");
  });

  it("answers the request normally when Analytics Engine throws", async () => {
    const env = { ...testEnv };
    vi.spyOn(env.METRICS, "writeDataPoint").mockImplementation(() => {
      throw new Error("analytics engine unavailable");
    });
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    expect((await call(env, "/api/v1/health")).status).toBe(200);
    expect((await call(env, "/api/v1/health")).status).toBe(200);
    expect(warn).toHaveBeenCalledOnce();
  });
});

describe("request log line", () => {
  it("never contains the Authorization header value, for accepted and rejected tokens alike", async () => {
    const tenant = await createTenant();
    const headers = await tenant.headers("viewer");
    const token = headers.authorization?.replace("Bearer ", "") ?? "";
    expect(token.length).toBeGreaterThan(20);
    const lines: string[] = [];
    const capture = (...args: unknown[]) => {
      lines.push(args.map(String).join(" "));
    };
    vi.spyOn(console, "log").mockImplementation(capture);
    vi.spyOn(console, "error").mockImplementation(capture);
    vi.spyOn(console, "warn").mockImplementation(capture);

    await call({ ...testEnv }, "/api/v1/anything", { headers });
    const forged = `${token.slice(0, -4)}AAAA`;
    await call({ ...testEnv }, "/api/v1/anything", { headers: { authorization: `Bearer ${forged}` } });

    const requestLines = lines.filter((line) => line.includes('"msg":"request"'));
    expect(requestLines).toHaveLength(2);
    const [, payload = "", signature = ""] = token.split(".");
    for (const line of lines) {
      expect(line).not.toContain(token);
      expect(line).not.toContain(payload);
      expect(line).not.toContain(signature);
      expect(line.toLowerCase()).not.toContain("bearer");
    }
    expect(JSON.parse(requestLines[0] ?? "{}")).toMatchObject({ tenantId: tenant.id, status: 404 });
  });

  it("follows LOG_LEVEL: at warn a served request leaves no line, while server errors are still logged", async () => {
    const lines: string[] = [];
    const capture = (line: unknown) => {
      lines.push(String(line));
    };
    vi.spyOn(console, "log").mockImplementation(capture);
    vi.spyOn(console, "error").mockImplementation(capture);
    vi.spyOn(console, "warn").mockImplementation(capture);
    const quiet = { ...testEnv, LOG_LEVEL: "warn" };
    expect((await call(quiet, "/api/v1/health")).status).toBe(200);
    expect(lines).toEqual([]);

    expect(
      (await call({ ...quiet, DATABASE_URL: "postgres://app_runtime:x@127.0.0.1:9/none" }, "/api/v1/health"))
        .status,
    ).toBe(503);
    expect(lines.map((line) => JSON.parse(line))).toContainEqual(
      expect.objectContaining({ level: "error", msg: "request", status: 503 }),
    );
  });
});

describe("Server-Timing", () => {
  it("reports the Worker's, the database's, auth's and the limiter's time when SERVER_TIMING is on", async () => {
    vi.spyOn(console, "log").mockImplementation(() => undefined);
    const tenant = await createTenant();
    const response = await call({ ...testEnv, SERVER_TIMING: "true" }, "/api/v1/properties?limit=1", {
      headers: await tenant.headers("viewer"),
    });
    expect(response.status).toBe(200);
    const metrics = Object.fromEntries(
      (response.headers.get("server-timing") ?? "").split(", ").map((metric) => {
        const [name = "", duration = ""] = metric.split(";");
        return [name, Number(duration.replace("dur=", ""))];
      }),
    );
    expect(Object.keys(metrics).sort()).toEqual(["app", "auth", "cache", "db", "ratelimit"]);
    expect(response.headers.get("server-timing")).toContain('cache;desc="miss"');
    delete metrics.cache;
    for (const duration of Object.values(metrics)) expect(duration).toBeGreaterThanOrEqual(0);
    expect(metrics.app).toBeGreaterThanOrEqual(metrics.db ?? Number.POSITIVE_INFINITY);
    expect(response.headers.get("server-timing")).toMatch(/db;dur=[\d.]+;desc="\d round trips?"/);
  });

  it("is absent when SERVER_TIMING is off", async () => {
    vi.spyOn(console, "log").mockImplementation(() => undefined);
    const response = await call({ ...testEnv, SERVER_TIMING: "false" }, "/api/v1/health");
    expect(response.status).toBe(200);
    expect(response.headers.get("server-timing")).toBeNull();
  });
});

describe("Sentry", () => {
  // Runs first: once a DSN request has initialised the SDK in this isolate, "never initialised" cannot be shown.
  it("without SENTRY_DSN never initialises the SDK and sends nothing", async () => {
    const { envelopes, transport } = recordingTransport();
    const handler = withOptionalSentry({ fetch: failingApp().fetch }, { transport });
    const outbound = vi.spyOn(globalThis, "fetch");
    vi.spyOn(console, "error").mockImplementation(() => {});
    const ctx = createExecutionContext();
    // A refused database connection makes the health check answer 503: a server error reaches the error handler.
    const env = { ...testEnv, DATABASE_URL: "postgres://app_runtime:app_runtime@127.0.0.1:9/realestate" };
    delete (env as { SENTRY_DSN?: string }).SENTRY_DSN;
    const response = await handler.fetch?.(new Request("http://api.test/api/v1/health"), env, ctx);
    await waitOnExecutionContext(ctx);
    expect(response?.status).toBe(503);
    expect(Sentry.isInitialized()).toBe(false);
    expect(Sentry.getClient()).toBeUndefined();
    expect(envelopes).toHaveLength(0);
    expect(
      outbound.mock.calls.map(([input]) => String(input instanceof Request ? input.url : input)),
    ).not.toContain(expect.stringContaining("sentry"));
  });

  it("with SENTRY_DSN reports a 5xx with request id and tenant tags and no request headers", async () => {
    const tenant = await createTenant();
    const headers = await tenant.headers("viewer");
    const { envelopes, transport } = recordingTransport();
    const handler = withOptionalSentry({ fetch: failingApp().fetch }, { transport });
    vi.spyOn(console, "error").mockImplementation(() => {});
    const env = { ...testEnv, SENTRY_DSN: "https://0123456789abcdef0123456789abcdef@sentry.invalid/42" };
    const ctx = createExecutionContext();
    const response = await handler.fetch?.(
      new Request("http://api.test/api/v1/boom?email=jane@example.com", {
        headers: { ...headers, cookie: "session=abc123", "x-request-id": "sentry-test-0001" },
      }),
      env,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(response?.status).toBe(500);
    expect(envelopes.length).toBeGreaterThan(0);
    const items = envelopes.flatMap((envelope) =>
      envelope
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line)),
    );
    const event = items.find((item) => item.exception) as {
      tags?: Record<string, string>;
      request?: { headers?: unknown; query_string?: unknown; cookies?: unknown; url?: string };
      user?: unknown;
      exception: { values: { value: string }[] };
    };
    expect(event.exception.values[0]?.value).toBe("simulated failure");
    expect(event.tags).toMatchObject({
      request_id: "sentry-test-0001",
      tenant_id: tenant.id,
      error_code: "internal",
    });
    expect(event.request?.headers).toBeUndefined();
    expect(event.request?.cookies).toBeUndefined();
    expect(event.request?.query_string).toBeUndefined();
    expect(event.user).toBeUndefined();
    const everything = envelopes.join("\n");
    expect(everything).not.toContain(headers.authorization?.replace("Bearer ", "") ?? "unreachable");
    expect(everything).not.toContain("abc123");
    expect(everything).not.toContain("jane@example.com");
  });
});
