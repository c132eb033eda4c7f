import { exports } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createApp } from "../../src/app.ts";
import { loadSettings } from "../../src/env.ts";
import { testEnv } from "../helpers/env.ts";
import { envWith, parseRateLimit, send, uniqueClientIp, uniqueIPv6Prefix } from "../helpers/rate-limit.ts";

const api = exports.default;

afterEach(() => {
  vi.restoreAllMocks();
});

describe("per-IP limit on unauthenticated requests", () => {
  it("admits exactly N of N+k concurrent requests through the Worker (the test environment's anon policy)", async () => {
    const policy = loadSettings(testEnv).rateLimits.anon;
    if (!policy) throw new Error("the test environment must limit anonymous requests");
    const ip = uniqueClientIp();
    // The Worker runs in this isolate: a thousand wide-event lines would only slow the test down.
    vi.spyOn(console, "log").mockImplementation(() => undefined);
    // An unknown route answers 404 without touching the database, so only the limiter is measured.
    const responses = await Promise.all(
      Array.from({ length: policy.limit + 15 }, () =>
        api.fetch("http://api.test/no-such-route", { headers: { "CF-Connecting-IP": ip } }),
      ),
    );
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 404)).toHaveLength(policy.limit);
    expect(statuses.filter((status) => status === 429)).toHaveLength(15);
    await Promise.all(responses.map((response) => response.body?.cancel()));
  }, 60_000);

  it("answers /api/v1/health 200 exactly N times, then 429 problem+json with Retry-After equal to RateLimit t", async () => {
    const env = envWith({ RATE_LIMIT_ANON: "5/60" });
    const app = createApp();
    const ip = uniqueClientIp();
    const responses = await Promise.all(
      Array.from({ length: 8 }, () =>
        send(app, env, "/api/v1/health", { headers: { "CF-Connecting-IP": ip } }),
      ),
    );
    const admitted = responses.filter((response) => response.status === 200);
    const limited = responses.filter((response) => response.status === 429);
    expect(admitted).toHaveLength(5);
    expect(limited).toHaveLength(3);

    for (const response of admitted) {
      expect(response.headers.get("ratelimit-policy")).toBe('"anon";q=5;w=60');
      const field = parseRateLimit(response.headers.get("ratelimit"));
      expect(field.policy).toBe("anon");
      expect(field.reset).toBeGreaterThan(0);
      expect(field.reset).toBeLessThanOrEqual(60);
    }
    expect(
      admitted.map((response) => parseRateLimit(response.headers.get("ratelimit")).remaining).sort(),
    ).toEqual([0, 1, 2, 3, 4]);

    for (const response of limited) {
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      expect(response.headers.get("ratelimit-policy")).toBe('"anon";q=5;w=60');
      const field = parseRateLimit(response.headers.get("ratelimit"));
      expect(field.remaining).toBe(0);
      expect(Number(response.headers.get("retry-after"))).toBe(field.reset);
      expect(field.reset).toBeGreaterThanOrEqual(59);
      const body = await response.json<Record<string, unknown>>();
      expect(body).toMatchObject({
        type: "https://real-estate-os.dev/problems/rate-limited",
        status: 429,
        code: "rate_limited",
        policy: "anon",
        instance: "/api/v1/health",
      });
      expect(body.requestId).toBe(response.headers.get("x-request-id"));
    }
  });

  it("marks the wide event of a limited request", async () => {
    const env = envWith({ RATE_LIMIT_ANON: "1/60" });
    const app = createApp();
    const ip = uniqueClientIp();
    const logged: string[] = [];
    vi.spyOn(console, "log").mockImplementation((line: unknown) => {
      logged.push(String(line));
    });
    const first = await send(app, env, "/no-such-route", { headers: { "CF-Connecting-IP": ip } });
    const second = await send(app, env, "/no-such-route", { headers: { "CF-Connecting-IP": ip } });
    expect([first.status, second.status]).toEqual([404, 429]);
    const events = logged.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(events.filter((event) => event.msg === "request").map((event) => event.rateLimited)).toEqual([
      undefined,
      true,
    ]);
    expect(events.at(-1)).toMatchObject({ status: 429, errorCode: "rate_limited" });
  });

  it("keys IPv6 clients by /64 and IPv4 clients by address", async () => {
    const env = envWith({ RATE_LIMIT_ANON: "2/60" });
    const app = createApp();
    const prefix = uniqueIPv6Prefix();
    const from = (address: string) =>
      send(app, env, "/no-such-route", { headers: { "CF-Connecting-IP": address } }).then((r) => r.status);
    expect(await from(`${prefix}:1:2:3:4`)).toBe(404);
    expect(await from(`${prefix}::ffff`)).toBe(404);
    // A third address in the same /64, spelled differently, shares the spent budget.
    expect(await from(`${prefix.toUpperCase()}:0:0:0:9`)).toBe(429);
    expect(await from(`${uniqueIPv6Prefix()}::1`)).toBe(404);
    const ip = uniqueClientIp();
    expect(await from(ip)).toBe(404);
    expect(await from(ip)).toBe(404);
    expect(await from(ip)).toBe(429);
    expect(await from(uniqueClientIp())).toBe(404);
  });

  it("does not limit when the policy is off", async () => {
    const env = envWith({ RATE_LIMIT_ANON: "off" });
    const app = createApp();
    const ip = uniqueClientIp();
    const responses = await Promise.all(
      Array.from({ length: 5 }, () =>
        send(app, env, "/no-such-route", { headers: { "CF-Connecting-IP": ip } }),
      ),
    );
    expect(responses.map((response) => response.status)).toEqual([404, 404, 404, 404, 404]);
    expect(responses[0]?.headers.get("ratelimit")).toBeNull();
  });
});
