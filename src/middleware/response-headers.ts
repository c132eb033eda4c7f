// Headers every response carries, errors included (this runs outermost, so it also sees the problem responses of
// the error handler): X-Content-Type-Options: nosniff everywhere, and on authenticated routes (/api/v1, /reso) a
// Cache-Control that keeps tenant data out of shared caches (private, no-store) unless the route chose its own
// private policy. /docs sets its own Content-Security-Policy (routes/docs).
import type { MiddlewareHandler } from "hono";
import { PUBLIC_PATHS } from "./auth.ts";

export const TENANT_CACHE_CONTROL = "private, no-store";

export function responseHeaders(): MiddlewareHandler {
  return async function responseHeadersMiddleware(c, next) {
    await next();
    c.res.headers.set("X-Content-Type-Options", "nosniff");
    const tenantRoute =
      (c.req.path.startsWith("/api/v1/") || c.req.path.startsWith("/reso/")) && !PUBLIC_PATHS.has(c.req.path);
    if (tenantRoute && !/\b(private|no-store)\b/.test(c.res.headers.get("cache-control") ?? "")) {
      c.res.headers.set("Cache-Control", TENANT_CACHE_CONTROL);
    }
  };
}

interface RouteEntry {
  method: string;
  path: string;
}

/**
 * The methods the app's routes answer at `path` (HEAD with GET), for a 405's Allow; empty when none match. Where
 * a literal route and a parameter route both match (/properties/changes and /properties/{id}), the most literal
 * one names the resource.
 */
export function allowedMethods(routes: readonly RouteEntry[], path: string): string[] {
  let best = -1;
  let methods = new Set<string>();
  for (const route of routes) {
    if (route.method === "ALL") continue;
    const segments = route.path.split("/");
    const pattern = segments
      .map((segment) =>
        segment.startsWith(":")
          ? // A parameter with a pattern (`:entity{Property\(.*\)}`) matches only that pattern.
            segment.includes("{")
            ? `(?:${segment.slice(segment.indexOf("{") + 1, -1)})`
            : "[^/]+"
          : segment === "*"
            ? ".*"
            : segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"),
      )
      .join("/");
    if (!new RegExp(`^${pattern}$`).test(path)) continue;
    const literal = segments.filter((segment) => !segment.startsWith(":") && segment !== "*").length;
    if (literal > best) {
      best = literal;
      methods = new Set();
    }
    if (literal === best) methods.add(route.method.toUpperCase());
  }
  if (methods.has("GET")) methods.add("HEAD");
  return [...methods].sort();
}
