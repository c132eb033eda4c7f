// The interactive API reference (Scalar) at /docs, for /openapi.json. Both are public: authentication guards only
// /api/v1/*. Scalar's browser bundle is served with the Worker's static assets (public/docs/scalar.js, from
// @scalar/api-reference's dist/browser/standalone.js) instead of a CDN, so the page works offline and under a
// strict Content-Security-Policy: scripts from this origin plus the page's one inline initializer, allowed by
// its hash (computed from the page as rendered, so an upgrade of Scalar cannot silently break or widen it);
// Scalar's runtime styles need 'unsafe-inline' for styles only; the page may not be framed (frame-ancestors).
import { OpenAPIHono } from "@hono/zod-openapi";
import { Scalar } from "@scalar/hono-api-reference";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../../app-types.ts";

export const SCALAR_BUNDLE_PATH = "/docs/scalar.js";

const INLINE_SCRIPT = /<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g;

async function scriptHash(source: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(source)));
  return `'sha256-${btoa(String.fromCharCode(...digest))}'`;
}

export async function docsContentSecurityPolicy(html: string): Promise<string> {
  const hashes = await Promise.all(
    [...html.matchAll(INLINE_SCRIPT)].map((match) => scriptHash(match[1] ?? "")),
  );
  return [
    "default-src 'none'",
    `script-src 'self' ${hashes.join(" ")}`.trim(),
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

function contentSecurityPolicy(): MiddlewareHandler<AppEnv> {
  return async function docsContentSecurityPolicyMiddleware(c, next) {
    await next();
    const html = await c.res.clone().text();
    c.res.headers.set("Content-Security-Policy", await docsContentSecurityPolicy(html));
    c.res.headers.set("X-Frame-Options", "DENY");
    c.res.headers.set("Referrer-Policy", "no-referrer");
  };
}

export function docsRouter() {
  const router = new OpenAPIHono<AppEnv>();
  router.get(
    "/",
    contentSecurityPolicy(),
    Scalar({ url: "/openapi.json", cdn: SCALAR_BUNDLE_PATH, pageTitle: "Real Estate OS API" }),
  );
  return router;
}
