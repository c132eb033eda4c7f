// Work a request must finish but need not answer after: handed to waitUntil, so the response leaves first. Such
// work is idempotent or only bookkeeping; a failure is logged as a warning with the request's id, never thrown.
// It starts only once the request is admitted by its rate limits (a read may run alongside its decision, and a
// refused request must have written nothing); for a refused one it never starts.
import type { Context } from "hono";
import type { AppEnv } from "../app-types.ts";
import { whenAdmitted } from "../middleware/rate-limit.ts";
import { writeLog } from "../observability/log.ts";

/** A function that runs `work` after the response; `failure` is the warning's message if it fails. */
export function afterResponse(c: Context<AppEnv>, failure: string): (work: () => Promise<unknown>) => void {
  return (work) =>
    c.executionCtx.waitUntil(
      whenAdmitted(c).then(
        () =>
          work().then(
            () => undefined,
            (error: unknown) =>
              writeLog(c.var.settings.logLevel, "warn", failure, {
                requestId: c.var.requestId,
                tenantId: c.var.auth.tenantId,
                error: error instanceof Error ? error.message : String(error),
              }),
          ),
        // Refused: the 429 (or 503) is the answer, and nothing is written.
        () => undefined,
      ),
    );
}
