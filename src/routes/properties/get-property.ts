import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-types.ts";
import { requireRole } from "../../middleware/auth.ts";
import { getProperty } from "../../services/properties.ts";
import { problemResponses } from "../problem.ts";
import { IdParamsSchema } from "../validation.ts";
import { etagOf } from "./preconditions.ts";
import { BEARER_SECURITY, ETAG_HEADER, PropertySchema } from "./schemas.ts";

export const getPropertyRoute = createRoute({
  method: "get",
  path: "/{id}",
  tags: ["properties"],
  security: BEARER_SECURITY,
  summary: "Get a property (with its ETag)",
  middleware: [requireRole("viewer")] as const,
  request: { params: IdParamsSchema },
  responses: {
    200: {
      description: "The property",
      headers: ETAG_HEADER,
      content: { "application/json": { schema: PropertySchema } },
    },
    ...problemResponses(400, 401, 403, 404, 429, 500, 503, 504),
  },
});

export function registerGetProperty(app: OpenAPIHono<AppEnv>) {
  app.openapi(getPropertyRoute, async (c) => {
    const property = await getProperty(c.var.db, c.var.auth.tenantId, c.req.valid("param").id);
    c.header("ETag", etagOf(property.version));
    c.header("Cache-Control", "private, no-cache");
    return c.json(property, 200);
  });
}
