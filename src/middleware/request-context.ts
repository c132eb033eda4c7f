// First middleware: request id, settings, the request's database handle and its wide event (one structured log
// line per request, written when the response is ready; with SERVER_TIMING, its timings also go back to the client
// as a Server-Timing field).
import type { MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import { createDatabase, type Database } from "../db/client.ts";
import { loadSettings, type Settings } from "../env.ts";
import { logEnabled, writeLog } from "../observability/log.ts";
import { recordRequestMetric } from "../observability/metrics.ts";
import type { WideEvent } from "../observability/wide-event.ts";

export type RequestContextVariables = {
  requestId: string;
  settings: Settings;
  db: Database;
  event: WideEvent;
};

const INCOMING_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/**
 * The wide event's timings as a Server-Timing field (W3C Server Timing): the whole request in the Worker, its
 * database round trips, token verification and the wait for rate-limit decisions, in milliseconds, and the edge
 * cache's outcome.
 */
function serverTiming(event: WideEvent): string {
  const metrics = [
    `app;dur=${event.durationMs}`,
    `db;dur=${event.dbMs};desc="${event.dbRoundTrips} round trip${event.dbRoundTrips === 1 ? "" : "s"}"`,
  ];
  if (event.authMs !== undefined) metrics.push(`auth;dur=${event.authMs}`);
  if (event.rateLimitMs !== undefined) metrics.push(`ratelimit;dur=${event.rateLimitMs}`);
  if (event.cache !== undefined) metrics.push(`cache;desc="${event.cache}"`);
  return metrics.join(", ");
}

export function requestContext(): MiddlewareHandler<{ Bindings: Env; Variables: RequestContextVariables }> {
  return async function requestContextMiddleware(c, next) {
    const started = performance.now();
    const incoming = c.req.header("x-request-id");
    const requestId = incoming && INCOMING_REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
    const cf = (c.req.raw as { cf?: { colo?: string } }).cf;
    const event: WideEvent = {
      requestId,
      method: c.req.method,
      route: "unmatched",
      status: 0,
      durationMs: 0,
      dbMs: 0,
      dbRoundTrips: 0,
      colo: cf?.colo ?? "local",
    };
    c.set("requestId", requestId);
    c.set("event", event);
    let thrown: unknown;
    let settings: Settings | undefined;
    try {
      settings = loadSettings(c.env);
      c.set("settings", settings);
      c.set(
        "db",
        createDatabase({
          url: settings.databaseUrl,
          timeoutMs: settings.dbTimeoutMs,
          onRoundTrip(durationMs) {
            event.dbMs += durationMs;
            event.dbRoundTrips++;
          },
        }),
      );
      await next();
    } catch (error) {
      // Only this middleware's own set-up can throw here; errors further in were answered by the error handler.
      thrown = error;
      throw error;
    } finally {
      if (thrown) {
        event.status = (thrown as { status?: number }).status ?? 500;
      } else {
        c.res.headers.set("X-Request-Id", requestId);
        event.status = c.res.status;
        const matched = routePath(c, -1);
        if (matched && !matched.endsWith("*")) event.route = matched;
      }
      event.durationMs = Math.round((performance.now() - started) * 100) / 100;
      event.dbMs = Math.round(event.dbMs * 100) / 100;
      if (!thrown && settings?.serverTiming) c.res.headers.set("Server-Timing", serverTiming(event));
      const level = event.status >= 500 ? "error" : "info";
      // The event is copied only for a line that is written.
      if (logEnabled(settings?.logLevel ?? "info", level))
        writeLog(settings?.logLevel ?? "info", level, "request", { ...event });
      recordRequestMetric(c.env.METRICS, event, { appVersion: c.env.APP_VERSION });
    }
  };
}
