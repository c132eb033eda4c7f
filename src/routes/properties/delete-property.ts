import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-types.ts";
import { requireRole } from "../../middleware/auth.ts";
import { refreshCompsIndex } from "../../services/comps-index.ts";
import { deleteProperty } from "../../services/properties.ts";
import { afterResponse } from "../after-response.ts";
import { problemResponses } from "../problem.ts";
import { IdParamsSchema } from "../validation.ts";
import { expectedVersions } from "./preconditions.ts";
import { BEARER_SECURITY, IfMatchHeaderSchema } from "./schemas.ts";

export const deletePropertyRoute = createRoute({
  method: "delete",
  path: "/{id}",
  tags: ["properties"],
  security: BEARER_SECURITY,
  summary: "Delete a property (soft; If-Match required)",
  description: "Afterwards the property is 404 and gone from lists; the changes feed carries a tombstone.",
  middleware: [requireRole("editor")] as const,
  request: { params: IdParamsSchema, headers: IfMatchHeaderSchema },
  responses: {
    204: { description: "Deleted" },
    ...problemResponses(400, 401, 403, 404, 412, 428, 429, 500, 503, 504),
  },
});

export function registerDeleteProperty(app: OpenAPIHono<AppEnv>) {
  app.openapi(deletePropertyRoute, async (c) => {
    const versions = expectedVersions(c.req.valid("header")["if-match"]);
    await deleteProperty(c.var.db, c.var.auth.tenantId, c.req.valid("param").id, versions);
    afterResponse(
      c,
      "comps index not updated",
    )(() =>
      refreshCompsIndex(c.var.settings, c.var.db, c.var.auth.tenantId, {
        deletedId: c.req.valid("param").id,
      }),
    );
    return c.body(null, 204);
  });
}
