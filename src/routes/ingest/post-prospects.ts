import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-types.ts";
import { requireRole } from "../../middleware/auth.ts";
import {
  ingestProspects,
  MAX_INTAKE_BYTES,
  MAX_INTAKE_RECORDS,
  parseIntakeBody,
} from "../../services/ingest.ts";
import { publishTenantPending } from "../../services/outbox.ts";
import { defaultPipelineDependencies } from "../../services/pipeline-dependencies.ts";
import { problemResponses } from "../problem.ts";
import { RecordJsonSchema, readBodyText } from "./schemas.ts";

const AcceptedSchema = z
  .object({
    batchId: z.uuid(),
    runId: z.uuid(),
    received: z.number().int(),
    status: z.literal("running"),
    createdAt: z.string(),
    links: z.object({ batch: z.string() }),
  })
  .openapi("IngestAccepted");

export const postProspectsRoute = createRoute({
  method: "post",
  path: "/",
  tags: ["ingest"],
  summary: `Submit up to ${MAX_INTAKE_RECORDS} prospect records for enrichment (editor)`,
  description:
    "A JSON array of records, or text/csv with a header row of record field names. Records are stored before " +
    "anything is queued; progress is at the batch link.",
  middleware: [requireRole("editor")] as const,
  request: {
    body: {
      required: true,
      content: {
        "application/json": {
          schema: { type: "array" as const, maxItems: MAX_INTAKE_RECORDS, items: RecordJsonSchema },
        },
        "text/csv": { schema: { type: "string" as const } },
      },
    },
  },
  responses: {
    202: {
      description: "Stored; enrichment follows",
      content: { "application/json": { schema: AcceptedSchema } },
    },
    ...problemResponses(400, 401, 403, 413, 415, 422, 429, 503, 504),
  },
});

export function registerPostProspects(app: OpenAPIHono<AppEnv>) {
  app.openapi(postProspectsRoute, async (c) => {
    const body = await readBodyText(c, MAX_INTAKE_BYTES);
    const deps = defaultPipelineDependencies();
    const records = parseIntakeBody(c.req.header("content-type") ?? "", body, deps.csv);
    const { tenantId, userId } = c.var.auth;
    const result = await ingestProspects(c.var.db, { tenantId, userId }, records);
    // Best effort after the response: the records are already durable, and the cron sends whatever this misses.
    c.executionCtx.waitUntil(
      publishTenantPending(c.var.db, tenantId, c.env.ENRICHMENT, {
        batchId: result.batchId,
        maxChunks: Math.ceil(records.length / 100),
        deadline: Date.now() + 20_000,
      }).catch(() => undefined),
    );
    const location = `/api/v1/ingest/batches/${result.batchId}`;
    c.header("Location", location);
    return c.json({ ...result, status: "running" as const, links: { batch: location } }, 202);
  });
}
