// Keeps the comps index in step with property writes, after the response is on its way: the write has
// committed, and indexing is idempotent, so a failure only leaves the index stale until `npm run vector:backfill`.
import type { Context } from "hono";
import type { AppEnv } from "../../app.ts";
import type { Property } from "../../services/properties.ts";
import { createVectorIndex, indexProperties } from "../../vector/index.ts";
import { afterResponse } from "../after-response.ts";

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
  afterResponse(c, "comps index not updated")(work);
}
