import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-types.ts";
import { requireRole } from "../../middleware/auth.ts";
import { listProperties } from "../../services/properties.ts";
import { problemResponses } from "../problem.ts";
import { listFilters } from "./list-filters.ts";
import { BEARER_SECURITY, ListPropertiesQuerySchema, PropertyPageSchema } from "./schemas.ts";

export const DEFAULT_PAGE_SIZE = 20;

export const listPropertiesRoute = createRoute({
  method: "get",
  path: "/",
  tags: ["properties"],
  security: BEARER_SECURITY,
  summary: "List and search properties",
  description:
    "Filters combine with AND. Keyset pagination: pass `nextCursor` back as `cursor` with the same sort and " +
    "filters; any other use of a cursor is 400 invalid_cursor.",
  middleware: [requireRole("viewer")] as const,
  request: { query: ListPropertiesQuerySchema },
  responses: {
    200: { description: "One page", content: { "application/json": { schema: PropertyPageSchema } } },
    ...problemResponses(400, 401, 403, 429, 500, 503, 504),
  },
});

export function registerListProperties(app: OpenAPIHono<AppEnv>) {
  app.openapi(listPropertiesRoute, async (c) => {
    const query = c.req.valid("query");
    const page = await listProperties(c.var.db, c.var.auth.tenantId, {
      filters: listFilters(query),
      sort: query.sort ?? "newest",
      limit: query.limit === undefined ? DEFAULT_PAGE_SIZE : Number(query.limit),
      ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
    });
    c.header("Cache-Control", "private, no-cache");
    return c.json(page, 200);
  });
}
