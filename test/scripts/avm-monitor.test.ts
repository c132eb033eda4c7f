import { describe, expect, it } from "vitest";
import { formatMonitorReport, monitorDays, monitorReport } from "../../scripts/lib/avm-monitor.ts";

describe("avm:monitor report", () => {
  it("summarizes MdAPE, PPE10 and FSD coverage per model version", () => {
    const reports = monitorReport([
      { modelVersion: "avm-v2", estimate: 100_000, fsd: 0.1, salePrice: 100_000 },
      { modelVersion: "avm-v1", estimate: 105_000, fsd: 0.1, salePrice: 100_000 },
      { modelVersion: "avm-v1", estimate: 130_000, fsd: 0.1, salePrice: 100_000 },
      { modelVersion: "avm-v1", estimate: 92_000, fsd: 0.1, salePrice: 100_000 },
    ]);
    expect(reports.map((report) => report.modelVersion)).toEqual(["avm-v1", "avm-v2"]);
    const [v1, v2] = reports;
    expect(v1?.valued).toBe(3);
    expect(v1?.mdape).toBeCloseTo(0.08, 6);
    expect(v1?.ppe10).toBeCloseTo(2 / 3, 6);
    expect(v1?.fsdCoverage).toBeCloseTo(2 / 3, 6);
    expect(v2).toMatchObject({ valued: 1, mdape: 0, ppe10: 1, fsdCoverage: 1 });
  });

  it("ignores outcomes without a positive price or estimate", () => {
    expect(
      monitorReport([
        { modelVersion: "avm-v1", estimate: 100_000, fsd: 0.1, salePrice: 0 },
        { modelVersion: "avm-v1", estimate: 0, fsd: 0.1, salePrice: 100_000 },
      ]),
    ).toEqual([]);
  });

  it("prints a table, or says there is nothing to compare yet", () => {
    expect(formatMonitorReport([])).toBe("no served valuation has a later sale yet");
    const table = formatMonitorReport(
      monitorReport([{ modelVersion: "avm-v1", estimate: 110_000, fsd: 0.05, salePrice: 100_000 }]),
    );
    const [header, row] = table.split("\n");
    expect(header).toMatch(/^model version\s+sales\s+MdAPE\s+PPE10\s+coverage$/);
    expect(row).toMatch(/^avm-v1\s+1\s+10\.0%\s+100\.0%\s+0\.0%$/);
  });

  it("looks back 365 days by default and never further than valuation_log keeps rows", () => {
    expect(monitorDays(undefined)).toBe(365);
    expect(monitorDays("30")).toBe(30);
    expect(monitorDays("365")).toBe(365);
    for (const bad of ["366", "0", "-1", "1.5", "abc"]) expect(() => monitorDays(bad), bad).toThrow(/--days/);
  });
});
