import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-types.ts";
import { requireRole } from "../../middleware/auth.ts";
import { listUsers } from "../../services/users.ts";
import { problemResponses } from "../problem.ts";
import { ListUsersQuerySchema, UserPageSchema } from "./schemas.ts";

const DEFAULT_PAGE_SIZE = 50;

export const listUsersRoute = createRoute({
  method: "get",
  path: "/users",
  tags: ["users"],
  summary: "The users of the caller's tenant, in pages of at most 100 (admin)",
  security: [{ bearerAuth: [] }],
  middleware: [requireRole("admin")] as const,
  request: { query: ListUsersQuerySchema },
  responses: {
    200: { description: "One page of users", content: { "application/json": { schema: UserPageSchema } } },
    ...problemResponses(400, 401, 403, 429, 503, 504),
  },
});

export function registerListUsers(app: OpenAPIHono<AppEnv>) {
  app.openapi(listUsersRoute, async (c) => {
    const query = c.req.valid("query");
    const page = await listUsers(c.var.db, c.var.auth.tenantId, {
      limit: query.limit ?? DEFAULT_PAGE_SIZE,
      cursor: query.cursor,
    });
    c.header("Cache-Control", "private, no-store");
    return c.json(page, 200);
  });
}
