// The interactive API reference (Scalar) at /docs, for /openapi.json. Both are public: authentication guards only
// /api/v1/*. Scalar's browser bundle is served with the Worker's static assets (public/docs/scalar.js, from
// @scalar/api-reference's dist/browser/standalone.js) instead of a CDN, so the page works offline and under a
// strict Content-Security-Policy.
import { OpenAPIHono } from "@hono/zod-openapi";
import { Scalar } from "@scalar/hono-api-reference";
import type { AppEnv } from "../../app-types.ts";

export const SCALAR_BUNDLE_PATH = "/docs/scalar.js";

export function docsRouter() {
  const router = new OpenAPIHono<AppEnv>();
  router.get("/", Scalar({ url: "/openapi.json", cdn: SCALAR_BUNDLE_PATH, pageTitle: "Real Estate OS API" }));
  return router;
}
