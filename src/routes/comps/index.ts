import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-types.ts";
import { registerGetComps } from "./get-comps.ts";

/** Mounted at /api/v1/properties beside the properties router; it owns only /{id}/comps. */
export function compsRouter() {
  const router = new OpenAPIHono<AppEnv>();
  registerGetComps(router);
  return router;
}
