import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-types.ts";
import { requireRole } from "../../middleware/auth.ts";
import { getCurrentUser } from "../../services/users.ts";
import { problemResponses } from "../problem.ts";
import { CurrentUserSchema } from "./schemas.ts";

export const getMeRoute = createRoute({
  method: "get",
  path: "/me",
  tags: ["users"],
  summary: "The caller: user id, email, tenant and the roles this token grants",
  security: [{ bearerAuth: [] }],
  middleware: [requireRole("viewer")] as const,
  responses: {
    200: { description: "The caller", content: { "application/json": { schema: CurrentUserSchema } } },
    ...problemResponses(401, 403, 429, 503, 504),
  },
});

export function registerGetMe(app: OpenAPIHono<AppEnv>) {
  app.openapi(getMeRoute, async (c) => {
    const { tenantId, userId, roles } = c.var.auth;
    const me = await getCurrentUser(c.var.db, { tenantId, userId, roles });
    c.header("Cache-Control", "private, no-store");
    return c.json(me, 200);
  });
}
