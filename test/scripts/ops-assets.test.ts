import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { ALERTS_PATH, buildAll, DASHBOARD_PATH } from "../../scripts/build-ops-assets.ts";
import { listQueries } from "../../scripts/ops-query.ts";

describe("dashboard and alert rules", () => {
  it("reference only queries that exist in ops/queries", async () => {
    const known = new Set(await listQueries());
    const dashboard = JSON.parse(await readFile(DASHBOARD_PATH, "utf8")) as {
      panels: { title: string; targets: { opsQuery?: string; query?: string }[] }[];
    };
    const referenced = dashboard.panels.flatMap((panel) => panel.targets.map((target) => target.opsQuery));
    const alerts = await readFile(ALERTS_PATH, "utf8");
    referenced.push(...[...alerts.matchAll(/^\s*opsQuery: (\S+)$/gm)].map((match) => match[1]));
    expect(referenced.length).toBe(dashboard.panels.length + 4);
    for (const name of referenced) expect(known, `query ${name}`).toContain(name);
  });

  it("carry the SQL of those queries (the committed files are what scripts/build-ops-assets.ts builds)", async () => {
    const built = await buildAll();
    expect(JSON.parse(await readFile(DASHBOARD_PATH, "utf8"))).toEqual(JSON.parse(built.dashboard));
    expect(await readFile(ALERTS_PATH, "utf8")).toBe(built.alerts);
  });

  it("alert on 5xx ratio, p95 latency, dead letters and ingestion lag", async () => {
    const alerts = await readFile(ALERTS_PATH, "utf8");
    for (const name of ["error_rate", "latency_p95", "dead_letters", "ingestion_lag"]) {
      expect(alerts).toContain(`opsQuery: ${name}`);
    }
    expect(alerts).toMatch(/^apiVersion: 1$/m);
    expect(alerts).not.toContain("$dataset");
  });
});
