// Access-token verification with jose against the identity provider's JWKS. Everything jose would accept by
// default but this API must not is pinned here: required exp/iat/sub/iss/aud and tenant claims, an
// asymmetric algorithm allowlist, a maximum token age (which also rejects an iat in the future) and a bounded
// clock tolerance. Keys come only from the configured JWKS: header jwk/jku/x5u are never followed.
import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from "jose";
import type { Settings } from "../env.ts";
import { ApiError } from "../errors.ts";
import { isRole, type Role } from "./roles.ts";

export interface VerifiedIdentity {
  subject: string;
  tenantId: string;
  roles: Role[];
  email: string | undefined;
}

type Jwks = ReturnType<typeof createRemoteJWKSet>;
const jwksCache = new Map<string, Jwks>();

/** One JWKS client per URL per isolate: keys are cached, and an unknown kid refetches at most every 30 s. */
function jwksFor(url: string): Jwks {
  let jwks = jwksCache.get(url);
  if (!jwks) {
    jwks = createRemoteJWKSet(new URL(url), {
      cooldownDuration: 30_000,
      cacheMaxAge: 10 * 60_000,
      timeoutDuration: 3_000,
    });
    jwksCache.set(url, jwks);
  }
  return jwks;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function claimAt(payload: JWTPayload, path: string): unknown {
  return path
    .split(".")
    .reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], payload);
}

function rolesFrom(payload: JWTPayload, oidc: Settings["oidc"]): Role[] {
  const claimed = [claimAt(payload, oidc.rolesClaim)];
  if (oidc.clientId) claimed.push(claimAt(payload, `resource_access.${oidc.clientId}.roles`));
  const roles = claimed.flatMap((value) => (Array.isArray(value) ? value : [])).filter(isRole);
  return [...new Set(roles)];
}

export function invalidToken(
  detail = "The access token is missing, malformed, expired or not trusted.",
): ApiError {
  return new ApiError("unauthorized", {
    detail,
    headers: { "WWW-Authenticate": 'Bearer realm="real-estate-os", error="invalid_token"' },
  });
}

function isJwksUnavailable(error: unknown): boolean {
  // JWKS fetch failures: timeouts, network errors and unusable answers. A token whose kid is not in a freshly
  // fetched set is the caller's problem (401); not being able to fetch the set is ours (503).
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) return true;
  if (error instanceof errors.JOSEError) return false;
  return error instanceof TypeError || (error as { name?: string })?.name === "TimeoutError";
}

export async function verifyAccessToken(token: string, oidc: Settings["oidc"]): Promise<VerifiedIdentity> {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, jwksFor(oidc.jwksUrl), {
      issuer: oidc.issuer,
      audience: oidc.audience,
      algorithms: oidc.algorithms,
      clockTolerance: oidc.clockToleranceSeconds,
      maxTokenAge: oidc.maxTokenAgeSeconds,
      requiredClaims: ["exp", "iat", "sub", "iss", "aud", oidc.tenantClaim],
    }));
  } catch (error) {
    if (isJwksUnavailable(error)) {
      throw new ApiError("service_unavailable", {
        detail: "The identity provider's signing keys cannot be fetched right now.",
        headers: { "Retry-After": "5" },
        cause: error,
      });
    }
    throw invalidToken();
  }
  const tenantId = claimAt(payload, oidc.tenantClaim);
  if (
    typeof tenantId !== "string" ||
    !UUID.test(tenantId) ||
    typeof payload.sub !== "string" ||
    !payload.sub
  ) {
    throw invalidToken();
  }
  const email = typeof payload.email === "string" ? payload.email : undefined;
  return { subject: payload.sub, tenantId: tenantId.toLowerCase(), roles: rolesFrom(payload, oidc), email };
}
