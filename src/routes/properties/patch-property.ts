import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-types.ts";
import { requireRole } from "../../middleware/auth.ts";
import { refreshCompsIndex } from "../../services/comps-index.ts";
import { type PropertyFields, patchProperty } from "../../services/properties.ts";
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
  PropertyPatchSchema,
  PropertySchema,
} from "./schemas.ts";

export const patchPropertyRoute = createRoute({
  method: "patch",
  path: "/{id}",
  tags: ["properties"],
  security: BEARER_SECURITY,
  summary: "Change some fields (JSON merge patch, If-Match required)",
  middleware: [requireRole("editor"), bodyLimit(MAX_PROPERTY_BODY_BYTES)] as const,
  request: {
    params: IdParamsSchema,
    headers: IfMatchHeaderSchema,
    body: {
      required: true,
      content: {
        "application/merge-patch+json": { schema: PropertyPatchSchema },
        "application/json": { schema: PropertyPatchSchema },
      },
    },
  },
  responses: {
    200: {
      description: "Patched",
      headers: ETAG_HEADER,
      content: { "application/json": { schema: PropertySchema } },
    },
    ...problemResponses(400, 401, 403, 404, 409, 412, 413, 415, 422, 428, 429, 500, 503, 504),
  },
});

export function registerPatchProperty(app: OpenAPIHono<AppEnv>) {
  app.openapi(patchPropertyRoute, async (c) => {
    const versions = expectedVersions(c.req.valid("header")["if-match"]);
    const patch = c.req.valid("json") as Partial<PropertyFields>;
    const property = await withDuplicateLink(() =>
      patchProperty(c.var.db, c.var.auth.tenantId, c.req.valid("param").id, patch, versions),
    );
    c.header("ETag", etagOf(property.version));
    afterResponse(
      c,
      "comps index not updated",
    )(() => refreshCompsIndex(c.var.settings, c.var.db, c.var.auth.tenantId, { saved: property }));
    return c.json(property, 200);
  });
}
