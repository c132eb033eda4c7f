// Bearer-token authentication and role checks. The tenant comes only from the verified token.
import type { Context, MiddlewareHandler } from "hono";
import { hasRole, type Role } from "../auth/roles.ts";
import type { VerifiedIdentity } from "../auth/verify-token.ts";
import { invalidToken, verifyAccessToken } from "../auth/verify-token.ts";
import { ApiError } from "../errors.ts";
import { type Caller, lookupCaller, provisionCaller } from "../services/identity.ts";
import { type RateLimitVariables, whenAdmitted } from "./rate-limit.ts";
import type { RequestContextVariables } from "./request-context.ts";

export interface AuthContext {
  tenantId: string;
  subject: string;
  userId: string;
  email: string | undefined;
  roles: Role[];
  /** The tenant's rate-limit plan. */
  plan: string;
}

/** What the tenant rate limit needs, known once the token is verified and the tenant looked up. */
export interface Principal {
  tenantId: string;
  plan: string;
}

export type AuthVariables = {
  auth: AuthContext;
  principal: Principal;
  /** Set instead of `auth` when the caller's user row needs a write first (provisionUser). */
  unprovisioned: VerifiedIdentity;
};

type AuthEnv = {
  Bindings: Env;
  Variables: RequestContextVariables & AuthVariables & Partial<Pick<RateLimitVariables, "admission">>;
};

/** Tokens longer than this are refused before any parsing or signature work. */
export const MAX_AUTHORIZATION_HEADER_BYTES = 8 * 1024;

export const PUBLIC_PATHS: ReadonlySet<string> = new Set(["/api/v1/health"]);

export function authenticate(): MiddlewareHandler<AuthEnv> {
  return async function authenticateMiddleware(c, next) {
    if (PUBLIC_PATHS.has(c.req.path)) return next();
    const started = performance.now();
    const header = c.req.header("authorization");
    if (!header) {
      throw new ApiError("unauthorized", {
        detail: "An access token is required.",
        headers: { "WWW-Authenticate": 'Bearer realm="real-estate-os"' },
      });
    }
    if (header.length > MAX_AUTHORIZATION_HEADER_BYTES)
      throw invalidToken("The Authorization header is too large.");
    // The scheme name is case-insensitive (RFC 9110 section 11.1); the token itself is compact JWS only.
    const token = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/i.exec(header)?.[1];
    if (!token) throw invalidToken("The Authorization header must be `Bearer <JWT>`.");

    const identity = await verifyAccessToken(token, c.var.settings.oidc);
    const found = await lookupCaller(c.var.db, identity);
    c.set("principal", { tenantId: identity.tenantId, plan: found.plan });
    c.var.event.tenantId = identity.tenantId;
    if (found.caller) setCaller(c, identity, found.caller);
    else c.set("unprovisioned", identity);
    c.var.event.authMs = Math.round((performance.now() - started) * 100) / 100;
    await next();
  };
}

function setCaller(c: Context<AuthEnv>, identity: VerifiedIdentity, caller: Caller): void {
  c.set("auth", { ...identity, ...caller });
  c.var.event.userId = caller.userId;
}

/**
 * After the tenant rate limit: writes the caller's user row when authenticate found it new or out of date, once
 * the request is admitted (a read overlapping its rate-limit decision waits for it here), so a refused request
 * has written nothing.
 */
export function provisionUser(): MiddlewareHandler<AuthEnv> {
  return async function provisionUserMiddleware(c, next) {
    const identity = c.var.unprovisioned;
    if (identity) {
      await whenAdmitted(c);
      setCaller(c, identity, await provisionCaller(c.var.db, identity));
    }
    await next();
  };
}

export function requireRole(role: Role): MiddlewareHandler<AuthEnv> {
  return async function requireRoleMiddleware(c, next) {
    if (!hasRole(c.var.auth.roles, role)) {
      throw new ApiError("forbidden", {
        detail: `This operation needs the ${role} role.`,
        extensions: { requiredRole: role },
      });
    }
    await next();
  };
}
