import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-types.ts";
import { requireRole } from "../../middleware/auth.ts";
import { getUser, setUserStatus } from "../../services/users.ts";
import { bodyLimit, MAX_USER_BODY_BYTES } from "../body-limit.ts";
import { problemResponses } from "../problem.ts";
import { IdParamsSchema } from "../validation.ts";
import { UserSchema } from "./schemas.ts";

const UserUpdateSchema = z
  .strictObject({
    status: z.enum(["active", "disabled"]).optional().openapi({
      description:
        "disabled: every token of this user is refused with 403 (within a minute everywhere); absent: no change",
    }),
  })
  .openapi("UserUpdate");

export const updateUserRoute = createRoute({
  method: "patch",
  path: "/users/{id}",
  tags: ["users"],
  summary: "Deactivate or reactivate a user of the caller's tenant (admin)",
  description:
    "Roles come from the identity provider in each token and are changed there; this changes whether the user " +
    "may use the API at all. An admin cannot deactivate themselves (409).",
  security: [{ bearerAuth: [] }],
  middleware: [requireRole("admin"), bodyLimit(MAX_USER_BODY_BYTES)] as const,
  request: {
    params: IdParamsSchema,
    body: { required: true, content: { "application/json": { schema: UserUpdateSchema } } },
  },
  responses: {
    200: { description: "The user as changed", content: { "application/json": { schema: UserSchema } } },
    ...problemResponses(400, 401, 403, 404, 409, 413, 415, 422, 429, 503, 504),
  },
});

export function registerUpdateUser(app: OpenAPIHono<AppEnv>) {
  app.openapi(updateUserRoute, async (c) => {
    const { tenantId, userId } = c.var.auth;
    const { id } = c.req.valid("param");
    const { status } = c.req.valid("json");
    const user =
      status === undefined
        ? await getUser(c.var.db, tenantId, id)
        : await setUserStatus(c.var.db, { tenantId, userId }, id, status);
    c.header("Cache-Control", "private, no-store");
    return c.json(user, 200);
  });
}
