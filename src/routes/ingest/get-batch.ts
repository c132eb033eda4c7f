import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-types.ts";
import { requireRole } from "../../middleware/auth.ts";
import { getBatchProgress } from "../../services/ingest.ts";
import { problemResponses } from "../problem.ts";
import { IdParamsSchema } from "../validation.ts";

const RulePassRateSchema = z.object({
  ruleId: z.string(),
  /** Records the rule judged; those it could not evaluate (a missing value, no reference) are left out. */
  evaluated: z.number().int(),
  passed: z.number().int(),
  passRate: z.number().nullable(),
});

const BatchSchema = z
  .object({
    id: z.uuid(),
    source: z.enum(["api", "feed", "resubmit"]),
    feedId: z.uuid().nullable(),
    status: z.enum(["running", "completed", "failed"]),
    runId: z.uuid(),
    createdAt: z.string(),
    completedAt: z.string().nullable(),
    counts: z.object({
      received: z.number().int(),
      queued: z.number().int(),
      loaded: z.number().int(),
      quarantined: z.number().int(),
      failed: z.number().int(),
    }),
    progress: z.object({
      /** Records that reached a final state per second since the batch was created; null before the first. */
      recordsPerSecond: z.number().nullable(),
      /** While records are queued: when the rest will be done at that rate. */
      estimatedCompletionAt: z.string().nullable(),
    }),
    quality: z.object({
      suiteVersions: z.array(z.string()),
      evaluated: z.number().int(),
      passed: z.number().int(),
      passRate: z.number().nullable(),
      rules: z.array(RulePassRateSchema),
    }),
  })
  .openapi("IngestBatch");

export const getBatchRoute = createRoute({
  method: "get",
  path: "/batches/{id}",
  tags: ["ingest"],
  summary: "An ingestion batch's progress and quality pass rates",
  middleware: [requireRole("viewer")] as const,
  request: { params: IdParamsSchema },
  responses: {
    200: { description: "The batch", content: { "application/json": { schema: BatchSchema } } },
    ...problemResponses(400, 401, 403, 404, 429, 503, 504),
  },
});

export function registerGetBatch(app: OpenAPIHono<AppEnv>) {
  app.openapi(getBatchRoute, async (c) => {
    const batch = await getBatchProgress(c.var.db, c.var.auth.tenantId, c.req.valid("param").id);
    c.header("Cache-Control", "no-store");
    return c.json(batch, 200);
  });
}
