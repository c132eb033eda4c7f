import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-types.ts";
import { requireRole } from "../../middleware/auth.ts";
import { listFailures } from "../../services/ingest-failures.ts";
import { problemResponses } from "../problem.ts";
import { PageQuerySchema, RecordSchema } from "./schemas.ts";

const FailureSchema = z
  .object({
    id: z.uuid(),
    prospectId: z.uuid(),
    batchId: z.uuid(),
    idempotencyKey: z.string(),
    reason: z.string(),
    error: z.string().nullable(),
    attempts: z.number().int(),
    status: z.enum(["open", "resubmitted"]),
    record: RecordSchema,
    createdAt: z.string(),
    resubmittedAt: z.string().nullable(),
  })
  .openapi("IngestFailure");

export const listFailuresRoute = createRoute({
  method: "get",
  path: "/failures",
  tags: ["ingest"],
  summary: "Records whose enrichment failed after its retries (newest first)",
  middleware: [requireRole("viewer")] as const,
  request: {
    query: PageQuerySchema.extend({
      status: z
        .enum(["open", "resubmitted"])
        .optional()
        .openapi({ param: { name: "status", in: "query" } }),
    }),
  },
  responses: {
    200: {
      description: "A page of failures",
      content: {
        "application/json": {
          schema: z.object({ items: z.array(FailureSchema), nextCursor: z.string().nullable() }),
        },
      },
    },
    ...problemResponses(400, 401, 403, 429, 503, 504),
  },
});

export function registerListFailures(app: OpenAPIHono<AppEnv>) {
  app.openapi(listFailuresRoute, async (c) => {
    const query = c.req.valid("query");
    return c.json(await listFailures(c.var.db, c.var.auth.tenantId, query), 200);
  });
}
