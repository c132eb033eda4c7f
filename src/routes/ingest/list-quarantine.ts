import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-types.ts";
import { requireRole } from "../../middleware/auth.ts";
import { listQuarantine } from "../../services/ingest-failures.ts";
import { problemResponses } from "../problem.ts";
import { PageQuerySchema, QualityRuleResultSchema, RecordSchema } from "./schemas.ts";

const QuarantinedSchema = z
  .object({
    id: z.uuid(),
    batchId: z.uuid(),
    revision: z.number().int(),
    record: RecordSchema,
    reasons: z.array(
      z.object({
        ruleId: z.string(),
        message: z.string(),
        severity: z.string(),
        observed: z.unknown().optional(),
      }),
    ),
    qualityResults: z.array(QualityRuleResultSchema).nullable(),
    qualitySuiteVersion: z.string().nullable(),
    quarantinedAt: z.string(),
  })
  .openapi("QuarantinedRecord");

export const listQuarantineRoute = createRoute({
  method: "get",
  path: "/quarantine",
  tags: ["ingest"],
  summary: "Records held back by schema or quality rules, with every failed rule (newest first)",
  middleware: [requireRole("viewer")] as const,
  request: {
    query: PageQuerySchema.extend({
      batchId: z
        .uuid()
        .optional()
        .openapi({ param: { name: "batchId", in: "query" } }),
    }),
  },
  responses: {
    200: {
      description: "A page of quarantined records",
      content: {
        "application/json": {
          schema: z.object({ items: z.array(QuarantinedSchema), nextCursor: z.string().nullable() }),
        },
      },
    },
    ...problemResponses(400, 401, 403, 429, 503, 504),
  },
});

export function registerListQuarantine(app: OpenAPIHono<AppEnv>) {
  app.openapi(listQuarantineRoute, async (c) => {
    const query = c.req.valid("query");
    return c.json((await listQuarantine(c.var.db, c.var.auth.tenantId, query)) as never, 200);
  });
}
