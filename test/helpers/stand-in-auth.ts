// A stand-in for the auth middleware around the real limiters, in app.ts's order, so the limiters' behaviour can be
// tested without minting tokens: "good:<tenantId>:<plan>" authenticates, anything else is a 401, and
// /api/v1/public skips authentication.
import { Hono, type MiddlewareHandler } from "hono";
import type { AppEnv } from "../../src/app-types.ts";
import { ApiError } from "../../src/errors.ts";
import { handleError, handleNotFound } from "../../src/middleware/errors.ts";
import { ipRateLimit, tenantRateLimit } from "../../src/middleware/rate-limit.ts";
import { requestContext } from "../../src/middleware/request-context.ts";

export function appWithStandInAuth() {
  const verifiedTokens: string[] = [];
  const standInAuth: MiddlewareHandler<AppEnv> = async function standInAuthMiddleware(c, next) {
    if (c.req.path === "/api/v1/public") return next();
    const token = c.req.header("authorization")?.replace(/^Bearer /, "") ?? "";
    verifiedTokens.push(token);
    const [verdict, tenantId, plan] = token.split(":");
    if (verdict !== "good" || !tenantId || !plan) throw new ApiError("unauthorized");
    c.set("principal", { tenantId, plan });
    c.set("auth", { tenantId, plan, subject: "stand-in", userId: "stand-in", email: undefined, roles: [] });
    return next();
  };
  const app = new Hono<AppEnv>();
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
