import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-types.ts";
import { PROPERTY_TYPES } from "../../domain/property-types.ts";
import { requireRole } from "../../middleware/auth.ts";
import { servedAvmModel } from "../../services/avm-model.ts";
import { valueAdHocSubject } from "../../services/valuation.ts";
import { bodyLimit, MAX_VALUATION_BODY_BYTES } from "../body-limit.ts";
import { problemResponses } from "../problem.ts";
import { ValuationSchema } from "./schemas.ts";
import { serveValuation } from "./serve.ts";

// The same ranges the properties table checks (migrations/0001), so an ad-hoc subject is one that could be stored.
const ValuationSubjectSchema = z
  .strictObject({
    latitude: z.number().min(-90).max(90),
    longitude: z.number().min(-180).max(180),
    zip: z
      .string()
      .regex(/^[0-9]{5}(-[0-9]{4})?$/)
      .nullable()
      .default(null),
    sqft: z.number().int().positive().max(1_000_000).nullable().default(null),
    lotSize: z.number().int().nonnegative().max(100_000_000).nullable().default(null),
    bedrooms: z.number().int().min(0).max(100).nullable().default(null),
    bathrooms: z.number().min(0).max(100).multipleOf(0.5).nullable().default(null),
    floors: z.number().min(0).max(200).nullable().default(null),
    waterfront: z.boolean().nullable().default(null),
    viewRating: z.number().int().min(0).max(4).nullable().default(null),
    conditionRating: z.number().int().min(1).max(5).nullable().default(null),
    grade: z.number().int().min(1).max(13).nullable().default(null),
    sqftAbove: z.number().int().nonnegative().nullable().default(null),
    sqftBasement: z.number().int().nonnegative().nullable().default(null),
    yearBuilt: z.number().int().min(1600).max(2200).nullable().default(null),
    yearRenovated: z.number().int().min(1600).max(2200).nullable().default(null),
    propertyType: z.enum(PROPERTY_TYPES).nullable().default(null),
  })
  .openapi("ValuationSubject");

export const postValuationRoute = createRoute({
  method: "post",
  path: "/valuations",
  tags: ["valuation"],
  summary:
    "Values a subject described in the body against the tenant's sales (a read: nothing is stored but the log)",
  middleware: [requireRole("viewer"), bodyLimit(MAX_VALUATION_BODY_BYTES)] as const,
  request: {
    body: { required: true, content: { "application/json": { schema: ValuationSubjectSchema } } },
  },
  responses: {
    200: { description: "The valuation", content: { "application/json": { schema: ValuationSchema } } },
    ...problemResponses(400, 401, 403, 413, 415, 422, 429, 503, 504),
  },
});

export function registerPostValuation(app: OpenAPIHono<AppEnv>) {
  app.openapi(postValuationRoute, async (c) => {
    const subject = c.req.valid("json");
    const valuation = await serveValuation(c, (tenantId, after) =>
      valueAdHocSubject(c.var.db, tenantId, subject, servedAvmModel, after),
    );
    return c.json(valuation, 200);
  });
}
