// The key cache through the Worker, against JWKS servers the tests control: rotation, the JWKS endpoint going
// down with a warm and with a cold cache, discovery, and keys of one issuer never verifying another's tokens.
// Durations are shortened through the settings (seconds), so these tests sleep a few seconds in total.
import { describe, expect, it } from "vitest";
import { clearKeyCaches } from "../../src/auth/key-set.ts";
import {
  accessClaims,
  callApi,
  createControlledIssuer,
  expectInvalidToken,
  generateTestKey,
  signCompact,
} from "../helpers/auth.ts";
import { createTenant } from "../helpers/tenants.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function expectKeysUnavailable(response: Response) {
  const body = await response.text();
  expect(response.status, body).toBe(503);
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
  expect(JSON.parse(body)).toMatchObject({ code: "service_unavailable" });
  expect(body).not.toMatch(/tenant|subject|ECONNREFUSED|fetch failed/i);
}

describe("key rotation", { timeout: 20_000 }, () => {
  it("picks up a new kid after the cooldown, keeps old tokens working until their key is removed", async () => {
    const tenant = await createTenant();
    const oldKey = await generateTestKey();
    const newKey = await generateTestKey();
    const issuer = await createControlledIssuer([oldKey]);
    const env = issuer.env({ OIDC_JWKS_COOLDOWN_SECONDS: "1", OIDC_JWKS_CACHE_MAX_AGE_SECONDS: "3" });
    const oldToken = await issuer.token(oldKey, tenant.id);
    const newToken = await issuer.token(newKey, tenant.id);
    const me = (token: string) => callApi(env, "/api/v1/me", { token });

    expect((await me(oldToken)).status).toBe(200);
    expect((await issuer.hits()).jwks).toBe(1);

    await issuer.serveKeys([oldKey, newKey]);
    // Within the cooldown an unknown kid is refused without asking the IdP: random kids cannot hammer it.
    await expectInvalidToken(await me(newToken));
    expect((await issuer.hits()).jwks).toBe(1);

    await sleep(1_100);
    expect((await me(newToken)).status).toBe(200);
    expect((await issuer.hits()).jwks).toBe(2);
    expect((await me(oldToken)).status).toBe(200);
    // Many requests with unknown kids after the cooldown cost at most one more fetch.
    const stranger = await generateTestKey();
    await sleep(1_100);
    await Promise.all(
      Array.from({ length: 5 }, async () =>
        expectInvalidToken(await me(await issuer.token(stranger, tenant.id))),
      ),
    );
    expect((await issuer.hits()).jwks).toBe(3);

    await issuer.serveKeys([newKey]);
    // The old key is still cached (fresh): its tokens work until the cache's max age passes.
    expect((await me(oldToken)).status).toBe(200);
    await sleep(3_100);
    await expectInvalidToken(await me(oldToken));
    expect((await me(newToken)).status).toBe(200);
    expect((await issuer.hits()).jwks).toBe(4);
  });
});

describe("JWKS endpoint down", { timeout: 20_000 }, () => {
  it("cold cache: answers 503 with Retry-After and never lets the request through", async () => {
    const tenant = await createTenant();
    const key = await generateTestKey();
    const issuer = await createControlledIssuer([key]);
    await issuer.failWith(503);
    const token = await issuer.token(key, tenant.id);
    await expectKeysUnavailable(await callApi(issuer.env(), "/api/v1/me", { token }));
    // Within the failure backoff the next request is answered at once, without another fetch.
    await expectKeysUnavailable(await callApi(issuer.env(), "/api/v1/me", { token }));
    expect((await issuer.hits()).jwks).toBe(1);
  });

  it("cold cache: an unreachable host and a host that never answers both give 503, in bounded time", async () => {
    const tenant = await createTenant();
    const key = await generateTestKey();
    const refused = await createControlledIssuer([key]);
    const unreachableEnv = refused.env({ OIDC_JWKS_URL: "http://127.0.0.1:9/jwks" });
    await expectKeysUnavailable(
      await callApi(unreachableEnv, "/api/v1/me", { token: await refused.token(key, tenant.id) }),
    );

    const slow = await createControlledIssuer([key]);
    await fetch(`${slow.jwksUrl.replace(/\/[^/]+\/jwks$/, "")}/control/${slow.name}`, {
      method: "PUT",
      body: JSON.stringify({ delayMs: 3_000 }),
    });
    const started = Date.now();
    const response = await callApi(slow.env({ OIDC_HTTP_TIMEOUT_MS: "300" }), "/api/v1/me", {
      token: await slow.token(key, tenant.id),
    });
    await expectKeysUnavailable(response);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("warm cache: keeps verifying with the cached keys for the grace period, then answers 503", async () => {
    const tenant = await createTenant();
    const key = await generateTestKey();
    const issuer = await createControlledIssuer([key]);
    const env = issuer.env({ OIDC_JWKS_CACHE_MAX_AGE_SECONDS: "1", OIDC_JWKS_STALE_GRACE_SECONDS: "2" });
    const token = await issuer.token(key, tenant.id);
    expect((await callApi(env, "/api/v1/me", { token })).status).toBe(200);

    await issuer.failWith(500);
    await sleep(1_100);
    // Stale, the refetch fails: the cached key still verifies (and a forged token is still refused).
    expect((await callApi(env, "/api/v1/me", { token })).status).toBe(200);
    expect((await issuer.hits()).jwks).toBe(2);
    const forger = await generateTestKey("RS256", key.kid);
    await expectInvalidToken(
      await callApi(env, "/api/v1/me", { token: await issuer.token(forger, tenant.id) }),
    );

    await sleep(2_000);
    await expectKeysUnavailable(await callApi(env, "/api/v1/me", { token }));

    await issuer.serveKeys([key]);
    await sleep(5_100);
    expect((await callApi(env, "/api/v1/me", { token })).status).toBe(200);
  });
});

describe("discovery", () => {
  it("takes jwks_uri from the discovery document, fetched once per isolate", async () => {
    const tenant = await createTenant();
    const key = await generateTestKey();
    const issuer = await createControlledIssuer([key]);
    const env = issuer.env({ OIDC_JWKS_URL: "", OIDC_DISCOVERY_URL: issuer.discoveryUrl });
    for (let i = 0; i < 3; i++) {
      expect((await callApi(env, "/api/v1/me", { token: await issuer.token(key, tenant.id) })).status).toBe(
        200,
      );
    }
    expect(await issuer.hits()).toEqual({ jwks: 1, discovery: 1, other: 0 });
    // A new isolate (simulated by clearing this one's caches) fetches both again.
    clearKeyCaches();
    expect((await callApi(env, "/api/v1/me", { token: await issuer.token(key, tenant.id) })).status).toBe(
      200,
    );
    expect(await issuer.hits()).toEqual({ jwks: 2, discovery: 2, other: 0 });
  });

  it("refuses a discovery document that names another issuer", async () => {
    const tenant = await createTenant();
    const key = await generateTestKey();
    const issuer = await createControlledIssuer([key]);
    await issuer.setDiscoveryIssuer("https://evil.example/realms/x");
    const env = issuer.env({ OIDC_JWKS_URL: "", OIDC_DISCOVERY_URL: issuer.discoveryUrl });
    const response = await callApi(env, "/api/v1/me", { token: await issuer.token(key, tenant.id) });
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ code: "internal", status: 500 });
    expect((await issuer.hits()).jwks).toBe(0);
  });

  it("answers 503 when discovery cannot be fetched on a cold isolate", async () => {
    const tenant = await createTenant();
    const key = await generateTestKey();
    const issuer = await createControlledIssuer([key]);
    await issuer.failWith(502);
    const env = issuer.env({ OIDC_JWKS_URL: "", OIDC_DISCOVERY_URL: issuer.discoveryUrl });
    await expectKeysUnavailable(
      await callApi(env, "/api/v1/me", { token: await issuer.token(key, tenant.id) }),
    );
  });

  it.each([
    ["both", { OIDC_DISCOVERY_URL: "http://127.0.0.1:1/.well-known/openid-configuration" }],
    ["neither", { OIDC_JWKS_URL: "" }],
    ["plain http off loopback", { OIDC_JWKS_URL: "http://idp.example/certs" }],
  ])("refuses to run with %s of OIDC_JWKS_URL and OIDC_DISCOVERY_URL", async (_case, overrides) => {
    const tenant = await createTenant();
    const key = await generateTestKey();
    const issuer = await createControlledIssuer([key]);
    const response = await callApi(issuer.env(overrides), "/api/v1/me", {
      token: await issuer.token(key, tenant.id),
    });
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ code: "internal", status: 500 });
  });
});

describe("key cache isolation", () => {
  it("never verifies one issuer's tokens with another issuer's cached keys, even when kids collide", async () => {
    const tenant = await createTenant();
    const keyA = await generateTestKey("RS256", "shared-kid");
    const keyB = await generateTestKey("RS256", "shared-kid");
    const issuerA = await createControlledIssuer([keyA]);
    const issuerB = await createControlledIssuer([keyB]);
    expect(
      (await callApi(issuerA.env(), "/api/v1/me", { token: await issuerA.token(keyA, tenant.id) })).status,
    ).toBe(200);
    expect(
      (await callApi(issuerB.env(), "/api/v1/me", { token: await issuerB.token(keyB, tenant.id) })).status,
    ).toBe(200);
    // Signed by A's key, claiming B as issuer, presented to an API configured for B.
    const crossed = await signCompact(
      { alg: "RS256", kid: "shared-kid" },
      accessClaims(issuerB.issuer, tenant.id),
      keyA,
    );
    await expectInvalidToken(await callApi(issuerB.env(), "/api/v1/me", { token: crossed }));
    // And A's genuine token is refused by an API configured for B (wrong issuer, wrong keys).
    await expectInvalidToken(
      await callApi(issuerB.env(), "/api/v1/me", { token: await issuerA.token(keyA, tenant.id) }),
    );
  });
});
