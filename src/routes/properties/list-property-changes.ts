import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-types.ts";
import { requireRole } from "../../middleware/auth.ts";
import { listPropertyChanges } from "../../services/property-changes.ts";
import { PROPERTY_CHANGES_RETENTION_DAYS } from "../../services/retention.ts";
import { problemResponses } from "../problem.ts";
import { DEFAULT_PAGE_SIZE } from "./list-properties.ts";
import { BEARER_SECURITY, ChangesPageSchema, ChangesQuerySchema } from "./schemas.ts";

export const listPropertyChangesRoute = createRoute({
  method: "get",
  path: "/changes",
  tags: ["properties"],
  security: BEARER_SECURITY,
  summary: "Changes feed: creates, updates and deletions (tombstones) to keep a copy in sync",
  description:
    "Start without `since`, then always pass the returned `nextCursor`. Every committed change is delivered " +
    "exactly once in cursor order; changes of still-running transactions wait until those finish, so none is " +
    "ever skipped. Each change carries the property as written and its version; a property's changes come in " +
    "version order, and a copy that applies an entry only when its version is newer stays correct regardless. " +
    `Retention: a change older than ${PROPERTY_CHANGES_RETENTION_DAYS} days is removed once a later change of ` +
    "its property exists, and a tombstone once it is that old; each property's latest change is kept, so the " +
    "feed read from the start always holds every property's current state. A cursor after which a change was " +
    "removed (one not used for longer than that) answers 410 changes_cursor_expired: discard the copy and start " +
    "again without `since`.",
  middleware: [requireRole("viewer")] as const,
  request: { query: ChangesQuerySchema },
  responses: {
    200: {
      description: "Changes after `since`",
      content: { "application/json": { schema: ChangesPageSchema } },
    },
    ...problemResponses(400, 401, 403, 410, 429, 500, 503, 504),
  },
});

export function registerListPropertyChanges(app: OpenAPIHono<AppEnv>) {
  app.openapi(listPropertyChangesRoute, async (c) => {
    const query = c.req.valid("query");
    const page = await listPropertyChanges(c.var.db, c.var.auth.tenantId, {
      limit: query.limit === undefined ? DEFAULT_PAGE_SIZE : Number(query.limit),
      ...(query.since === undefined ? {} : { since: query.since }),
    });
    c.header("Cache-Control", "no-store");
    return c.json(page, 200);
  });
}
