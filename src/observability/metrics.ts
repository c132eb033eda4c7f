// Typed writers for Workers Analytics Engine. One dataset per environment holds three kinds of points, told
// apart by blob1; the column layout is the contract the operator queries (ops/queries) and docs/metrics.md
// rely on, so a column never changes meaning: add new fields at the end instead.
//
// Analytics Engine samples per index value under load, so index1 is the tenant: a busy tenant is sampled down
// without starving the others, and every query weights rows by _sample_interval.
import type { WideEvent } from "./wide-event.ts";

export const METRIC_KINDS = {
  request: "request",
  pipelineStep: "pipeline_step",
  valuation: "valuation",
} as const;

export const ANONYMOUS_TENANT = "anonymous";

/** Outcomes a pipeline step reports; "dead_lettered" feeds the dead-letter depth alert. */
export type PipelineOutcome = "ok" | "skipped" | "retried" | "quarantined" | "failed" | "dead_lettered";

export interface PipelineStepMetric {
  /** Step name, e.g. "ingest", "normalize", "locate", "hazards", "quality", "upsert", "embed", "valuate". */
  step: string;
  outcome: PipelineOutcome;
  durationMs: number;
  tenantId?: string | undefined;
  /** Records the point stands for (a consumer writes one point per tenant and outcome of a batch); 1 if unset. */
  records?: number | undefined;
}

/** One unit of a step's work: what became of one record (or message) and how long it took. */
export interface PipelineStepRun {
  tenantId?: string | undefined;
  outcome: PipelineOutcome;
  durationMs: number;
  records?: number | undefined;
}

export interface ValuationMetric {
  modelVersion: string;
  /** Model confidence in [0, 1]. */
  confidence: number;
  /** Forecast standard deviation relative to the estimate (FSD), e.g. 0.12 for 12 %. */
  fsd: number;
  latencyMs: number;
  tenantId?: string | undefined;
}

export interface RequestMetricContext {
  /** Deployed version, so a gradual deployment's canary can be compared with the stable version. */
  appVersion?: string | undefined;
}

// Analytics Engine caps blobs at 16 KB per point in total; the values here are short labels, and the cap keeps
// a surprising value from costing the whole point.
const MAX_BLOB_LENGTH = 128;
// The index is limited to 96 bytes; a tenant id is a UUID (36).
const MAX_INDEX_LENGTH = 96;

let reportedFailure = false;

function blob(value: string | undefined): string {
  if (!value) return "";
  return value.length > MAX_BLOB_LENGTH ? value.slice(0, MAX_BLOB_LENGTH) : value;
}

function finite(value: number): number {
  return Number.isFinite(value) ? value : 0;
}

function tenantIndex(tenantId: string | undefined): string {
  return (tenantId || ANONYMOUS_TENANT).slice(0, MAX_INDEX_LENGTH);
}

export function statusClass(status: number): string {
  return status >= 100 && status < 600 ? `${Math.floor(status / 100)}xx` : "unknown";
}

/**
 * Writes one point and never throws: metrics are best effort and must not fail the request, batch or
 * valuation that produced them. The first failure in an isolate is logged; later ones would only repeat it.
 */
function writePoint(dataset: AnalyticsEngineDataset | undefined, point: AnalyticsEngineDataPoint): void {
  if (!dataset) return;
  try {
    dataset.writeDataPoint(point);
  } catch (error) {
    if (reportedFailure) return;
    reportedFailure = true;
    console.warn(
      JSON.stringify({
        level: "warn",
        msg: "analytics engine write failed",
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      }),
    );
  }
}

/**
 * One point per request. blobs: kind, route pattern, method, status class, tenant, colo, error code,
 * app version; doubles: status, duration ms, database ms, database round trips, rate limited (0/1), auth ms.
 */
export function recordRequestMetric(
  dataset: AnalyticsEngineDataset | undefined,
  event: WideEvent,
  context: RequestMetricContext = {},
): void {
  writePoint(dataset, {
    indexes: [tenantIndex(event.tenantId)],
    blobs: [
      METRIC_KINDS.request,
      blob(event.route),
      blob(event.method),
      statusClass(event.status),
      blob(event.tenantId || ANONYMOUS_TENANT),
      blob(event.colo),
      blob(event.errorCode),
      blob(context.appVersion),
    ],
    doubles: [
      finite(event.status),
      finite(event.durationMs),
      finite(event.dbMs),
      finite(event.dbRoundTrips),
      event.rateLimited ? 1 : 0,
      finite(event.authMs ?? 0),
    ],
  });
}

/**
 * One point per pipeline step run. blobs: kind, step, outcome, "", tenant; doubles: 0, duration ms, records.
 */
export function recordPipelineStep(
  dataset: AnalyticsEngineDataset | undefined,
  metric: PipelineStepMetric,
): void {
  writePoint(dataset, {
    indexes: [tenantIndex(metric.tenantId)],
    blobs: [
      METRIC_KINDS.pipelineStep,
      blob(metric.step),
      blob(metric.outcome),
      "",
      blob(metric.tenantId || ANONYMOUS_TENANT),
    ],
    doubles: [0, finite(metric.durationMs), finite(metric.records ?? 1)],
  });
}

/**
 * Writes a step's runs as one point per tenant and outcome, with the number of records and their mean duration.
 * Analytics Engine takes at most 250 points per invocation, so a consumer summarises its batch this way rather
 * than writing a point per record.
 */
export function recordPipelineRuns(
  dataset: AnalyticsEngineDataset | undefined,
  step: string,
  runs: readonly PipelineStepRun[],
): void {
  const groups = new Map<string, { metric: PipelineStepMetric; totalMs: number }>();
  for (const run of runs) {
    const key = `${run.tenantId ?? ""}\u0000${run.outcome}`;
    const group = groups.get(key) ?? {
      metric: { step, outcome: run.outcome, tenantId: run.tenantId, durationMs: 0, records: 0 },
      totalMs: 0,
    };
    const records = run.records ?? 1;
    group.metric.records = (group.metric.records ?? 0) + records;
    group.totalMs += finite(run.durationMs) * records;
    groups.set(key, group);
  }
  for (const { metric, totalMs } of groups.values()) {
    recordPipelineStep(dataset, { ...metric, durationMs: metric.records ? totalMs / metric.records : 0 });
  }
}

/** One point per valuation. blobs: kind, model version, "", "", tenant; doubles: confidence, latency ms, fsd. */
export function recordValuation(dataset: AnalyticsEngineDataset | undefined, metric: ValuationMetric): void {
  writePoint(dataset, {
    indexes: [tenantIndex(metric.tenantId)],
    blobs: [
      METRIC_KINDS.valuation,
      blob(metric.modelVersion),
      "",
      "",
      blob(metric.tenantId || ANONYMOUS_TENANT),
    ],
    doubles: [finite(metric.confidence), finite(metric.latencyMs), finite(metric.fsd)],
  });
}

/** Test seam: lets a test observe the "log once" behaviour from a clean slate. */
export function resetMetricsFailureReport(): void {
  reportedFailure = false;
}
