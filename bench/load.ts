// The benchmark's load generator, in a process of its own so that driving the API does not compete with the local
// Neon endpoint (which runs in bench/run.ts's process) for one event loop. Reads a job from the JSON file named on
// the command line, runs autocannon with it (the requests are cycled in order), and prints one JSON result line:
// throughput, latency percentiles, errors, and the percentiles of the Server-Timing metrics the Worker sent back.
//
//   node bench/load.ts <job.json>
import { readFile } from "node:fs/promises";
import autocannon from "autocannon";
import * as hdr from "hdr-histogram-js";
import type { BenchRequest } from "./scenarios.ts";

export interface LoadJob {
  url: string;
  connections: number;
  durationSeconds: number;
  requests: BenchRequest[];
}

export interface LoadResult {
  requests: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
  /**
   * p50 and p99 of each Server-Timing metric (app, db, auth, ratelimit, and their sum auth+ratelimit per
   * request) over the successful responses.
   */
  serverTiming: Record<string, { p50: number; p99: number; count: number }>;
}

/** `app;dur=12.4, db;dur=8.1;desc="1 round trip"` → { app: 12.4, db: 8.1 }. */
function parseServerTiming(value: string | undefined): Record<string, number> {
  const metrics: Record<string, number> = {};
  for (const metric of (value ?? "").split(",")) {
    const [name, ...parameters] = metric.trim().split(";");
    const duration = parameters.find((parameter) => parameter.trim().startsWith("dur="));
    if (name && duration) metrics[name] = Number(duration.trim().slice(4));
  }
  return metrics;
}

function percentile(sorted: number[], p: number): number {
  const value = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
  return Math.round(value * 100) / 100;
}

async function runLoad(job: LoadJob): Promise<LoadResult> {
  const latencies = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000,
    numberOfSignificantValueDigits: 3,
  });
  const timings = new Map<string, number[]>();
  let sequence = 0;
  const result = await autocannon({
    url: job.url,
    connections: job.connections,
    duration: job.durationSeconds,
    histograms: { latencies },
    requests: [
      {
        setupRequest: (request: autocannon.Request) => ({
          ...request,
          ...job.requests[sequence++ % job.requests.length],
        }),
        onResponse: (status: number, _body: string, _context: unknown, headers: Record<string, string>) => {
          if (status >= 400) return;
          const field = Object.entries(headers).find(([name]) => name.toLowerCase() === "server-timing");
          const metrics = parseServerTiming(field?.[1]);
          // What authentication and rate limiting together added to this request.
          if (metrics.app !== undefined)
            metrics["auth+ratelimit"] = (metrics.auth ?? 0) + (metrics.ratelimit ?? 0);
          for (const [name, duration] of Object.entries(metrics)) {
            const values = timings.get(name) ?? [];
            values.push(duration);
            timings.set(name, values);
          }
        },
      },
    ],
  } as unknown as autocannon.Options);
  const serverTiming: LoadResult["serverTiming"] = {};
  for (const [name, values] of timings) {
    values.sort((a, b) => a - b);
    serverTiming[name] = {
      p50: percentile(values, 0.5),
      p99: percentile(values, 0.99),
      count: values.length,
    };
  }
  return {
    requests: result.requests.total,
    rps: Math.round(result.requests.average * 10) / 10,
    p50: latencies.getValueAtPercentile(50),
    p95: latencies.getValueAtPercentile(95),
    p99: latencies.getValueAtPercentile(99),
    errors: result.errors + result.non2xx,
    serverTiming,
  };
}

if (import.meta.main) {
  const [jobFile] = process.argv.slice(2);
  if (!jobFile) throw new Error("usage: node bench/load.ts <job.json>");
  const job = JSON.parse(await readFile(jobFile, "utf8")) as LoadJob;
  process.stdout.write(`${JSON.stringify(await runLoad(job))}\n`);
}
