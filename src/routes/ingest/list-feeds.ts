import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-types.ts";
import { requireRole } from "../../middleware/auth.ts";
import { listFeeds } from "../../services/ingest-feeds.ts";
import { problemResponses } from "../problem.ts";
import { FeedSchema } from "./feed-schema.ts";

export const listFeedsRoute = createRoute({
  method: "get",
  path: "/feeds",
  tags: ["ingest"],
  summary: "The tenant's feed sources (admin)",
  middleware: [requireRole("admin")] as const,
  responses: {
    200: {
      description: "Feeds",
      content: { "application/json": { schema: z.object({ items: z.array(FeedSchema) }) } },
    },
    ...problemResponses(401, 403, 429, 503, 504),
  },
});

export function registerListFeeds(app: OpenAPIHono<AppEnv>) {
  app.openapi(listFeedsRoute, async (c) =>
    c.json({ items: await listFeeds(c.var.db, c.var.auth.tenantId) }, 200),
  );
}
