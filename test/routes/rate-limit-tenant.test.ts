// The limiters around the real authentication middleware, with tokens from the local issuer.
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { envWith, parseRateLimit, send, uniqueClientIp } from "../helpers/rate-limit.ts";
import { createTenant } from "../helpers/tenants.ts";

describe("rate limits with real authentication", () => {
  it("limits each tenant on its own: tenant A's exhausted quota leaves tenant B unaffected", async () => {
    const env = envWith({ RATE_LIMIT_TENANT: "10/60" });
    const app = createApp();
    const tenantA = await createTenant();
    const tenantB = await createTenant();
    const headersA = await tenantA.headers("viewer");
    const responses = await Promise.all(
      Array.from({ length: 14 }, () =>
        send(app, env, "/api/v1/anything", {
          headers: { ...headersA, "CF-Connecting-IP": uniqueClientIp() },
        }),
      ),
    );
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 404)).toHaveLength(10);
    expect(statuses.filter((status) => status === 429)).toHaveLength(4);
    const limited = responses.find((response) => response.status === 429);
    expect(limited?.headers.get("ratelimit-policy")).toBe('"tenant";q=10;w=60');
    expect(Number(limited?.headers.get("retry-after"))).toBe(
      parseRateLimit(limited?.headers.get("ratelimit") ?? null).reset,
    );

    const other = await send(app, env, "/api/v1/anything", {
      headers: { ...(await tenantB.headers("viewer")), "CF-Connecting-IP": uniqueClientIp() },
    });
    expect(other.status).toBe(404);
    expect(parseRateLimit(other.headers.get("ratelimit"))).toMatchObject({ policy: "tenant", remaining: 9 });
  });

  it("applies the tenant's plan from its row", async () => {
    const env = envWith({ RATE_LIMIT_TENANT: "10/60", RATE_LIMIT_PLANS: '{"enterprise":"40/60"}' });
    const enterprise = await createTenant({ plan: "enterprise" });
    const response = await send(createApp(), env, "/api/v1/anything", {
      headers: { ...(await enterprise.headers("viewer")), "CF-Connecting-IP": uniqueClientIp() },
    });
    expect(response.headers.get("ratelimit-policy")).toBe('"tenant";q=40;w=60');
  });

  it("stops an address after its failed authentications, before verifying its next token", async () => {
    const env = envWith({ RATE_LIMIT_AUTH_FAILURES: "2/60" });
    const app = createApp();
    const ip = uniqueClientIp();
    const attempt = (authorization: string) =>
      send(app, env, "/api/v1/anything", { headers: { authorization, "CF-Connecting-IP": ip } });
    expect((await attempt("Bearer not-a-jwt")).status).toBe(401);
    const second = await attempt("Bearer still.not.valid");
    expect(second.status).toBe(401);
    expect(parseRateLimit(second.headers.get("ratelimit"))).toMatchObject({
      policy: "auth-failures",
      remaining: 0,
    });
    const tenant = await createTenant();
    const blocked = await attempt(`Bearer ${await tenant.token("viewer")}`);
    expect(blocked.status).toBe(429);
    expect(await blocked.json()).toMatchObject({ code: "rate_limited", policy: "auth-failures" });
  });

  it("charges requests without a token to the address's anonymous budget, 401s included", async () => {
    const env = envWith({ RATE_LIMIT_ANON: "2/60" });
    const app = createApp();
    const ip = uniqueClientIp();
    const statuses = [];
    for (let i = 0; i < 3; i++) {
      statuses.push(
        (await send(app, env, "/api/v1/anything", { headers: { "CF-Connecting-IP": ip } })).status,
      );
    }
    expect(statuses).toEqual([401, 401, 429]);
  });
});
