// Keeps the comps index in step with property writes, after the response is on its way: the write has
// committed, and indexing is idempotent, so a failure only leaves the index stale until `npm run vector:backfill`.
import type { Context } from "hono";
import type { AppEnv } from "../../app.ts";
import { writeLog } from "../../observability/log.ts";
import type { Property } from "../../services/properties.ts";
import { createVectorIndex, indexProperties } from "../../vector/index.ts";

export function refreshCompsIndex(
  c: Context<AppEnv>,
  change: { saved: Property } | { deletedId: string },
): void {
  const { tenantId } = c.var.auth;
  const index = createVectorIndex(c.var.settings, c.var.db);
  const work =
    "saved" in change
      ? indexProperties(index, tenantId, [change.saved])
      : index.delete(tenantId, [change.deletedId]);
  c.executionCtx.waitUntil(
    work.then(
      () => undefined,
      (error: unknown) =>
        writeLog(c.var.settings.logLevel, "warn", "comps index not updated", {
          requestId: c.var.requestId,
          tenantId,
          error: error instanceof Error ? error.message : String(error),
        }),
    ),
  );
}
