import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-types.ts";
import { requireRole } from "../../middleware/auth.ts";
import { servedAvmModel } from "../../services/avm-model.ts";
import { valueStoredProperty } from "../../services/valuation.ts";
import { problemResponses } from "../problem.ts";
import { IdParamsSchema } from "../validation.ts";
import { ValuationSchema } from "./schemas.ts";
import { serveValuation } from "./serve.ts";

export const getPropertyValuationRoute = createRoute({
  method: "get",
  path: "/properties/{id}/valuation",
  tags: ["valuation"],
  summary: "Automated valuation of a property today: estimate, range, FSD, confidence and the comps used",
  middleware: [requireRole("viewer")] as const,
  request: { params: IdParamsSchema },
  responses: {
    200: { description: "The valuation", content: { "application/json": { schema: ValuationSchema } } },
    ...problemResponses(400, 401, 403, 404, 429, 503, 504),
  },
});

export function registerGetPropertyValuation(app: OpenAPIHono<AppEnv>) {
  app.openapi(getPropertyValuationRoute, async (c) => {
    const { id } = c.req.valid("param");
    const valuation = await serveValuation(c, (tenantId, after) =>
      valueStoredProperty(c.var.db, tenantId, id, servedAvmModel, after),
    );
    return c.json(valuation, 200);
  });
}
