// What the limiters do when their Durable Object cannot answer: a broken RATE_LIMITER binding in a custom env.
import { afterEach, describe, expect, it, vi } from "vitest";
import type { RateLimitDecision } from "../../durable-objects/rate-limiter/algorithm.ts";
import { createApp } from "../../src/app.ts";
import { LIMITER_UNAVAILABLE_RETRY_AFTER_SECONDS } from "../../src/middleware/rate-limit.ts";
import { envWith, send, uniqueClientIp } from "../helpers/rate-limit.ts";
import { appWithStandInAuth, bearer, tenantToken } from "../helpers/stand-in-auth.ts";

type Behaviour = () => Promise<RateLimitDecision>;

const throwing: Behaviour = () =>
  Promise.reject(new Error("Durable Object reset because its code was updated."));
const overloaded: Behaviour = () =>
  Promise.reject(Object.assign(new Error("Durable Object is overloaded."), { overloaded: true }));
const hanging: Behaviour = () => new Promise<RateLimitDecision>(() => undefined);
const admitting: Behaviour = () =>
  Promise.resolve({
    allowed: true,
    limit: 10,
    windowSeconds: 60,
    remaining: 9,
    resetSeconds: 0,
    retryAfterSeconds: 0,
  });

/** A RATE_LIMITER namespace whose objects answer `consume` and `peek` as told. */
function brokenLimiter(consume: Behaviour, peek: Behaviour = consume): Env["RATE_LIMITER"] {
  return { getByName: () => ({ consume, peek }) } as unknown as Env["RATE_LIMITER"];
}

function captureWarnings() {
  const warnings: Array<Record<string, unknown>> = [];
  vi.spyOn(console, "warn").mockImplementation((line: unknown) => {
    warnings.push(JSON.parse(String(line)) as Record<string, unknown>);
  });
  return warnings;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("limiter faults", () => {
  it("fails open for anonymous requests when the object throws: answered, unlimited, logged, no RateLimit fields", async () => {
    const warnings = captureWarnings();
    const env = envWith({ RATE_LIMITER: brokenLimiter(throwing) });
    const response = await send(createApp(), env, "/api/v1/health", {
      headers: { "CF-Connecting-IP": uniqueClientIp() },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("ratelimit")).toBeNull();
    expect(response.headers.get("ratelimit-policy")).toBeNull();
    expect(warnings).toEqual([
      expect.objectContaining({
        msg: "rate limiter unavailable",
        policy: "anon",
        fault: "error",
        outcome: "admitted unlimited",
      }),
    ]);
    expect(warnings[0]?.requestId).toBe(response.headers.get("x-request-id"));
  });

  it("fails closed for requests with a token (the failed-authentication check): 503 with Retry-After", async () => {
    captureWarnings();
    const env = envWith({ RATE_LIMITER: brokenLimiter(throwing) });
    const response = await send(createApp(), env, "/api/v1/health", bearer("anything", uniqueClientIp()));
    expect(response.status).toBe(503);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(response.headers.get("retry-after")).toBe(String(LIMITER_UNAVAILABLE_RETRY_AFTER_SECONDS));
    const body = await response.json<Record<string, unknown>>();
    expect(body).toMatchObject({ status: 503, code: "service_unavailable" });
    expect(JSON.stringify(body)).not.toContain("Durable Object");
  });

  it("gives up on an object that does not answer within RATE_LIMIT_TIMEOUT_MS", async () => {
    const warnings = captureWarnings();
    const env = envWith({ RATE_LIMITER: brokenLimiter(hanging), RATE_LIMIT_TIMEOUT_MS: "50" });
    const app = createApp();
    const started = Date.now();
    const anonymous = await send(app, env, "/no-such-route", {
      headers: { "CF-Connecting-IP": uniqueClientIp() },
    });
    const withToken = await send(app, env, "/no-such-route", bearer("anything", uniqueClientIp()));
    expect(Date.now() - started).toBeLessThan(1_000);
    expect([anonymous.status, withToken.status]).toEqual([404, 503]);
    expect(warnings.map((warning) => [warning.policy, warning.fault, warning.outcome])).toEqual([
      ["anon", "timeout", "admitted unlimited"],
      ["auth-failures", "timeout", "refused 503"],
    ]);
  });

  it("refuses with 503 under every policy when the object reports itself overloaded", async () => {
    captureWarnings();
    const env = envWith({ RATE_LIMITER: brokenLimiter(overloaded) });
    const response = await send(createApp(), env, "/no-such-route", {
      headers: { "CF-Connecting-IP": uniqueClientIp() },
    });
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe(String(LIMITER_UNAVAILABLE_RETRY_AFTER_SECONDS));
  });

  it("fails open for an authenticated tenant when only the tenant limiter is broken", async () => {
    const warnings = captureWarnings();
    const env = envWith({ RATE_LIMITER: brokenLimiter(throwing), RATE_LIMIT_AUTH_FAILURES: "off" });
    const { app } = appWithStandInAuth();
    const response = await send(app, env, "/api/v1/things", bearer(tenantToken(), uniqueClientIp()));
    expect(response.status).toBe(200);
    expect(response.headers.get("ratelimit")).toBeNull();
    expect(warnings).toEqual([expect.objectContaining({ policy: "tenant", outcome: "admitted unlimited" })]);
  });

  it("keeps the 401 when a failed authentication cannot be counted", async () => {
    const warnings = captureWarnings();
    const env = envWith({ RATE_LIMITER: brokenLimiter(throwing, admitting) });
    const { app } = appWithStandInAuth();
    const response = await send(app, env, "/api/v1/things", bearer("bad", uniqueClientIp()));
    expect(response.status).toBe(401);
    expect(warnings).toEqual([
      expect.objectContaining({ policy: "auth-failures", outcome: "failure not counted" }),
    ]);
  });
});
