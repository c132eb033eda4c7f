// Access-token verification with jose against the identity provider's JWKS. Everything jose would accept by
// default but this API must not is pinned here: required exp/iat/sub/iss/aud and tenant claims, an
// asymmetric algorithm allowlist, a maximum token age (which also rejects an iat in the future) and a bounded
// clock tolerance. Keys come only from the configured JWKS (directly or through the discovery document):
// header jwk/jku/x5u are never followed, and unknown `crit` extensions are refused.
import { type JWTPayload, jwtVerify } from "jose";
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

export async function verifyAccessToken(token: string, oidc: OidcSettings): Promise<VerifiedIdentity> {
  const jwksUrl = await jwksUrlFor(oidc);
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, keySetFor(jwksUrl).resolver(keySetOptions(oidc)), {
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
  return { subject: payload.sub, tenantId, roles: rolesFrom(payload, oidc), email };
}
