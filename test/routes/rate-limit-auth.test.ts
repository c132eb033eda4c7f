// The limiters around authentication, with a stand-in for the auth middleware (test/helpers/stand-in-auth.ts).
import { describe, expect, it } from "vitest";
import { envWith, parseRateLimit, send, uniqueClientIp } from "../helpers/rate-limit.ts";
import { appWithStandInAuth, bearer, tenantToken } from "../helpers/stand-in-auth.ts";

describe("failed-authentication limit per IP", () => {
  it("counts 401s, then answers 429 before verifying any further token from that address", async () => {
    const env = envWith({ RATE_LIMIT_AUTH_FAILURES: "3/60" });
    const { app, verifiedTokens } = appWithStandInAuth();
    const ip = uniqueClientIp();
    const failures = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      failures.push(await send(app, env, "/api/v1/things", bearer(`guess-${attempt}`, ip)));
    }
    expect(failures.map((response) => response.status)).toEqual([401, 401, 401]);
    expect(failures.map((response) => parseRateLimit(response.headers.get("ratelimit")).remaining)).toEqual([
      2, 1, 0,
    ]);
    expect(failures[0]?.headers.get("ratelimit-policy")).toBe('"auth-failures";q=3;w=60');

    const blocked = await send(app, env, "/api/v1/things", bearer("guess-3", ip));
    expect(blocked.status).toBe(429);
    expect(await blocked.json()).toMatchObject({ code: "rate_limited", policy: "auth-failures" });
    expect(Number(blocked.headers.get("retry-after"))).toBe(
      parseRateLimit(blocked.headers.get("ratelimit")).reset,
    );
    // Even a valid token waits: it cannot be told apart from a guess without verifying it.
    const validButBlocked = await send(app, env, "/api/v1/things", bearer(tenantToken(), ip));
    expect(validButBlocked.status).toBe(429);
    expect(verifiedTokens).toEqual(["guess-0", "guess-1", "guess-2"]);

    // Other addresses are unaffected.
    expect((await send(app, env, "/api/v1/things", bearer(tenantToken(), uniqueClientIp()))).status).toBe(
      200,
    );
  });

  it("does not charge successful authentications to the failure budget", async () => {
    const env = envWith({ RATE_LIMIT_AUTH_FAILURES: "1/60" });
    const { app } = appWithStandInAuth();
    const ip = uniqueClientIp();
    const token = tenantToken();
    for (let i = 0; i < 3; i++) {
      const response = await send(app, env, "/api/v1/things", bearer(token, ip));
      expect(response.status).toBe(200);
      expect(response.headers.get("ratelimit-policy")).toBe('"tenant";q=1000;w=60');
    }
    expect((await send(app, env, "/api/v1/things", bearer("bad", ip))).status).toBe(401);
    expect((await send(app, env, "/api/v1/things", bearer(token, ip))).status).toBe(429);
  });

  it("charges a made-up token on a public route as an anonymous request", async () => {
    const env = envWith({ RATE_LIMIT_ANON: "2/60" });
    const { app } = appWithStandInAuth();
    const ip = uniqueClientIp();
    const statuses = [];
    for (let i = 0; i < 3; i++) {
      const response = await send(app, env, "/api/v1/public", bearer("made-up", ip));
      statuses.push(response.status);
      if (response.status === 200)
        expect(parseRateLimit(response.headers.get("ratelimit")).policy).toBe("anon");
    }
    expect(statuses).toEqual([200, 200, 429]);
    expect((await send(app, env, "/api/v1/public", { headers: { "CF-Connecting-IP": ip } })).status).toBe(
      429,
    );
  });
});

describe("per-tenant limit", () => {
  it("admits exactly N of N+k concurrent requests for one tenant and leaves another tenant unaffected", async () => {
    const env = envWith({ RATE_LIMIT_TENANT: "20/60" });
    const { app } = appWithStandInAuth();
    const tokenA = tenantToken();
    const tokenB = tenantToken();
    // Many addresses, one tenant: the tenant's limit is what binds.
    const responses = await Promise.all(
      Array.from({ length: 30 }, () => send(app, env, "/api/v1/things", bearer(tokenA, uniqueClientIp()))),
    );
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(20);
    expect(statuses.filter((status) => status === 429)).toHaveLength(10);
    const limited = responses.find((response) => response.status === 429);
    expect(limited?.headers.get("ratelimit-policy")).toBe('"tenant";q=20;w=60');
    expect(Number(limited?.headers.get("retry-after"))).toBe(
      parseRateLimit(limited?.headers.get("ratelimit") ?? null).reset,
    );
    expect(await limited?.json()).toMatchObject({ status: 429, code: "rate_limited", policy: "tenant" });

    const other = await send(app, env, "/api/v1/things", bearer(tokenB, uniqueClientIp()));
    expect(other.status).toBe(200);
    expect(parseRateLimit(other.headers.get("ratelimit"))).toMatchObject({ policy: "tenant", remaining: 19 });
  });

  it("charges writes 5 and bulk writes 10, and puts RateLimit fields on error responses too", async () => {
    const env = envWith({ RATE_LIMIT_TENANT: "20/60" });
    const { app } = appWithStandInAuth();
    const token = tenantToken();
    const ip = uniqueClientIp();
    const remainingAfter = async (path: string, method: string, status: number) => {
      const response = await send(app, env, path, bearer(token, ip, method));
      expect(response.status).toBe(status);
      return parseRateLimit(response.headers.get("ratelimit")).remaining;
    };
    expect(await remainingAfter("/api/v1/things", "GET", 200)).toBe(19);
    expect(await remainingAfter("/api/v1/things", "POST", 201)).toBe(14);
    expect(await remainingAfter("/api/v1/things/bulk", "POST", 202)).toBe(4);
    expect(await remainingAfter("/api/v1/invalid", "GET", 422)).toBe(3);
    // 3 left: a write (5) is refused while a read (1) still fits.
    const refusedWrite = await send(app, env, "/api/v1/things", bearer(token, ip, "POST"));
    expect(refusedWrite.status).toBe(429);
    expect(parseRateLimit(refusedWrite.headers.get("ratelimit")).remaining).toBe(3);
    expect(await remainingAfter("/api/v1/things", "GET", 200)).toBe(2);
  });

  it("applies the plan's override from RATE_LIMIT_PLANS", async () => {
    const env = envWith({ RATE_LIMIT_TENANT: "10/60", RATE_LIMIT_PLANS: '{"enterprise":"50/30"}' });
    const { app } = appWithStandInAuth();
    const enterprise = await send(
      app,
      env,
      "/api/v1/things",
      bearer(tenantToken("enterprise"), uniqueClientIp()),
    );
    expect(enterprise.headers.get("ratelimit-policy")).toBe('"tenant";q=50;w=30');
    const standard = await send(
      app,
      env,
      "/api/v1/things",
      bearer(tenantToken("standard"), uniqueClientIp()),
    );
    expect(standard.headers.get("ratelimit-policy")).toBe('"tenant";q=10;w=60');
  });
});
