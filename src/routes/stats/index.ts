import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-types.ts";
import { registerGetStats } from "./get-stats.ts";

export function statsRouter() {
  const router = new OpenAPIHono<AppEnv>();
  registerGetStats(router);
  return router;
}
