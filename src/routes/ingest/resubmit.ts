// The part both resubmit operations share: the corrections body and publishing the record after the response.
import type { Context } from "hono";
import { z } from "zod";
import type { AppEnv } from "../../app-types.ts";
import type { RawRecord } from "../../domain/pipeline/contracts.ts";
import { ApiError, fieldIssues } from "../../errors.ts";
import { rawRecordSchema } from "../../services/ingest.ts";
import type { Resubmitted } from "../../services/ingest-failures.ts";
import { publishTenantPending } from "../../services/outbox.ts";
import { readJsonBody } from "./schemas.ts";

const correctionsBodySchema = z.object({ fields: rawRecordSchema.optional() }).strict();

/** `{ "fields": { ...corrected record fields } }`, or no body to resubmit the record unchanged. */
export async function readCorrections(c: Context<AppEnv>): Promise<RawRecord> {
  const parsed = correctionsBodySchema.safeParse(await readJsonBody(c, 64 * 1024, true));
  if (!parsed.success) {
    throw new ApiError("validation_failed", {
      detail: "Invalid corrections.",
      errors: fieldIssues(parsed.error),
    });
  }
  return parsed.data.fields ?? {};
}

export function acceptResubmission(c: Context<AppEnv>, result: Resubmitted) {
  c.executionCtx.waitUntil(
    publishTenantPending(c.var.db, c.var.auth.tenantId, c.env.ENRICHMENT, {
      batchId: result.batchId,
      maxChunks: 1,
      deadline: Date.now() + 10_000,
    }).catch(() => undefined),
  );
  const batch = `/api/v1/ingest/batches/${result.batchId}`;
  return { ...result, links: { batch } };
}
