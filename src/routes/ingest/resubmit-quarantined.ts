import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-types.ts";
import { requireRole } from "../../middleware/auth.ts";
import { resubmitQuarantined } from "../../services/ingest-failures.ts";
import { problemResponses } from "../problem.ts";
import { IdParamsSchema } from "../validation.ts";
import { acceptResubmission, readCorrections } from "./resubmit.ts";
import { CorrectionsJsonSchema, ResubmittedSchema } from "./schemas.ts";

export const resubmitQuarantinedRoute = createRoute({
  method: "post",
  path: "/quarantine/{id}/resubmit",
  tags: ["ingest"],
  summary: "Send a quarantined record through enrichment again with corrected fields (editor)",
  middleware: [requireRole("editor")] as const,
  request: {
    params: IdParamsSchema,
    body: { required: false, content: { "application/json": { schema: CorrectionsJsonSchema } } },
  },
  responses: {
    202: { description: "Queued again", content: { "application/json": { schema: ResubmittedSchema } } },
    ...problemResponses(400, 401, 403, 404, 413, 415, 422, 429, 503, 504),
  },
});

export function registerResubmitQuarantined(app: OpenAPIHono<AppEnv>) {
  app.openapi(resubmitQuarantinedRoute, async (c) => {
    const corrections = await readCorrections(c);
    const result = await resubmitQuarantined(
      c.var.db,
      c.var.auth.tenantId,
      c.req.valid("param").id,
      corrections,
    );
    return c.json(acceptResubmission(c, result), 202);
  });
}
