import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-types.ts";
import { requireRole } from "../../middleware/auth.ts";
import { findComps } from "../../services/comps.ts";
import { createVectorIndex } from "../../vector/index.ts";
import { problemResponses } from "../problem.ts";
import { IdParamsSchema } from "../validation.ts";
import { CompSchema } from "../valuation/schemas.ts";

const CompsQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(25).default(8).openapi({ example: 8 }),
  radiusKm: z.coerce.number().positive().max(25).default(1.5).openapi({ example: 1.5 }),
  soldWithinDays: z.coerce.number().int().min(1).max(10_950).default(365).openapi({ example: 365 }),
});

const CompsResponseSchema = z
  .object({
    subject: z.object({
      id: z.uuid(),
      address: z.string(),
      latitude: z.number().nullable(),
      longitude: z.number().nullable(),
    }),
    asOfDate: z.string(),
    estimate: z.number().nullable().openapi({ description: "Adjusted-comps estimate, null without comps" }),
    comps: z.array(CompSchema),
  })
  .openapi("CompsResult");

export const getCompsRoute = createRoute({
  method: "get",
  path: "/{id}/comps",
  tags: ["comps"],
  summary: "Similar sold properties of the same tenant near a property, with valuer adjustments",
  middleware: [requireRole("viewer")] as const,
  request: { params: IdParamsSchema, query: CompsQuerySchema },
  responses: {
    200: {
      description: "Comparable sales, best first",
      content: { "application/json": { schema: CompsResponseSchema } },
    },
    ...problemResponses(400, 401, 403, 404, 429, 503, 504),
  },
});

export function registerGetComps(app: OpenAPIHono<AppEnv>) {
  app.openapi(getCompsRoute, async (c) => {
    const { id } = c.req.valid("param");
    const query = c.req.valid("query");
    const { settings, db } = c.var;
    const index = settings.vector.comps === "vector" ? createVectorIndex(settings, db) : undefined;
    const result = await findComps(db, c.var.auth.tenantId, id, query, new Date(), index);
    c.header("Cache-Control", "private, no-cache");
    return c.json(result, 200);
  });
}
