// A stand-in for the auth middleware (written separately) around the real limiters, in app.ts's order: a token
// "good:<tenantId>:<plan>" authenticates, anything else is a 401, and /api/v1/public skips authentication.
import { Hono, type MiddlewareHandler } from "hono";
import { ApiError } from "../../src/errors.ts";
import { handleError, handleNotFound } from "../../src/middleware/errors.ts";
import { ipRateLimit, type RateLimitedPrincipal, tenantRateLimit } from "../../src/middleware/rate-limit.ts";
import { type RequestContextVariables, requestContext } from "../../src/middleware/request-context.ts";

export function appWithStandInAuth() {
  const verifiedTokens: string[] = [];
  const standInAuth: MiddlewareHandler<{ Bindings: Env; Variables: { auth?: RateLimitedPrincipal } }> =
    async function standInAuthMiddleware(c, next) {
      if (c.req.path === "/api/v1/public") return next();
      const token = c.req.header("authorization")?.replace(/^Bearer /, "") ?? "";
      verifiedTokens.push(token);
      const [verdict, tenantId, plan] = token.split(":");
      if (verdict !== "good" || !tenantId || !plan) throw new ApiError("unauthorized");
      c.set("auth", { tenantId, plan });
      return next();
    };
  const app = new Hono<{ Bindings: Env; Variables: RequestContextVariables }>();
  app.onError(handleError);
  app.notFound(handleNotFound);
  app.use("*", requestContext());
  app.use("*", ipRateLimit());
  app.use("/api/v1/*", standInAuth);
  app.use("*", tenantRateLimit());
  app.get("/api/v1/public", (c) => c.json({ ok: true }));
  app.get("/api/v1/things", (c) => c.json({ ok: true }));
  app.post("/api/v1/things", (c) => c.json({ ok: true }, 201));
  app.post("/api/v1/things/bulk", (c) => c.json({ ok: true }, 202));
  app.get("/api/v1/invalid", () => {
    throw new ApiError("validation_failed");
  });
  return { app, verifiedTokens };
}

export function bearer(token: string, ip: string, method = "GET") {
  return { method, headers: { Authorization: `Bearer ${token}`, "CF-Connecting-IP": ip } };
}

export const tenantToken = (plan = "standard") => `good:${crypto.randomUUID()}:${plan}`;
