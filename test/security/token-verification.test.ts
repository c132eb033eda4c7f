// Every token here differs from a valid one in exactly one way, and every case asserts 401: loosening any check
// in src/auth/verify-token.ts (algorithms, issuer, audience, required claims, tolerance, max age) fails a test.
import { exportSPKI, importJWK } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import {
  accessClaims,
  base64url,
  type ControlledIssuer,
  callApi,
  createControlledIssuer,
  expectInvalidToken,
  generateTestKey,
  nowSeconds,
  signCompact,
  signHmac,
  type TestKey,
} from "../helpers/auth.ts";
import { createTenant, type TestTenant } from "../helpers/tenants.ts";

let key: TestKey;
let issuer: ControlledIssuer;
let tenant: TestTenant;
let env: Env;

beforeAll(async () => {
  key = await generateTestKey("RS256");
  issuer = await createControlledIssuer([key]);
  tenant = await createTenant();
  env = issuer.env();
});

function header(overrides: Record<string, unknown> = {}) {
  return { alg: "RS256", kid: key.kid, typ: "JWT", ...overrides };
}

function claims(overrides: Record<string, unknown> = {}) {
  return accessClaims(issuer.issuer, tenant.id, overrides);
}

function me(token: string, settings: Record<string, string> = {}) {
  return callApi(Object.keys(settings).length ? issuer.env(settings) : env, "/api/v1/me", { token });
}

describe("token verification: the control case", () => {
  it("accepts the valid token every other case is derived from", async () => {
    const response = await me(await signCompact(header(), claims(), key));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ tenant: { id: tenant.id }, roles: ["admin"] });
  });

  it("accepts an ES256 token from an EC key in the same key set", async () => {
    const ecKey = await generateTestKey("ES256");
    const ecIssuer = await createControlledIssuer([key, ecKey]);
    const token = await ecIssuer.token(ecKey, tenant.id);
    expect((await callApi(ecIssuer.env(), "/api/v1/me", { token })).status).toBe(200);
  });
});

describe("token verification: algorithms", () => {
  it.each(["none", "None", "NONE", "nOnE"])("refuses alg %s with and without a signature", async (alg) => {
    const unsigned = `${base64url(JSON.stringify(header({ alg })))}.${base64url(JSON.stringify(claims()))}.`;
    await expectInvalidToken(await me(unsigned));
    const signed = await signCompact(header(), claims(), key);
    const withNoneHeader = `${base64url(JSON.stringify(header({ alg })))}.${signed.split(".").slice(1).join(".")}`;
    await expectInvalidToken(await me(withNoneHeader));
  });

  it("refuses HS256 signed with the public key as the HMAC secret (algorithm confusion)", async () => {
    const publicKey = await importJWK(key.publicJwk, "RS256");
    const secrets = [
      new TextEncoder().encode(await exportSPKI(publicKey as CryptoKey)),
      new TextEncoder().encode(JSON.stringify(key.publicJwk)),
      Uint8Array.from(atob((key.publicJwk.n ?? "").replaceAll("-", "+").replaceAll("_", "/")), (c) =>
        c.charCodeAt(0),
      ),
    ];
    for (const secret of secrets) {
      await expectInvalidToken(await me(await signHmac(header({ alg: "HS256" }), claims(), secret)));
    }
  });

  it("refuses an algorithm the key could produce but the settings do not allow", async () => {
    // The served JWK carries no `alg`, so only OIDC_ALGORITHMS stands between a PS256 signature and acceptance.
    const { alg: _alg, ...unboundJwk } = key.publicJwk;
    const unbound = await createControlledIssuer([unboundJwk]);
    const ps256 = await signCompact(
      header({ alg: "PS256" }),
      accessClaims(unbound.issuer, tenant.id),
      key,
      "PS256",
    );
    await expectInvalidToken(
      await callApi(unbound.env({ OIDC_ALGORITHMS: "RS256" }), "/api/v1/me", { token: ps256 }),
    );
    const rs256 = await signCompact(header(), accessClaims(unbound.issuer, tenant.id), key);
    expect(
      (await callApi(unbound.env({ OIDC_ALGORITHMS: "RS256" }), "/api/v1/me", { token: rs256 })).status,
    ).toBe(200);
  });

  it.each(["HS256", "none", "RS256,HS512", ""])(
    "refuses to start with OIDC_ALGORITHMS=%j",
    async (algorithms) => {
      const response = await me(await signCompact(header(), claims(), key), { OIDC_ALGORITHMS: algorithms });
      expect(response.status).toBe(500);
      expect(await response.json()).toMatchObject({ code: "internal", status: 500 });
    },
  );
});

describe("token verification: keys come only from the configured JWKS", () => {
  it("ignores jwk, jku and x5u headers: no request leaves, the token is refused at once", async () => {
    const attacker = await generateTestKey("RS256");
    const attackerHost = await createControlledIssuer([attacker]);
    const forged = accessClaims(issuer.issuer, tenant.id);
    const started = Date.now();
    for (const extra of [
      { jwk: attacker.publicJwk },
      { jku: attackerHost.jwksUrl },
      { x5u: attackerHost.jwksUrl },
      { jku: "http://10.255.255.1/jwks.json" },
      { x5u: "http://10.255.255.1/cert.pem" },
    ]) {
      const token = await signCompact(header({ kid: attacker.kid, ...extra }), forged, attacker);
      await expectInvalidToken(await me(token));
    }
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await attackerHost.hits()).toEqual({ jwks: 0, discovery: 0, other: 0 });
  });

  it.each([
    "../../../../etc/passwd",
    "/dev/null",
    "' OR '1'='1' --",
    "1; drop table users; --",
    "http://10.255.255.1/key",
    "a".repeat(2048),
  ])("refuses a token whose kid is %j", async (kid) => {
    const forged = await signCompact(header({ kid }), claims(), key);
    await expectInvalidToken(await me(forged));
  });

  it("refuses a token signed by a key the JWKS does not hold, even with a known kid", async () => {
    const stranger = await generateTestKey("RS256", key.kid);
    await expectInvalidToken(await me(await signCompact(header(), claims(), stranger)));
  });

  it("refuses a tampered payload and a tampered header", async () => {
    const [encodedHeader, , signature] = (await signCompact(header(), claims(), key)).split(".");
    const elevated = base64url(JSON.stringify(claims({ realm_access: { roles: ["admin", "owner"] } })));
    await expectInvalidToken(await me(`${encodedHeader}.${elevated}.${signature}`));
    const [, payload] = (await signCompact(header(), claims(), key)).split(".");
    const otherHeader = base64url(JSON.stringify(header({ typ: "at+jwt" })));
    await expectInvalidToken(await me(`${otherHeader}.${payload}.${signature}`));
  });

  it("refuses an unknown critical header parameter", async () => {
    await expectInvalidToken(
      await me(await signCompact(header({ crit: ["x-custom"], "x-custom": 1 }), claims(), key)),
    );
    await expectInvalidToken(
      await me(await signCompact(header({ crit: ["b64"], b64: false }), claims(), key)),
    );
  });
});

describe("token verification: claims", () => {
  it.each(["exp", "iat", "sub", "iss", "aud", "tenant_id"])("refuses a token without %s", async (claim) => {
    await expectInvalidToken(await me(await signCompact(header(), claims({ [claim]: undefined }), key)));
  });

  it("refuses a wrong issuer and a wrong audience", async () => {
    await expectInvalidToken(
      await me(await signCompact(header(), claims({ iss: `${issuer.issuer}/other` }), key)),
    );
    await expectInvalidToken(await me(await signCompact(header(), claims({ aud: "another-api" }), key)));
    await expectInvalidToken(
      await me(await signCompact(header(), claims({ aud: ["another-api", "account"] }), key)),
    );
  });

  it("accepts the audience among several", async () => {
    const token = await signCompact(header(), claims({ aud: ["account", env.OIDC_AUDIENCE] }), key);
    expect((await me(token)).status).toBe(200);
  });

  it("refuses a tenant claim that is not one tenant id", async () => {
    for (const tenantClaim of ["not-a-uuid", [tenant.id], 42, { id: tenant.id }, ""]) {
      await expectInvalidToken(
        await me(await signCompact(header(), claims({ tenant_id: tenantClaim }), key)),
      );
    }
  });

  it("honours the clock tolerance on exp: 30 s late is fine, 31 s late is not", async () => {
    const now = nowSeconds();
    const within = await signCompact(header(), claims({ iat: now - 600, exp: now - 20 }), key);
    expect((await me(within)).status).toBe(200);
    const beyond = await signCompact(header(), claims({ iat: now - 600, exp: now - 35 }), key);
    await expectInvalidToken(await me(beyond));
  });

  it("refuses nbf and iat in the future beyond the tolerance, and accepts them within it", async () => {
    const now = nowSeconds();
    await expectInvalidToken(await me(await signCompact(header(), claims({ nbf: now + 120 }), key)));
    await expectInvalidToken(
      await me(await signCompact(header(), claims({ iat: now + 120, exp: now + 600 }), key)),
    );
    expect(
      (await me(await signCompact(header(), claims({ nbf: now + 10, iat: now + 10 }), key))).status,
    ).toBe(200);
  });

  it("refuses a token older than the maximum age even when it has not expired", async () => {
    const now = nowSeconds();
    const old = await signCompact(header(), claims({ iat: now - 86_400 - 60, exp: now + 3_600 }), key);
    await expectInvalidToken(await me(old));
    const shortMaxAge = await signCompact(header(), claims({ iat: now - 120, exp: now + 3_600 }), key);
    await expectInvalidToken(await me(shortMaxAge, { OIDC_MAX_TOKEN_AGE_SECONDS: "60" }));
    expect((await me(shortMaxAge)).status).toBe(200);
  });

  it("refuses non-numeric time claims", async () => {
    await expectInvalidToken(await me(await signCompact(header(), claims({ exp: "9999999999" }), key)));
    await expectInvalidToken(await me(await signCompact(header(), claims({ iat: "0" }), key)));
  });
});

describe("token verification: the Authorization header", () => {
  it("refuses a header over 8 KiB before any verification (no JWKS fetch)", async () => {
    const cold = await createControlledIssuer([key]);
    const padded = await signCompact(
      header(),
      accessClaims(cold.issuer, tenant.id, { pad: "x".repeat(8 * 1024) }),
      key,
    );
    await expectInvalidToken(await callApi(cold.env(), "/api/v1/me", { token: padded }));
    expect((await cold.hits()).jwks).toBe(0);
  });

  it("refuses other schemes, several tokens and inner whitespace", async () => {
    const token = await signCompact(header(), claims(), key);
    for (const authorization of [
      `Basic ${token}`,
      `bearer  ${token}`,
      `Bearer ${token} ${token}`,
      `Bearer ${token},Bearer ${token}`,
    ]) {
      await expectInvalidToken(await callApi(env, "/api/v1/me", { headers: { authorization } }));
    }
  });

  it("accepts the scheme name in any case", async () => {
    const token = await signCompact(header(), claims(), key);
    const response = await callApi(env, "/api/v1/me", { headers: { authorization: `bearer ${token}` } });
    expect(response.status).toBe(200);
  });

  it("answers 401 with only the challenge when no token is sent", async () => {
    const response = await callApi(env, "/api/v1/me");
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe('Bearer realm="real-estate-os"');
  });
});
