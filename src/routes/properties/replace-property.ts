import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-types.ts";
import { requireRole } from "../../middleware/auth.ts";
import { refreshCompsIndex } from "../../services/comps-index.ts";
import { type PropertyFields, replaceProperty } from "../../services/properties.ts";
import { afterResponse } from "../after-response.ts";
import { bodyLimit, MAX_PROPERTY_BODY_BYTES } from "../body-limit.ts";
import { problemResponses } from "../problem.ts";
import { IdParamsSchema } from "../validation.ts";
import { withDuplicateLink } from "./links.ts";
import { etagOf, expectedVersions } from "./preconditions.ts";
import {
  BEARER_SECURITY,
  ETAG_HEADER,
  IfMatchHeaderSchema,
  PropertyReplaceSchema,
  PropertySchema,
} from "./schemas.ts";

export const replacePropertyRoute = createRoute({
  method: "put",
  path: "/{id}",
  tags: ["properties"],
  security: BEARER_SECURITY,
  summary: "Replace a property (If-Match required)",
  description: "Absent optional fields become null. The status may only make a legal move.",
  middleware: [requireRole("editor"), bodyLimit(MAX_PROPERTY_BODY_BYTES)] as const,
  request: {
    params: IdParamsSchema,
    headers: IfMatchHeaderSchema,
    body: { required: true, content: { "application/json": { schema: PropertyReplaceSchema } } },
  },
  responses: {
    200: {
      description: "Replaced",
      headers: ETAG_HEADER,
      content: { "application/json": { schema: PropertySchema } },
    },
    ...problemResponses(400, 401, 403, 404, 409, 412, 413, 415, 422, 428, 429, 500, 503, 504),
  },
});

export function registerReplaceProperty(app: OpenAPIHono<AppEnv>) {
  app.openapi(replacePropertyRoute, async (c) => {
    const versions = expectedVersions(c.req.valid("header")["if-match"]);
    const body = c.req.valid("json");
    const fields = Object.fromEntries(
      Object.entries(PropertyReplaceSchema.shape).map(([field]) => [
        field,
        body[field as keyof typeof body] ?? null,
      ]),
    ) as unknown as PropertyFields;
    const property = await withDuplicateLink(() =>
      replaceProperty(c.var.db, c.var.auth.tenantId, c.req.valid("param").id, fields, versions),
    );
    c.header("ETag", etagOf(property.version));
    afterResponse(
      c,
      "comps index not updated",
    )(() => refreshCompsIndex(c.var.settings, c.var.db, c.var.auth.tenantId, { saved: property }));
    return c.json(property, 200);
  });
}
