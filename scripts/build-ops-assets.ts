// Builds the Grafana dashboard (ops/grafana/real-estate-os.json) and the alert rules
// (ops/alerts/real-estate-os.yaml) from the operator queries in ops/queries, so a panel or an alert can never
// drift from the SQL that `npm run ops:query` runs. `node scripts/build-ops-assets.ts` rewrites both files;
// test/scripts/ops-assets.test.ts fails when the committed files differ from what this builds.
import { writeFile } from "node:fs/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import { DATASETS, listQueries, loadQuery, renderForGrafana } from "./ops-query.ts";

export const DASHBOARD_PATH = fileURLToPath(new URL("../ops/grafana/real-estate-os.json", import.meta.url));
export const ALERTS_PATH = fileURLToPath(new URL("../ops/alerts/real-estate-os.yaml", import.meta.url));

/** Grafana datasource: the Altinity ClickHouse plugin pointed at the Analytics Engine SQL API. */
export const DATASOURCE = { type: "vertamedia-clickhouse-datasource", uid: "cf-analytics-engine" } as const;

type PanelKind = "timeseries" | "table" | "stat";

interface PanelSpec {
  title: string;
  query: string;
  kind: PanelKind;
  unit?: string;
  description: string;
  width: number;
  height: number;
}

export const PANELS: readonly PanelSpec[] = [
  {
    title: "Requests by status class",
    query: "request_rate",
    kind: "timeseries",
    unit: "short",
    width: 12,
    height: 8,
    description: "Requests per bucket, weighted by _sample_interval.",
  },
  {
    title: "5xx ratio",
    query: "error_rate",
    kind: "timeseries",
    unit: "percentunit",
    width: 12,
    height: 8,
    description: "Share of requests answered with a 5xx (alert: above 2 % for 5 minutes).",
  },
  {
    title: "Latency p50 / p95 / p99",
    query: "latency_percentiles",
    kind: "timeseries",
    unit: "ms",
    width: 12,
    height: 8,
    description: "Request latency over matched routes (alert: p95 above 800 ms for 10 minutes).",
  },
  {
    title: "Latency by route",
    query: "latency_by_route",
    kind: "table",
    unit: "ms",
    width: 12,
    height: 8,
    description: "Percentiles, database time and round trips per route pattern.",
  },
  {
    title: "Rate-limited requests by tenant",
    query: "rate_limited_by_tenant",
    kind: "table",
    width: 12,
    height: 8,
    description: "429s per tenant; anonymous is the per-IP limiter.",
  },
  {
    title: "Ingestion lag",
    query: "ingestion_lag",
    kind: "stat",
    unit: "s",
    width: 6,
    height: 8,
    description: "Seconds since the last successful ingestion run (alert: above 15 minutes).",
  },
  {
    title: "Dead-lettered records",
    query: "dead_letters",
    kind: "timeseries",
    unit: "short",
    width: 6,
    height: 8,
    description:
      "Records moved to the dead-letter queue (alert: any in 15 minutes). Replay: docs/runbooks/replay-dead-letters.md.",
  },
  {
    title: "Pipeline throughput by step and outcome",
    query: "pipeline_throughput",
    kind: "timeseries",
    unit: "short",
    width: 12,
    height: 8,
    description: "Step points, the records they stand for and their p95 duration per bucket.",
  },
  {
    title: "Pipeline failures",
    query: "pipeline_failures",
    kind: "table",
    width: 12,
    height: 8,
    description: "Retried, quarantined, failed and dead-lettered records by step and tenant.",
  },
  {
    title: "Valuations by model version",
    query: "prediction_volume",
    kind: "timeseries",
    unit: "short",
    width: 12,
    height: 8,
    description: "Predictions per bucket.",
  },
  {
    title: "Valuation confidence and FSD",
    query: "prediction_confidence",
    kind: "table",
    width: 24,
    height: 6,
    description: "Confidence, relative forecast standard deviation and latency per model version.",
  },
];

interface AlertSpec {
  uid: string;
  title: string;
  query: string;
  /** Seconds of data the query sees. */
  window: number;
  reducer: "last" | "max" | "sum";
  threshold: number;
  for: string;
  noDataState: "OK" | "NoData" | "Alerting";
  severity: "page" | "ticket";
  summary: string;
  runbook: string;
}

export const ALERTS: readonly AlertSpec[] = [
  {
    uid: "reos-5xx-ratio",
    title: "API 5xx ratio above 2%",
    query: "error_rate",
    window: 600,
    reducer: "last",
    threshold: 0.02,
    for: "5m",
    noDataState: "OK",
    severity: "page",
    summary: "More than 2% of API requests answered 5xx in the last bucket, for 5 minutes.",
    runbook: "docs/runbooks/deploy-and-rollback.md",
  },
  {
    uid: "reos-p95-latency",
    title: "API p95 latency above 800 ms",
    query: "latency_p95",
    window: 900,
    reducer: "last",
    threshold: 800,
    for: "10m",
    noDataState: "OK",
    severity: "page",
    summary: "p95 latency over matched routes is above 800 ms for 10 minutes.",
    runbook: "docs/runbooks/deploy-and-rollback.md",
  },
  {
    uid: "reos-dead-letters",
    title: "Messages dead-lettered",
    query: "dead_letters",
    window: 900,
    reducer: "sum",
    threshold: 0,
    for: "0s",
    noDataState: "OK",
    severity: "ticket",
    summary: "Enrichment messages reached the dead-letter queue in the last 15 minutes.",
    runbook: "docs/runbooks/replay-dead-letters.md",
  },
  {
    uid: "reos-ingestion-lag",
    title: "Ingestion lag above 15 minutes",
    query: "ingestion_lag",
    window: 21_600,
    reducer: "last",
    threshold: 900,
    for: "5m",
    noDataState: "Alerting",
    severity: "page",
    summary: "No successful ingestion run for more than 15 minutes (the cron runs every minute).",
    runbook: "docs/runbooks/replay-dead-letters.md",
  },
];

function target(sql: string, query: string, kind: PanelKind, refId = "A") {
  return {
    refId,
    datasource: DATASOURCE,
    // Which ops/queries file this is, for people and for the drift test.
    opsQuery: query,
    query: sql,
    rawQuery: sql,
    format: kind === "timeseries" ? "time_series" : "table",
    dateTimeColDataType: "timestamp",
    dateTimeType: "DATETIME",
    round: "0s",
    intervalFactor: 1,
  };
}

export async function buildDashboard(): Promise<Record<string, unknown>> {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  const panels = [];
  for (const [index, spec] of PANELS.entries()) {
    if (x + spec.width > 24) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    const sql = renderForGrafana(await loadQuery(spec.query));
    panels.push({
      id: index + 1,
      type: spec.kind,
      title: spec.title,
      description: `${spec.description} Query: ops/queries/${spec.query}.sql`,
      datasource: DATASOURCE,
      gridPos: { x, y, w: spec.width, h: spec.height },
      fieldConfig: { defaults: spec.unit ? { unit: spec.unit } : {}, overrides: [] },
      options: {},
      targets: [target(sql, spec.query, spec.kind)],
    });
    x += spec.width;
    rowHeight = Math.max(rowHeight, spec.height);
  }
  return {
    uid: "real-estate-os",
    title: "Real Estate OS",
    description: "API, pipeline and valuation metrics from Workers Analytics Engine (docs/metrics.md).",
    tags: ["real-estate-os", "cloudflare", "analytics-engine"],
    timezone: "utc",
    schemaVersion: 39,
    version: 1,
    editable: true,
    refresh: "1m",
    time: { from: "now-6h", to: "now" },
    templating: {
      list: [
        {
          name: "dataset",
          label: "Environment",
          type: "custom",
          query: `${DATASETS.production},${DATASETS.staging}`,
          current: { text: DATASETS.production, value: DATASETS.production },
          options: [DATASETS.production, DATASETS.staging].map((value, index) => ({
            text: value,
            value,
            selected: index === 0,
          })),
        },
      ],
    },
    panels,
  };
}

function yamlString(value: string): string {
  return JSON.stringify(value);
}

function yamlBlock(text: string, indent: number): string {
  const pad = " ".repeat(indent);
  return text
    .split("\n")
    .map((line) => (line ? `${pad}${line}` : ""))
    .join("\n");
}

/** Grafana unified alerting file provisioning: one group, evaluated every minute against production. */
export async function buildAlerts(): Promise<string> {
  const lines = [
    "# Generated by scripts/build-ops-assets.ts from ops/queries: edit those, then run",
    "# `node scripts/build-ops-assets.ts`. Grafana unified alerting file provisioning (apiVersion 1); the",
    `# datasource uid "${DATASOURCE.uid}" is the Altinity ClickHouse datasource of ops/grafana/datasource.yaml.`,
    "apiVersion: 1",
    "groups:",
    "  - orgId: 1",
    "    name: real-estate-os-production",
    "    folder: Real Estate OS",
    "    interval: 1m",
    "    rules:",
  ];
  for (const alert of ALERTS) {
    const sql = renderForGrafana(await loadQuery(alert.query), DATASETS.production);
    const format = alert.query === "ingestion_lag" ? "table" : "time_series";
    lines.push(
      `      - uid: ${alert.uid}`,
      `        title: ${yamlString(alert.title)}`,
      "        condition: C",
      "        data:",
      "          - refId: A",
      `            relativeTimeRange: { from: ${alert.window}, to: 0 }`,
      `            datasourceUid: ${DATASOURCE.uid}`,
      "            model:",
      "              refId: A",
      `              opsQuery: ${alert.query}`,
      `              format: ${format}`,
      "              dateTimeColDataType: timestamp",
      "              dateTimeType: DATETIME",
      "              query: |",
      yamlBlock(sql, 16),
      "          - refId: B",
      "            datasourceUid: __expr__",
      "            model:",
      "              refId: B",
      "              type: reduce",
      "              expression: A",
      `              reducer: ${alert.reducer}`,
      "          - refId: C",
      "            datasourceUid: __expr__",
      "            model:",
      "              refId: C",
      "              type: threshold",
      "              expression: B",
      "              conditions:",
      `                - evaluator: { type: gt, params: [${alert.threshold}] }`,
      `        noDataState: ${alert.noDataState}`,
      "        execErrState: Error",
      `        for: ${alert.for}`,
      "        labels:",
      `          severity: ${alert.severity}`,
      "          service: real-estate-os",
      "        annotations:",
      `          summary: ${yamlString(alert.summary)}`,
      `          runbook_url: ${yamlString(alert.runbook)}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

export async function buildAll(): Promise<{ dashboard: string; alerts: string }> {
  const known = await listQueries();
  for (const name of [...PANELS.map((panel) => panel.query), ...ALERTS.map((alert) => alert.query)]) {
    if (!known.includes(name)) throw new Error(`no ops/queries/${name}.sql`);
  }
  return { dashboard: `${JSON.stringify(await buildDashboard(), null, 2)}\n`, alerts: await buildAlerts() };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { dashboard, alerts } = await buildAll();
  await writeFile(DASHBOARD_PATH, dashboard);
  await writeFile(ALERTS_PATH, alerts);
  console.log(`wrote ${DASHBOARD_PATH} and ${ALERTS_PATH}`);
}
