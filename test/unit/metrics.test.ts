import { afterEach, describe, expect, it, vi } from "vitest";
import {
  recordPipelineRuns,
  recordPipelineStep,
  recordRequestMetric,
  recordValuation,
  resetMetricsFailureReport,
  statusClass,
} from "../../src/observability/metrics.ts";
import type { WideEvent } from "../../src/observability/wide-event.ts";

function fakeDataset() {
  const writeDataPoint = vi.fn<(point?: AnalyticsEngineDataPoint) => void>();
  return { dataset: { writeDataPoint } satisfies AnalyticsEngineDataset, writeDataPoint };
}

const tenantId = "5b0c8f0e-2f7e-4d55-9a53-0c6a1f3e9b11";

function requestEvent(overrides: Partial<WideEvent> = {}): WideEvent {
  return {
    requestId: "req-00000001",
    method: "GET",
    route: "/api/v1/properties/:id",
    status: 200,
    durationMs: 12.5,
    dbMs: 4.25,
    dbRoundTrips: 1,
    colo: "SEA",
    ...overrides,
  };
}

afterEach(() => {
  vi.restoreAllMocks();
  resetMetricsFailureReport();
});

describe("recordRequestMetric", () => {
  it("writes the documented columns, indexed by tenant", () => {
    const { dataset, writeDataPoint } = fakeDataset();
    recordRequestMetric(
      dataset,
      requestEvent({ tenantId, rateLimited: true, status: 429, errorCode: "rate_limited", authMs: 2.5 }),
      {
        appVersion: "1.4.0",
      },
    );
    expect(writeDataPoint).toHaveBeenCalledOnce();
    expect(writeDataPoint.mock.calls[0]?.[0]).toEqual({
      indexes: [tenantId],
      blobs: ["request", "/api/v1/properties/:id", "GET", "4xx", tenantId, "SEA", "rate_limited", "1.4.0"],
      doubles: [429, 12.5, 4.25, 1, 1, 2.5],
    });
  });

  it("indexes unauthenticated requests as anonymous and leaves unknown labels empty", () => {
    const { dataset, writeDataPoint } = fakeDataset();
    recordRequestMetric(dataset, requestEvent({ route: "unmatched", status: 404 }));
    expect(writeDataPoint.mock.calls[0]?.[0]).toEqual({
      indexes: ["anonymous"],
      blobs: ["request", "unmatched", "GET", "4xx", "anonymous", "SEA", "", ""],
      doubles: [404, 12.5, 4.25, 1, 0, 0],
    });
  });

  it("caps long labels and replaces non-finite numbers so one odd value cannot cost the point", () => {
    const { dataset, writeDataPoint } = fakeDataset();
    recordRequestMetric(dataset, requestEvent({ route: `/${"x".repeat(500)}`, durationMs: Number.NaN }));
    const point = writeDataPoint.mock.calls[0]?.[0];
    expect(point?.blobs?.[1]).toHaveLength(128);
    expect(point?.doubles?.[1]).toBe(0);
  });

  it("never throws when the dataset fails, and logs the failure once", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const dataset = {
      writeDataPoint: () => {
        throw new Error("quota exceeded");
      },
    };
    expect(() => recordRequestMetric(dataset, requestEvent())).not.toThrow();
    expect(() => recordPipelineStep(dataset, { step: "ingest", outcome: "ok", durationMs: 1 })).not.toThrow();
    expect(warn).toHaveBeenCalledOnce();
    expect(String(warn.mock.calls[0]?.[0])).toContain("quota exceeded");
  });

  it("does nothing without a dataset binding", () => {
    expect(() => recordRequestMetric(undefined, requestEvent())).not.toThrow();
  });
});

describe("recordPipelineStep", () => {
  it("writes kind, step, outcome and tenant with the duration in double2 and the records (1) in double3", () => {
    const { dataset, writeDataPoint } = fakeDataset();
    recordPipelineStep(dataset, { step: "hazards", outcome: "dead_lettered", durationMs: 840, tenantId });
    expect(writeDataPoint.mock.calls[0]?.[0]).toEqual({
      indexes: [tenantId],
      blobs: ["pipeline_step", "hazards", "dead_lettered", "", tenantId],
      doubles: [0, 840, 1],
    });
    recordPipelineStep(dataset, { step: "ingest", outcome: "ok", durationMs: 2, records: 250 });
    expect(writeDataPoint.mock.calls[1]?.[0]?.doubles).toEqual([0, 2, 250]);
  });

  it("indexes cross-tenant steps (a cron scan) as anonymous", () => {
    const { dataset, writeDataPoint } = fakeDataset();
    recordPipelineStep(dataset, { step: "ingest", outcome: "ok", durationMs: 3 });
    expect(writeDataPoint.mock.calls[0]?.[0]?.indexes).toEqual(["anonymous"]);
  });
});

describe("recordPipelineRuns", () => {
  it("writes one point per tenant and outcome with the records and their mean duration", () => {
    const { dataset, writeDataPoint } = fakeDataset();
    const other = "0f7a6a55-1b7c-4f55-8b8e-3a8f3c2c1d00";
    recordPipelineRuns(dataset, "enrich", [
      { tenantId, outcome: "ok", durationMs: 10 },
      { tenantId, outcome: "ok", durationMs: 30 },
      { tenantId, outcome: "quarantined", durationMs: 5 },
      { tenantId: other, outcome: "ok", durationMs: 4, records: 3 },
    ]);
    expect(writeDataPoint.mock.calls.map((call) => call[0])).toEqual([
      { indexes: [tenantId], blobs: ["pipeline_step", "enrich", "ok", "", tenantId], doubles: [0, 20, 2] },
      {
        indexes: [tenantId],
        blobs: ["pipeline_step", "enrich", "quarantined", "", tenantId],
        doubles: [0, 5, 1],
      },
      { indexes: [other], blobs: ["pipeline_step", "enrich", "ok", "", other], doubles: [0, 4, 3] },
    ]);
  });

  it("writes nothing for no runs", () => {
    const { dataset, writeDataPoint } = fakeDataset();
    recordPipelineRuns(dataset, "feed", []);
    expect(writeDataPoint).not.toHaveBeenCalled();
  });
});

describe("recordValuation", () => {
  it("writes model version and tenant, confidence, latency and FSD", () => {
    const { dataset, writeDataPoint } = fakeDataset();
    recordValuation(dataset, {
      modelVersion: "gbt-2026-11",
      confidence: 0.82,
      fsd: 0.11,
      latencyMs: 35,
      tenantId,
    });
    expect(writeDataPoint.mock.calls[0]?.[0]).toEqual({
      indexes: [tenantId],
      blobs: ["valuation", "gbt-2026-11", "", "", tenantId],
      doubles: [0.82, 35, 0.11],
    });
  });
});

describe("statusClass", () => {
  it("groups statuses by hundreds", () => {
    expect([200, 204, 301, 404, 429, 500, 503, 0].map(statusClass)).toEqual([
      "2xx",
      "2xx",
      "3xx",
      "4xx",
      "4xx",
      "5xx",
      "5xx",
      "unknown",
    ]);
  });
});
