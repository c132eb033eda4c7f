import { afterEach, describe, expect, it, vi } from "vitest";
import { batchEventLine, logBatchEvent } from "../../src/observability/batch-log.ts";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("logBatchEvent", () => {
  it("logs exactly one JSON line per batch with its counts", () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    logBatchEvent("info", { queue: "enrichment", messages: 10, acked: 10, retried: 0, durationMs: 152.3456 });
    expect(log).toHaveBeenCalledOnce();
    expect(JSON.parse(String(log.mock.calls[0]?.[0]))).toEqual({
      level: "info",
      msg: "queue batch",
      queue: "enrichment",
      messages: 10,
      acked: 10,
      retried: 0,
      durationMs: 152.35,
    });
  });

  it("follows LOG_LEVEL: a quiet batch is not logged at warn, a troubled one is", () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    logBatchEvent("warn", { queue: "q", messages: 2, acked: 2, retried: 0, durationMs: 1 });
    logBatchEvent("warn", { queue: "q", messages: 2, acked: 1, retried: 1, durationMs: 1 });
    expect(log).not.toHaveBeenCalled();
    expect(warn).toHaveBeenCalledOnce();
    expect(JSON.parse(String(warn.mock.calls[0]?.[0]))).toMatchObject({ level: "warn", retried: 1 });
  });

  it("raises the level to warn when messages were retried or dead-lettered", () => {
    expect(batchEventLine({ queue: "q", messages: 3, acked: 2, retried: 1, durationMs: 1 }).level).toBe(
      "warn",
    );
    expect(
      batchEventLine({ queue: "q", messages: 1, acked: 1, retried: 0, deadLettered: 1, durationMs: 1 }).level,
    ).toBe("warn");
  });

  it("keeps extra fields but drops any that look like credentials or personal data", () => {
    const line = batchEventLine({
      queue: "enrichment",
      messages: 1,
      acked: 1,
      retried: 0,
      durationMs: 1,
      errorCodes: { geocode_miss: 1 },
      fields: {
        source: "king-county",
        feedToken: "secret-value",
        ownerEmail: "jane@example.com",
        authorization: "Bearer abc",
        streetAddress: "1 Main St",
        skipped: undefined,
      },
    });
    expect(line).toMatchObject({ source: "king-county", errorCodes: { geocode_miss: 1 } });
    const text = JSON.stringify(line);
    expect(text).not.toMatch(/secret-value|jane@example.com|Bearer abc|1 Main St|skipped/);
  });

  it("cannot let a field override the counts", () => {
    const line = batchEventLine({
      queue: "enrichment",
      messages: 2,
      acked: 2,
      retried: 0,
      durationMs: 1,
      fields: { acked: 0, msg: "other" },
    });
    expect(line).toMatchObject({ acked: 2, msg: "queue batch" });
  });
});
