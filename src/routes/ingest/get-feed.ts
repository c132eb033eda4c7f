import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-types.ts";
import { requireRole } from "../../middleware/auth.ts";
import { getFeed } from "../../services/ingest-feeds.ts";
import { problemResponses } from "../problem.ts";
import { IdParamsSchema } from "../validation.ts";
import { FeedSchema } from "./feed-schema.ts";

export const getFeedRoute = createRoute({
  method: "get",
  path: "/feeds/{id}",
  tags: ["ingest"],
  summary: "One feed source with its cursor and last run (admin)",
  middleware: [requireRole("admin")] as const,
  request: { params: IdParamsSchema },
  responses: {
    200: { description: "The feed", content: { "application/json": { schema: FeedSchema } } },
    ...problemResponses(400, 401, 403, 404, 429, 503, 504),
  },
});

export function registerGetFeed(app: OpenAPIHono<AppEnv>) {
  app.openapi(getFeedRoute, async (c) =>
    c.json(await getFeed(c.var.db, c.var.auth.tenantId, c.req.valid("param").id), 200),
  );
}
