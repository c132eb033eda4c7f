// The key cache's policy with a fake clock and a fake JWKS endpoint: what is fetched when, and what is served
// when the endpoint fails.
import { errors, exportJWK, generateKeyPair, type JWK } from "jose";
import { describe, expect, it } from "vitest";
import {
  FAILURE_BACKOFF_MS,
  IssuerDiscovery,
  isTrustedKeyUrl,
  KeysUnavailableError,
  RemoteKeySet,
} from "../../../src/auth/key-set.ts";

const OPTIONS = { cacheMaxAgeMs: 60_000, cooldownMs: 10_000, staleGraceMs: 120_000, timeoutMs: 1_000 };

async function publicKey(kid: string): Promise<JWK> {
  const { publicKey } = await generateKeyPair("RS256", { extractable: true });
  return { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" };
}

function fakeEndpoint(initial: unknown) {
  const state = { body: initial as unknown, status: 200, calls: 0 };
  const fetcher = async () => {
    state.calls++;
    return new Response(JSON.stringify(state.body), { status: state.status });
  };
  return { state, fetcher };
}

function clock(start = 1_000_000) {
  const time = { now: start };
  return { time, now: () => time.now };
}

// The arguments jose passes a key resolver: the protected header and the token (unused here).
const at = (kid: string) =>
  [
    { alg: "RS256", kid },
    { payload: "", signature: "" },
  ] as const;

describe("RemoteKeySet", () => {
  it("shares one fetch between concurrent requests and serves fresh keys without refetching", async () => {
    const endpoint = fakeEndpoint({ keys: [await publicKey("a")] });
    const { time, now } = clock();
    const keySet = new RemoteKeySet("https://idp/jwks", { fetch: endpoint.fetcher, now });
    const resolve = keySet.resolver(OPTIONS);
    await Promise.all([resolve(...at("a")), resolve(...at("a")), resolve(...at("a"))]);
    time.now += OPTIONS.cacheMaxAgeMs - 1;
    await resolve(...at("a"));
    expect(endpoint.state.calls).toBe(1);
    time.now += 1;
    await resolve(...at("a"));
    expect(endpoint.state.calls).toBe(2);
  });

  it("keeps only public signature keys: oct, private and encryption keys are dropped", async () => {
    const { privateKey } = await generateKeyPair("RS256", { extractable: true });
    const endpoint = fakeEndpoint({
      keys: [
        { kty: "oct", k: "c2VjcmV0", kid: "hmac" },
        { ...(await exportJWK(privateKey)), kid: "private" },
        { ...(await publicKey("enc")), use: "enc" },
        await publicKey("good"),
      ],
    });
    const keySet = new RemoteKeySet("https://idp/jwks", { fetch: endpoint.fetcher, now: clock().now });
    await keySet.resolver(OPTIONS)(...at("good"));
    expect(keySet.kids).toEqual(["good"]);
  });

  it("refetches for an unknown kid at most once per cooldown", async () => {
    const endpoint = fakeEndpoint({ keys: [await publicKey("a")] });
    const { time, now } = clock();
    const keySet = new RemoteKeySet("https://idp/jwks", { fetch: endpoint.fetcher, now });
    const resolve = keySet.resolver(OPTIONS);
    await resolve(...at("a"));
    endpoint.state.body = { keys: [await publicKey("a"), await publicKey("b")] };
    await expect(resolve(...at("b"))).rejects.toBeInstanceOf(errors.JWKSNoMatchingKey);
    expect(endpoint.state.calls).toBe(1);
    time.now += OPTIONS.cooldownMs;
    await resolve(...at("b"));
    expect(endpoint.state.calls).toBe(2);
    await expect(resolve(...at("c"))).rejects.toBeInstanceOf(errors.JWKSNoMatchingKey);
    expect(endpoint.state.calls).toBe(2);
  });

  it("cold and failing: fails closed, and backs off before asking again", async () => {
    const endpoint = fakeEndpoint({ error: "down" });
    endpoint.state.status = 503;
    const { time, now } = clock();
    const resolve = new RemoteKeySet("https://idp/jwks", { fetch: endpoint.fetcher, now }).resolver(OPTIONS);
    await expect(resolve(...at("a"))).rejects.toBeInstanceOf(KeysUnavailableError);
    await expect(resolve(...at("a"))).rejects.toBeInstanceOf(KeysUnavailableError);
    expect(endpoint.state.calls).toBe(1);
    time.now += FAILURE_BACKOFF_MS;
    endpoint.state.status = 200;
    endpoint.state.body = { keys: [await publicKey("a")] };
    await resolve(...at("a"));
    expect(endpoint.state.calls).toBe(2);
  });

  it("warm and failing: serves stale keys until max age plus grace, then fails closed", async () => {
    const endpoint = fakeEndpoint({ keys: [await publicKey("a")] });
    const { time, now } = clock();
    const resolve = new RemoteKeySet("https://idp/jwks", { fetch: endpoint.fetcher, now }).resolver(OPTIONS);
    await resolve(...at("a"));
    endpoint.state.status = 500;
    time.now += OPTIONS.cacheMaxAgeMs;
    await resolve(...at("a"));
    expect(endpoint.state.calls).toBe(2);
    time.now += OPTIONS.staleGraceMs - 1;
    await resolve(...at("a"));
    time.now += 1;
    await expect(resolve(...at("a"))).rejects.toBeInstanceOf(KeysUnavailableError);
  });

  it.each([
    ["a redirect", () => new Response(null, { status: 302, headers: { location: "https://evil/jwks" } })],
    ["not JSON", () => new Response("<html>", { status: 200 })],
    ["no keys array", () => new Response(JSON.stringify({ keys: "nope" }), { status: 200 })],
    ["an oversized document", () => new Response(" ".repeat(300 * 1024), { status: 200 })],
  ])("treats %s as unavailable", async (_case, answer) => {
    const keySet = new RemoteKeySet("https://idp/jwks", { fetch: async () => answer(), now: clock().now });
    await expect(keySet.resolver(OPTIONS)(...at("a"))).rejects.toBeInstanceOf(KeysUnavailableError);
  });
});

describe("IssuerDiscovery", () => {
  const document = (issuer: string, jwksUri = "https://idp/jwks") =>
    fakeEndpoint({ issuer, jwks_uri: jwksUri });

  it("fetches once and answers jwks_uri when the issuer matches exactly", async () => {
    const endpoint = document("https://idp/realms/x");
    const discovery = new IssuerDiscovery("https://idp/realms/x/.well-known/openid-configuration", {
      fetch: endpoint.fetcher,
      now: clock().now,
    });
    expect(await discovery.jwksUri("https://idp/realms/x", 1_000)).toBe("https://idp/jwks");
    expect(await discovery.jwksUri("https://idp/realms/x", 1_000)).toBe("https://idp/jwks");
    expect(endpoint.state.calls).toBe(1);
  });

  it.each([
    ["another issuer", "https://idp/realms/y", "https://idp/jwks"],
    ["a trailing slash", "https://idp/realms/x/", "https://idp/jwks"],
    ["plain http jwks_uri", "https://idp/realms/x", "http://idp/jwks"],
  ])("refuses a document with %s", async (_case, issuer, jwksUri) => {
    const discovery = new IssuerDiscovery("https://idp/d", {
      fetch: document(issuer, jwksUri).fetcher,
      now: clock().now,
    });
    await expect(discovery.jwksUri("https://idp/realms/x", 1_000)).rejects.toThrow(/issuer/);
  });
});

describe("isTrustedKeyUrl", () => {
  it("accepts https anywhere and http only on loopback", () => {
    expect(isTrustedKeyUrl("https://idp.example/certs")).toBe(true);
    expect(isTrustedKeyUrl("http://127.0.0.1:5481/certs")).toBe(true);
    expect(isTrustedKeyUrl("http://localhost/certs")).toBe(true);
    expect(isTrustedKeyUrl("http://idp.example/certs")).toBe(false);
    expect(isTrustedKeyUrl("file:///etc/passwd")).toBe(false);
    expect(isTrustedKeyUrl("not a url")).toBe(false);
  });
});
