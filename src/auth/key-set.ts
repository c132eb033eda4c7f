// The identity provider's signing keys, cached per isolate. jose's createRemoteJWKSet is not used because once
// its cacheMaxAge passes it must refetch and fails every verification while the JWKS endpoint is down; here a
// warm cache keeps verifying with the keys it has for a bounded grace period instead, and only a cold cache
// (keys never fetched, or stale beyond the grace period) fails closed with 503.
//
// Policy, per JWKS URL:
// - fresh keys (younger than cacheMaxAge) are used without asking the IdP;
// - stale keys trigger a refetch; if it fails, they keep serving until cacheMaxAge + staleGrace, then 503;
// - a kid the cached set lacks triggers one refetch at most every `cooldown` (a rotated-in key is picked up,
//   random kids cannot make the Worker hammer the IdP); within the cooldown the token is refused (401);
// - after a failed fetch the next attempt waits FAILURE_BACKOFF_MS, so a down IdP costs cold isolates one
//   timeout, not one per request.
import { createLocalJWKSet, errors, type JSONWebKeySet, type JWK, type JWTVerifyGetKey } from "jose";
import { LOOPBACK_HOSTS } from "../domain/ip-address.ts";

export interface KeySetOptions {
  cacheMaxAgeMs: number;
  cooldownMs: number;
  staleGraceMs: number;
  timeoutMs: number;
}

/** The keys cannot be fetched and none may be used: the caller answers 503, never lets the request through. */
export class KeysUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "KeysUnavailableError";
  }
}

/** The IdP's discovery document names another issuer than the one configured. */
export class DiscoveryMismatchError extends Error {
  constructor() {
    super("The discovery document's issuer is not the configured issuer.");
    this.name = "DiscoveryMismatchError";
  }
}

export const FAILURE_BACKOFF_MS = 5_000;
// A key set is a few KiB; anything much larger is not one.
const MAX_DOCUMENT_BYTES = 256 * 1024;

type Fetcher = (url: string, init: RequestInit) => Promise<Response>;
type Clock = () => number;

interface Dependencies {
  fetch?: Fetcher;
  now?: Clock;
}

/** Key material travels over https only; plain http is accepted for the local platform on loopback. */
export function isTrustedKeyUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return url.protocol === "https:" || (url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname));
}

async function fetchJson(fetcher: Fetcher, url: string, timeoutMs: number): Promise<unknown> {
  const response = await fetcher(url, {
    headers: { accept: "application/json" },
    redirect: "manual",
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new Error(`answered HTTP ${response.status}`);
  }
  const text = await response.text();
  if (text.length > MAX_DOCUMENT_BYTES) throw new Error("document too large");
  return JSON.parse(text);
}

/** Only public signature keys are kept: a symmetric (oct) key or a private key never verifies a token. */
function publicSignatureKeys(document: unknown): JSONWebKeySet {
  const keys = (document as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) throw new Error("not a JSON Web Key Set");
  const usable = keys.filter(
    (key): key is JWK =>
      typeof key === "object" &&
      key !== null &&
      ["RSA", "EC", "OKP"].includes((key as JWK).kty ?? "") &&
      (key as JWK).d === undefined &&
      ((key as JWK).use === undefined || (key as JWK).use === "sig"),
  );
  return { keys: usable };
}

interface CachedKeys {
  resolve: JWTVerifyGetKey;
  fetchedAt: number;
  kids: string[];
}

export class RemoteKeySet {
  readonly url: string;
  readonly #fetch: Fetcher;
  readonly #now: Clock;
  #cached: CachedKeys | undefined;
  #lastAttemptAt = Number.NEGATIVE_INFINITY;
  #lastFailureAt = Number.NEGATIVE_INFINITY;
  #pending: Promise<CachedKeys> | undefined;
  /** Fetches made, for tests and logs. */
  fetches = 0;
  /** Goes up with every key set fetched: a token verified under an older one is verified again (verify-token.ts). */
  version = 0;

  constructor(url: string, dependencies: Dependencies = {}) {
    this.url = url;
    this.#fetch = dependencies.fetch ?? ((input, init) => fetch(input, init));
    this.#now = dependencies.now ?? Date.now;
  }

  /** The kids currently cached (empty when cold). */
  get kids(): readonly string[] {
    return this.#cached?.kids ?? [];
  }

  #refresh(options: KeySetOptions): Promise<CachedKeys> {
    // Concurrent requests share one fetch; the result is plain data, never an I/O object of another request.
    this.#pending ??= (async () => {
      this.#lastAttemptAt = this.#now();
      this.fetches++;
      try {
        const keys = publicSignatureKeys(await fetchJson(this.#fetch, this.url, options.timeoutMs));
        this.version++;
        this.#cached = {
          resolve: createLocalJWKSet(keys),
          fetchedAt: this.#now(),
          kids: keys.keys.map((key) => key.kid ?? ""),
        };
        return this.#cached;
      } catch (error) {
        this.#lastFailureAt = this.#now();
        throw new KeysUnavailableError("The identity provider's signing keys cannot be fetched.", {
          cause: error,
        });
      } finally {
        this.#pending = undefined;
      }
    })();
    return this.#pending;
  }

  #inFailureBackoff(): boolean {
    return this.#now() - this.#lastFailureAt < FAILURE_BACKOFF_MS;
  }

  async #usableKeys(options: KeySetOptions): Promise<CachedKeys> {
    const cached = this.#cached;
    if (!cached) {
      if (this.#inFailureBackoff())
        throw new KeysUnavailableError("The signing keys were unreachable moments ago.");
      return this.#refresh(options);
    }
    const age = this.#now() - cached.fetchedAt;
    if (age < options.cacheMaxAgeMs) return cached;
    const withinGrace = age < options.cacheMaxAgeMs + options.staleGraceMs;
    if (this.#inFailureBackoff()) {
      if (withinGrace) return cached;
      throw new KeysUnavailableError("The cached signing keys are stale and the IdP is unreachable.");
    }
    try {
      return await this.#refresh(options);
    } catch (error) {
      if (!withinGrace) throw error;
      console.warn(
        JSON.stringify({
          level: "warn",
          msg: "JWKS refresh failed; verifying with stale keys",
          jwksUrl: this.url,
          keyAgeSeconds: Math.round(age / 1000),
        }),
      );
      return cached;
    }
  }

  /** Whether the cached keys are younger than cacheMaxAge, i.e. usable without asking the IdP. */
  isFresh(options: KeySetOptions): boolean {
    return this.#cached !== undefined && this.#now() - this.#cached.fetchedAt < options.cacheMaxAgeMs;
  }

  /** A jose key resolver for jwtVerify that applies the options' caching policy. */
  resolver(options: KeySetOptions): JWTVerifyGetKey {
    return async (header, token) => {
      const cached = await this.#usableKeys(options);
      try {
        return await cached.resolve(header, token);
      } catch (error) {
        if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
        if (this.#now() - this.#lastAttemptAt < options.cooldownMs || this.#inFailureBackoff()) throw error;
        return (await this.#refresh(options)).resolve(header, token);
      }
    };
  }
}

interface DiscoveredIssuer {
  jwksUri: string;
}

export class IssuerDiscovery {
  readonly url: string;
  readonly #fetch: Fetcher;
  readonly #now: Clock;
  #discovered: DiscoveredIssuer | undefined;
  #lastFailureAt = Number.NEGATIVE_INFINITY;
  fetches = 0;

  constructor(url: string, dependencies: Dependencies = {}) {
    this.url = url;
    this.#fetch = dependencies.fetch ?? ((input, init) => fetch(input, init));
    this.#now = dependencies.now ?? Date.now;
  }

  /** The JWKS URL the discovery document names; fetched once per isolate, and only if its issuer matches. */
  async jwksUri(expectedIssuer: string, timeoutMs: number): Promise<string> {
    if (this.#discovered) return this.#discovered.jwksUri;
    if (this.#now() - this.#lastFailureAt < FAILURE_BACKOFF_MS) {
      throw new KeysUnavailableError("The discovery document was unreachable moments ago.");
    }
    this.fetches++;
    let document: { issuer?: unknown; jwks_uri?: unknown };
    try {
      document = (await fetchJson(this.#fetch, this.url, timeoutMs)) as typeof document;
    } catch (error) {
      this.#lastFailureAt = this.#now();
      throw new KeysUnavailableError("The discovery document cannot be fetched.", { cause: error });
    }
    // OpenID Connect Discovery 1.0 section 4.3: the issuer in the document must be exactly the expected one;
    // otherwise whoever serves the document could point us at keys of their choosing.
    if (document?.issuer !== expectedIssuer) {
      this.#lastFailureAt = this.#now();
      throw new DiscoveryMismatchError();
    }
    if (typeof document.jwks_uri !== "string" || !isTrustedKeyUrl(document.jwks_uri)) {
      this.#lastFailureAt = this.#now();
      throw new DiscoveryMismatchError();
    }
    this.#discovered = { jwksUri: document.jwks_uri };
    return document.jwks_uri;
  }
}

const keySets = new Map<string, RemoteKeySet>();
const discoveries = new Map<string, IssuerDiscovery>();

/** One key set per JWKS URL per isolate: keys fetched for one IdP never verify another's tokens. */
export function keySetFor(url: string): RemoteKeySet {
  let keySet = keySets.get(url);
  if (!keySet) {
    keySet = new RemoteKeySet(url);
    keySets.set(url, keySet);
  }
  return keySet;
}

export function discoveryFor(url: string): IssuerDiscovery {
  let discovery = discoveries.get(url);
  if (!discovery) {
    discovery = new IssuerDiscovery(url);
    discoveries.set(url, discovery);
  }
  return discovery;
}

const clearListeners = new Set<() => void>();

/** Runs `listener` whenever clearKeyCaches does (the verified-token cache forgets its entries too). */
export function onKeyCachesCleared(listener: () => void): void {
  clearListeners.add(listener);
}

/** Forgets every cached key set and discovery document of this isolate. */
export function clearKeyCaches(): void {
  for (const listener of clearListeners) listener();
  keySets.clear();
  discoveries.clear();
}
