// The per-isolate cache of verified tokens (src/auth/verify-token.ts) through the Worker: a cached verification
// never outlives the token's exp, nor a refetch of the key set that drops the token's key.
import { describe, expect, it } from "vitest";
import {
  callApi,
  createControlledIssuer,
  expectInvalidToken,
  generateTestKey,
  nowSeconds,
} from "../helpers/auth.ts";
import { createTenant } from "../helpers/tenants.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("verified-token cache", { timeout: 20_000 }, () => {
  it("refuses a token once its exp has passed, though it was verified and cached before", async () => {
    const tenant = await createTenant();
    const key = await generateTestKey();
    const issuer = await createControlledIssuer([key]);
    // No clock tolerance: verification itself refuses the token from exp on.
    const env = issuer.env({ OIDC_CLOCK_TOLERANCE_SECONDS: "0" });
    const token = await issuer.token(key, tenant.id, { exp: nowSeconds() + 2 });
    const me = () => callApi(env, "/api/v1/me", { token });
    expect((await me()).status).toBe(200);
    expect((await me()).status).toBe(200);
    await sleep(2_100);
    await expectInvalidToken(await me());
  });

  it("verifies every token again after the key set is refetched: a removed key's tokens are refused at once", async () => {
    const tenant = await createTenant();
    const oldKey = await generateTestKey();
    const newKey = await generateTestKey();
    const issuer = await createControlledIssuer([oldKey]);
    // A long cache max age: only the refetch an unknown kid triggers (after the 1 s cooldown) renews the keys.
    const env = issuer.env({ OIDC_JWKS_COOLDOWN_SECONDS: "1", OIDC_JWKS_CACHE_MAX_AGE_SECONDS: "600" });
    const oldToken = await issuer.token(oldKey, tenant.id);
    const me = (token: string) => callApi(env, "/api/v1/me", { token });
    expect((await me(oldToken)).status).toBe(200);
    expect((await me(oldToken)).status).toBe(200);
    expect((await issuer.hits()).jwks).toBe(1);

    // The old key is rotated out; a token signed with the new one makes the Worker refetch the set.
    await issuer.serveKeys([newKey]);
    await sleep(1_100);
    expect((await me(await issuer.token(newKey, tenant.id))).status).toBe(200);
    expect((await issuer.hits()).jwks).toBe(2);
    // The cached verification of the old token belonged to the previous key set.
    await expectInvalidToken(await me(oldToken));
  });

  it("never caches a refusal: a token refused for a wrong audience stays refused, a valid one is accepted", async () => {
    const tenant = await createTenant();
    const key = await generateTestKey();
    const issuer = await createControlledIssuer([key]);
    const env = issuer.env();
    const wrong = await issuer.token(key, tenant.id, { aud: "someone-else" });
    await expectInvalidToken(await callApi(env, "/api/v1/me", { token: wrong }));
    await expectInvalidToken(await callApi(env, "/api/v1/me", { token: wrong }));
    expect((await callApi(env, "/api/v1/me", { token: await issuer.token(key, tenant.id) })).status).toBe(
      200,
    );
  });
});
