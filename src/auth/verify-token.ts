// Access-token verification with jose against the identity provider's JWKS. Everything jose would accept by
// default but this API must not is pinned here: required exp/iat/sub/iss/aud and tenant claims, an
// asymmetric algorithm allowlist, a maximum token age (which also rejects an iat in the future) and a bounded
// clock tolerance. Keys come only from the configured JWKS (directly or through the discovery document):
// header jwk/jku/x5u are never followed, and unknown `crit` extensions are refused.
import { type JWTPayload, jwtVerify } from "jose";
import { sha256Hex } from "../domain/sha256.ts";
import type { Settings } from "../env.ts";
import { ApiError } from "../errors.ts";
import { rolesFrom, tenantFrom } from "./claims.ts";
import {
  DiscoveryMismatchError,
  discoveryFor,
  FAILURE_BACKOFF_MS,
  type KeySetOptions,
  KeysUnavailableError,
  keySetFor,
  onKeyCachesCleared,
  type RemoteKeySet,
} from "./key-set.ts";
import type { Role } from "./roles.ts";

export interface VerifiedIdentity {
  subject: string;
  tenantId: string;
  roles: Role[];
  email: string | undefined;
}

type OidcSettings = Settings["oidc"];

export function invalidToken(
  detail = "The access token is missing, malformed, expired or not trusted.",
): ApiError {
  return new ApiError("unauthorized", {
    detail,
    headers: { "WWW-Authenticate": 'Bearer realm="real-estate-os", error="invalid_token"' },
  });
}

function keysUnavailable(cause: unknown): ApiError {
  return new ApiError("service_unavailable", {
    detail: "The identity provider's signing keys cannot be fetched right now.",
    headers: { "Retry-After": String(FAILURE_BACKOFF_MS / 1000) },
    cause,
  });
}

function keySetOptions(oidc: OidcSettings): KeySetOptions {
  return {
    cacheMaxAgeMs: oidc.jwksCacheMaxAgeSeconds * 1000,
    cooldownMs: oidc.jwksCooldownSeconds * 1000,
    staleGraceMs: oidc.jwksStaleGraceSeconds * 1000,
    timeoutMs: oidc.httpTimeoutMs,
  };
}

async function jwksUrlFor(oidc: OidcSettings): Promise<string> {
  if (oidc.jwksUrl) return oidc.jwksUrl;
  try {
    return await discoveryFor(oidc.discoveryUrl as string).jwksUri(oidc.issuer, oidc.httpTimeoutMs);
  } catch (error) {
    if (error instanceof DiscoveryMismatchError) {
      throw new ApiError("configuration_error", {
        detail: "The identity provider's discovery document does not match OIDC_ISSUER.",
        cause: error,
      });
    }
    throw keysUnavailable(error);
  }
}

// Verified tokens, per isolate: a client sends the same token with every request until it expires, and checking
// its signature and claims again each time was a steady share of a read's CPU (bench/profile.ts). An entry is
// keyed by the token's SHA-256 and the settings that judged it, and is used only while
// - the clock is before the token's exp and before iat + maxTokenAge (no clock tolerance: an entry expires at
//   the earliest instant verification itself could start refusing the token);
// - the key set that verified it is still the one cached (a refetch, e.g. a rotation, verifies every token
//   again) and still fresh (once stale, the full path runs the key set's refresh policy);
// - clearKeyCaches has not run since.
// A token that fails verification is never stored, so a refused token costs its full check every time.
interface VerifiedEntry {
  identity: VerifiedIdentity;
  notAfterMs: number;
  keySet: RemoteKeySet;
  keySetVersion: number;
}
const MAX_VERIFIED_TOKENS = 1_000;
const verifiedTokens = new Map<string, VerifiedEntry>();
onKeyCachesCleared(() => verifiedTokens.clear());

// Settings are parsed once per isolate (env.ts), so this is one string per settings object.
const settingsKeys = new WeakMap<OidcSettings, string>();
function settingsKey(oidc: OidcSettings, jwksUrl: string): string {
  let key = settingsKeys.get(oidc);
  if (!key) {
    key = JSON.stringify(oidc);
    settingsKeys.set(oidc, key);
  }
  return `${jwksUrl} ${key}`;
}

function remember(key: string, entry: VerifiedEntry): void {
  verifiedTokens.delete(key);
  if (verifiedTokens.size >= MAX_VERIFIED_TOKENS) {
    const oldest = verifiedTokens.keys().next().value;
    if (oldest !== undefined) verifiedTokens.delete(oldest);
  }
  verifiedTokens.set(key, entry);
}

export async function verifyAccessToken(token: string, oidc: OidcSettings): Promise<VerifiedIdentity> {
  const jwksUrl = await jwksUrlFor(oidc);
  const key = `${await sha256Hex(token)} ${settingsKey(oidc, jwksUrl)}`;
  const keySet = keySetFor(jwksUrl);
  const cached = verifiedTokens.get(key);
  if (cached) {
    if (
      Date.now() < cached.notAfterMs &&
      cached.keySet === keySet &&
      cached.keySetVersion === keySet.version &&
      keySet.isFresh(keySetOptions(oidc))
    )
      return cached.identity;
    verifiedTokens.delete(key);
  }
  const keySetVersion = keySet.version;
  const { identity, payload } = await verifyUncached(token, oidc, keySet);
  // Not stored when the keys changed meanwhile: which key set verified it is then unknown.
  if (keySet.version === keySetVersion) {
    const notAfterMs = Math.min(
      Number(payload.exp) * 1000,
      (Number(payload.iat) + oidc.maxTokenAgeSeconds) * 1000,
    );
    if (Number.isFinite(notAfterMs)) remember(key, { identity, notAfterMs, keySet, keySetVersion });
  }
  return identity;
}

async function verifyUncached(
  token: string,
  oidc: OidcSettings,
  keySet: RemoteKeySet,
): Promise<{ identity: VerifiedIdentity; payload: JWTPayload }> {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, keySet.resolver(keySetOptions(oidc)), {
      issuer: oidc.issuer,
      audience: oidc.audience,
      algorithms: oidc.algorithms,
      clockTolerance: oidc.clockToleranceSeconds,
      maxTokenAge: oidc.maxTokenAgeSeconds,
      requiredClaims: ["exp", "iat", "sub", "iss", "aud"],
    }));
  } catch (error) {
    if (error instanceof KeysUnavailableError) throw keysUnavailable(error);
    // jose's message stays out of the answer: it would tell a prober which check failed.
    throw invalidToken();
  }
  const tenantId = tenantFrom(payload, oidc);
  if (!tenantId || typeof payload.sub !== "string" || !payload.sub || payload.sub.length > 255) {
    throw invalidToken();
  }
  const email = typeof payload.email === "string" && payload.email.length <= 320 ? payload.email : undefined;
  return { identity: { subject: payload.sub, tenantId, roles: rolesFrom(payload, oidc), email }, payload };
}
