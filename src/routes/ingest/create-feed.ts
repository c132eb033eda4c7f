import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-types.ts";
import { requireRole } from "../../middleware/auth.ts";
import { createFeed, createFeedSchema, parseFeedInput } from "../../services/ingest-feeds.ts";
import { problemResponses } from "../problem.ts";
import { FeedInputJsonSchema, FeedSchema } from "./feed-schema.ts";
import { readJsonBody } from "./schemas.ts";

export const createFeedRoute = createRoute({
  method: "post",
  path: "/feeds",
  tags: ["ingest"],
  summary: "Register a feed source: a CSV URL or a RESO Web API endpoint (admin)",
  middleware: [requireRole("admin")] as const,
  request: {
    body: {
      required: true,
      content: {
        "application/json": { schema: { ...FeedInputJsonSchema, required: ["name", "kind", "url"] } },
      },
    },
  },
  responses: {
    201: { description: "Created", content: { "application/json": { schema: FeedSchema } } },
    ...problemResponses(400, 401, 403, 413, 415, 422, 429, 503, 504),
  },
});

export function registerCreateFeed(app: OpenAPIHono<AppEnv>) {
  app.openapi(createFeedRoute, async (c) => {
    const input = parseFeedInput(createFeedSchema, await readJsonBody(c, 16 * 1024));
    const feed = await createFeed(c.var.db, c.var.auth.tenantId, input);
    c.header("Location", `/api/v1/ingest/feeds/${feed.id}`);
    return c.json(feed, 201);
  });
}
