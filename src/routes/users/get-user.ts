import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-types.ts";
import { requireRole } from "../../middleware/auth.ts";
import { getUser } from "../../services/users.ts";
import { problemResponses } from "../problem.ts";
import { IdParamsSchema } from "../validation.ts";
import { UserSchema } from "./schemas.ts";

export const getUserRoute = createRoute({
  method: "get",
  path: "/users/{id}",
  tags: ["users"],
  summary: "One user of the caller's tenant (admin); other tenants' users are not found",
  security: [{ bearerAuth: [] }],
  middleware: [requireRole("admin")] as const,
  request: { params: IdParamsSchema },
  responses: {
    200: { description: "The user", content: { "application/json": { schema: UserSchema } } },
    ...problemResponses(400, 401, 403, 404, 429, 503, 504),
  },
});

export function registerGetUser(app: OpenAPIHono<AppEnv>) {
  app.openapi(getUserRoute, async (c) => {
    const user = await getUser(c.var.db, c.var.auth.tenantId, c.req.valid("param").id);
    c.header("Cache-Control", "private, no-store");
    return c.json(user, 200);
  });
}
