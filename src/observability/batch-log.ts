// One wide-event log line per queue batch, the counterpart of the request middleware's one line per request:
// a consumer gathers its counts while it works and logs them once, after it has acked or retried every message.
import { type LogLevel, writeLog } from "./log.ts";

export interface BatchEvent {
  /** Queue name as delivered (batch.queue), e.g. "enrichment-production". */
  queue: string;
  messages: number;
  acked: number;
  retried: number;
  durationMs: number;
  /** Messages that ended in the quarantine or failure table rather than being retried. */
  quarantined?: number;
  deadLettered?: number;
  /** Number of distinct tenants in the batch (ids themselves are fine too, see `fields`). */
  tenants?: number;
  /** Highest delivery attempt seen in the batch. */
  maxAttempts?: number;
  /** Counts per error code, e.g. { geocode_miss: 2 }. */
  errorCodes?: Record<string, number>;
  /** Further flat fields; keys that look like credentials or personal data are dropped. */
  fields?: Record<string, string | number | boolean | undefined>;
}

// A batch line must never carry a credential or a person's data, whatever a caller passes in `fields`.
const FORBIDDEN_FIELD = /token|secret|password|authorization|cookie|api_?key|email|phone|address|owner/i;

export function batchEventLine(event: BatchEvent): Record<string, unknown> {
  const { fields, ...counts } = event;
  const safeFields = Object.fromEntries(
    Object.entries(fields ?? {}).filter(([key, value]) => value !== undefined && !FORBIDDEN_FIELD.test(key)),
  );
  const troubled =
    event.retried > 0 || (event.deadLettered ?? 0) > 0 || event.acked + event.retried < event.messages;
  return {
    ...safeFields,
    level: troubled ? "warn" : "info",
    msg: "queue batch",
    ...counts,
    durationMs: Math.round(event.durationMs * 100) / 100,
  };
}

/** Logs the batch's one JSON line, subject to the LOG_LEVEL setting. */
export function logBatchEvent(threshold: LogLevel, event: BatchEvent): void {
  const { level, msg, ...fields } = batchEventLine(event) as { level: LogLevel; msg: string };
  writeLog(threshold, level, msg, fields);
}
