import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-types.ts";
import { requireRole } from "../../middleware/auth.ts";
import { parseFeedInput, updateFeed, updateFeedSchema } from "../../services/ingest-feeds.ts";
import { problemResponses } from "../problem.ts";
import { IdParamsSchema } from "../validation.ts";
import { FeedInputJsonSchema, FeedSchema } from "./feed-schema.ts";
import { readJsonBody } from "./schemas.ts";

export const updateFeedRoute = createRoute({
  method: "patch",
  path: "/feeds/{id}",
  tags: ["ingest"],
  summary: "Change a feed source; a new URL or kind restarts its cursor (admin)",
  middleware: [requireRole("admin")] as const,
  request: {
    params: IdParamsSchema,
    body: { required: true, content: { "application/json": { schema: FeedInputJsonSchema } } },
  },
  responses: {
    200: { description: "Updated", content: { "application/json": { schema: FeedSchema } } },
    ...problemResponses(400, 401, 403, 404, 413, 415, 422, 429, 503, 504),
  },
});

export function registerUpdateFeed(app: OpenAPIHono<AppEnv>) {
  app.openapi(updateFeedRoute, async (c) => {
    const input = parseFeedInput(updateFeedSchema, await readJsonBody(c, 16 * 1024));
    return c.json(await updateFeed(c.var.db, c.var.auth.tenantId, c.req.valid("param").id, input), 200);
  });
}
