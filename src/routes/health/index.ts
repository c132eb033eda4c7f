import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-types.ts";
import { registerGetHealth } from "./get-health.ts";

export function healthRouter() {
  const router = new OpenAPIHono<AppEnv>();
  registerGetHealth(router);
  return router;
}
