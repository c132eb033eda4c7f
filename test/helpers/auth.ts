// Worker-side helpers for the auth and security suites: signing keys, hand-built tokens (any header, any
// claims, any algorithm, so a test can craft exactly the malformed token it means), issuers whose JWKS the
// test controls, and an app instance with OIDC settings pointed at them.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { exportJWK, generateKeyPair, importJWK, type JWK } from "jose";
import { expect, inject } from "vitest";
import { createApp } from "../../src/app.ts";
import { testEnv } from "./env.ts";

export type SigningAlg = "RS256" | "PS256" | "ES256" | "RS512";

export interface TestKey {
  kid: string;
  alg: SigningAlg;
  privateJwk: JWK;
  publicJwk: JWK;
}

export async function generateTestKey(
  alg: "RS256" | "ES256" = "RS256",
  kid = crypto.randomUUID(),
): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return {
    kid,
    alg,
    privateJwk: { ...(await exportJWK(privateKey)), kid },
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: "sig" },
  };
}

const encoder = new TextEncoder();

export function base64url(input: string | Uint8Array): string {
  const bytes = typeof input === "string" ? encoder.encode(input) : input;
  return btoa(String.fromCharCode(...bytes))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
}

/** Signs `header.payload` as given: nothing is added, checked or normalized, unlike jose's signers. */
export async function signCompact(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  key: TestKey,
  alg: SigningAlg = key.alg,
): Promise<string> {
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  const { alg: _ignored, ...jwkWithoutAlg } = key.privateJwk;
  const privateKey = (await importJWK(jwkWithoutAlg, alg)) as CryptoKey;
  const params =
    alg === "ES256"
      ? { name: "ECDSA", hash: "SHA-256" }
      : alg === "PS256"
        ? { name: "RSA-PSS", saltLength: 32 }
        : { name: "RSASSA-PKCS1-v1_5" };
  const signature = new Uint8Array(
    await crypto.subtle.sign(params, privateKey, encoder.encode(signingInput)),
  );
  return `${signingInput}.${base64url(signature)}`;
}

/** An HS256 token whose HMAC secret is `secret`: the algorithm-confusion attack uses the public key here. */
export async function signHmac(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  secret: Uint8Array,
): Promise<string> {
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  const hmacKey = await crypto.subtle.importKey("raw", secret, { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  const signature = new Uint8Array(await crypto.subtle.sign("HMAC", hmacKey, encoder.encode(signingInput)));
  return `${signingInput}.${base64url(signature)}`;
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** Claims of a valid access token for `tenantId`, Keycloak-shaped; override or delete (undefined) any. */
export function accessClaims(
  issuer: string,
  tenantId: string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const now = nowSeconds();
  const claims: Record<string, unknown> = {
    iss: issuer,
    aud: testEnv.OIDC_AUDIENCE,
    sub: `user-${crypto.randomUUID()}`,
    iat: now,
    exp: now + 300,
    tenant_id: tenantId,
    realm_access: { roles: ["admin"] },
    email: `user-${crypto.randomUUID()}@example.test`,
    ...overrides,
  };
  for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
  return claims;
}

export interface ControlledIssuer {
  name: string;
  issuer: string;
  jwksUrl: string;
  discoveryUrl: string;
  /** Serves these public keys from now on (and a 200). */
  serveKeys(keys: (TestKey | JWK)[]): Promise<void>;
  /** Answers every JWKS and discovery request with this status from now on. */
  failWith(status: number): Promise<void>;
  /** Makes discovery name another issuer. */
  setDiscoveryIssuer(issuer: string): Promise<void>;
  hits(): Promise<{ jwks: number; discovery: number; other: number }>;
  /** The Worker env with OIDC settings pointed at this issuer's JWKS URL, plus overrides. */
  env(overrides?: Record<string, string>): Env;
  /** A token with this issuer as `iss`, signed by `key` with its kid. */
  token(key: TestKey, tenantId: string, claims?: Record<string, unknown>): Promise<string>;
}

async function control(name: string, body?: Record<string, unknown>) {
  const response = await fetch(`${inject("jwksControlUrl")}/control/${name}`, {
    method: body ? "PUT" : "GET",
    ...(body ? { body: JSON.stringify(body), headers: { "content-type": "application/json" } } : {}),
  });
  return response.json<{ hits: { jwks: number; discovery: number; other: number } }>();
}

function publicJwkOf(key: TestKey | JWK): JWK {
  return "publicJwk" in key ? (key as TestKey).publicJwk : (key as JWK);
}

export async function createControlledIssuer(keys: (TestKey | JWK)[] = []): Promise<ControlledIssuer> {
  const name = `iss-${crypto.randomUUID()}`;
  const issuer = `${inject("jwksControlUrl")}/${name}`;
  await control(name, { keys: keys.map(publicJwkOf), status: 200 });
  return {
    name,
    issuer,
    jwksUrl: `${issuer}/jwks`,
    discoveryUrl: `${issuer}/.well-known/openid-configuration`,
    serveKeys: async (served) => void (await control(name, { keys: served.map(publicJwkOf), status: 200 })),
    failWith: async (status) => void (await control(name, { status })),
    setDiscoveryIssuer: async (other) => void (await control(name, { discoveryIssuer: other })),
    hits: async () => (await control(name)).hits,
    env: (overrides = {}) =>
      ({
        ...testEnv,
        OIDC_ISSUER: issuer,
        OIDC_JWKS_URL: `${issuer}/jwks`,
        OIDC_DISCOVERY_URL: "",
        ...overrides,
      }) as Env,
    token: (key, tenantId, claims = {}) =>
      signCompact({ alg: key.alg, kid: key.kid, typ: "JWT" }, accessClaims(issuer, tenantId, claims), key),
  };
}

const app = createApp();

/** One request through the whole app (middleware, auth, routes) with a custom env. */
export async function callApi(
  env: Env,
  path: string,
  init: RequestInit & { token?: string } = {},
): Promise<Response> {
  const { token, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (token !== undefined) headers.set("authorization", `Bearer ${token}`);
  const ctx = createExecutionContext();
  const response = await app.fetch(new Request(`http://api.test${path}`, { ...rest, headers }), env, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

/** A 401 that tells the client nothing but "invalid token": problem+json, the Bearer challenge, no jose text. */
export async function expectInvalidToken(response: Response): Promise<void> {
  const text = await response.text();
  expect(response.status, text).toBe(401);
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  expect(response.headers.get("www-authenticate")).toBe(
    'Bearer realm="real-estate-os", error="invalid_token"',
  );
  expect(text).not.toMatch(/JWS|JWT[A-Z]|JWK|jose|claim|signature|ERR_/);
}
