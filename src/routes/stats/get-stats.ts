import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-types.ts";
import { requireRole } from "../../middleware/auth.ts";
import { getPortfolioStats } from "../../services/stats.ts";
import { problemResponses } from "../problem.ts";

const count = z.number().int().nonnegative();
const money = z.number().nonnegative().nullable();

const StatsSchema = z
  .object({
    properties: z.object({
      total: count,
      byStatus: z.object({ active: count, pending: count, sold: count, offMarket: count }),
      byType: z.record(z.string(), count),
      addedLast7Days: count,
      addedLast30Days: count,
    }),
    prices: z.object({
      medianListPrice: money,
      averageListPrice: money,
      medianListPricePerSqft: money,
      soldLast90Days: count,
      medianSalePriceLast90Days: money,
    }),
    generatedAt: z.string().datetime(),
  })
  .openapi("PortfolioStats");

export const getStatsRoute = createRoute({
  method: "get",
  path: "/",
  tags: ["stats"],
  summary: "Business metrics of the caller's tenant: property counts and list and sale prices",
  middleware: [requireRole("viewer")] as const,
  responses: {
    200: {
      description: "The tenant's portfolio figures",
      content: { "application/json": { schema: StatsSchema } },
    },
    ...problemResponses(401, 403, 429, 503, 504),
  },
});

export function registerGetStats(app: OpenAPIHono<AppEnv>) {
  app.openapi(getStatsRoute, async (c) => {
    const stats = await getPortfolioStats(c.var.db, c.var.auth.tenantId);
    // Aggregates over the whole portfolio: a minute of staleness is fine and spares repeated dashboard loads.
    c.header("Cache-Control", "private, max-age=60");
    return c.json(stats, 200);
  });
}
