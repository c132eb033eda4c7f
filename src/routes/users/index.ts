import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-types.ts";
import { registerGetMe } from "./get-me.ts";
import { registerGetUser } from "./get-user.ts";
import { registerListUsers } from "./list-users.ts";
import { registerUpdateUser } from "./update-user.ts";

export function usersRouter() {
  const router = new OpenAPIHono<AppEnv>();
  // Merged into the app's document by app.route(); the operations here name it in `security`.
  router.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
  });
  registerGetMe(router);
  registerListUsers(router);
  registerGetUser(router);
  registerUpdateUser(router);
  return router;
}
