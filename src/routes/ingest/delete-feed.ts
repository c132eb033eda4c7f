import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-types.ts";
import { requireRole } from "../../middleware/auth.ts";
import { deleteFeed } from "../../services/ingest-feeds.ts";
import { problemResponses } from "../problem.ts";
import { IdParamsSchema } from "../validation.ts";

export const deleteFeedRoute = createRoute({
  method: "delete",
  path: "/feeds/{id}",
  tags: ["ingest"],
  summary: "Remove a feed source; its batches and records stay (admin)",
  middleware: [requireRole("admin")] as const,
  request: { params: IdParamsSchema },
  responses: {
    204: { description: "Deleted" },
    ...problemResponses(400, 401, 403, 404, 429, 503, 504),
  },
});

export function registerDeleteFeed(app: OpenAPIHono<AppEnv>) {
  app.openapi(deleteFeedRoute, async (c) => {
    await deleteFeed(c.var.db, c.var.auth.tenantId, c.req.valid("param").id);
    return c.body(null, 204);
  });
}
