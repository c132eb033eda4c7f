// Schemas shared by the comps and valuation operations.
import { z } from "@hono/zod-openapi";

const AdjustmentsSchema = z
  .object({
    time: z.number(),
    size: z.number(),
    rooms: z.number(),
    ageConditionGrade: z.number(),
    viewWaterfront: z.number(),
    lot: z.number(),
  })
  .openapi("CompAdjustments", {
    description: "Dollar adjustments bringing the sale price to the subject today",
  });

export const CompSchema = z
  .object({
    propertyId: z.uuid(),
    address: z.string(),
    city: z.string().nullable(),
    zip: z.string().nullable(),
    closingPrice: z.number(),
    closingDate: z.string(),
    similarity: z
      .number()
      .openapi({ description: "Cosine similarity of the property feature vectors, -1..1" }),
    distanceKm: z.number(),
    ageDays: z.number().int(),
    adjustments: AdjustmentsSchema,
    adjustedPrice: z.number(),
    grossAdjustmentRatio: z.number(),
    weight: z.number(),
    sqft: z.number().nullable(),
    bedrooms: z.number().nullable(),
    bathrooms: z.number().nullable(),
    yearBuilt: z.number().nullable(),
    grade: z.number().nullable(),
  })
  .openapi("Comp");

export const ValuationSchema = z
  .object({
    propertyId: z.uuid().nullable(),
    asOfDate: z.string(),
    estimate: z.number(),
    low: z.number(),
    high: z.number(),
    fsd: z.number().openapi({ description: "Forecast standard deviation as a fraction of the estimate" }),
    confidence: z.number().openapi({ description: "clip(1 - 2 FSD, 0, 1)" }),
    confidenceBand: z.enum(["high", "medium", "low"]),
    modelVersion: z.string(),
    method: z.string(),
    compsUsed: z.number().int(),
    missingAttributes: z.array(z.string()),
    comps: z.array(CompSchema),
  })
  .openapi("Valuation");
