// What both valuation routes do around the valuation itself: log it after the response, leave its Analytics
// Engine point, and mark the answer private (clients revalidate; the edge cache keeps it per tenant generation).
import type { Context } from "hono";
import type { AppEnv } from "../../app-types.ts";
import { recordValuation } from "../../observability/metrics.ts";
import type { AfterResponse, ValuationResult } from "../../services/valuation.ts";
import { afterResponse } from "../after-response.ts";

export async function serveValuation(
  c: Context<AppEnv>,
  value: (tenantId: string, afterResponse: AfterResponse) => Promise<ValuationResult>,
): Promise<ValuationResult> {
  const started = performance.now();
  const tenantId = c.var.auth.tenantId;
  const valuation = await value(tenantId, afterResponse(c, "valuation not logged"));
  recordValuation(c.env.METRICS, {
    modelVersion: valuation.modelVersion,
    confidence: valuation.confidence,
    fsd: valuation.fsd,
    latencyMs: performance.now() - started,
    tenantId,
  });
  c.header("Cache-Control", "private, no-cache");
  return valuation;
}
