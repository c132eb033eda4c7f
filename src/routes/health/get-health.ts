import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-types.ts";
import { checkHealth } from "../../services/health.ts";
import { problemResponses } from "../problem.ts";

const HealthSchema = z
  .object({
    status: z.literal("ok"),
    version: z.string(),
    database: z.object({ reachable: z.literal(true), latencyMs: z.number().int().nonnegative() }),
  })
  .openapi("Health");

export const getHealthRoute = createRoute({
  method: "get",
  path: "/",
  tags: ["health"],
  summary: "Service version and database reachability (no authentication)",
  responses: {
    200: { description: "Up, database reachable", content: { "application/json": { schema: HealthSchema } } },
    ...problemResponses(429, 503, 504),
  },
});

export function registerGetHealth(app: OpenAPIHono<AppEnv>) {
  app.openapi(getHealthRoute, async (c) => {
    const report = await checkHealth(c.var.db, c.var.settings.appVersion);
    c.header("Cache-Control", "no-store");
    return c.json(report, 200);
  });
}
