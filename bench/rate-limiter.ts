// Measures the latency the rate limiter adds to a request: N sequential requests through `wrangler dev`
// (workerd, the local runtime) with the limiter on and with its policies off, p50/p99 of each, and writes
// bench/RATE_LIMITER.md. The route is an unknown path outside /api/v1 (404), so neither authentication nor the
// database is involved and the difference between the runs is the limiter alone.
//
//   node bench/rate-limiter.ts [--requests 2000] [--warmup 200]
import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    requests: { type: "string", default: "2000" },
    warmup: { type: "string", default: "200" },
  },
});
const requestCount = Number(values.requests);
const warmupCount = Number(values.warmup);
const root = path.resolve(import.meta.dirname, "..");
const workDir = path.join(root, "bench", ".work");

interface Scenario {
  name: string;
  description: string;
  vars: Record<string, string>;
  headers: (clientIp: string) => Record<string, string>;
}

// A limit no run reaches, so every measured request is a full decision (RPC, log update, SQLite write).
const HIGH_LIMIT = "100000/60";

const scenarios: Scenario[] = [
  {
    name: "limiter off",
    description: "RATE_LIMIT_ANON=off, RATE_LIMIT_AUTH_FAILURES=off: no limiter call",
    vars: { RATE_LIMIT_ANON: "off", RATE_LIMIT_AUTH_FAILURES: "off" },
    headers: (clientIp) => ({ "CF-Connecting-IP": clientIp }),
  },
  {
    name: "anonymous, limiter on",
    description: "one `consume` RPC to `ip:<addr>:anon` per request",
    vars: { RATE_LIMIT_ANON: HIGH_LIMIT, RATE_LIMIT_AUTH_FAILURES: HIGH_LIMIT },
    headers: (clientIp) => ({ "CF-Connecting-IP": clientIp }),
  },
  {
    name: "with a token, limiter on",
    description:
      "a `peek` of `ip:<addr>:auth-failures`, then (no principal: a path without authentication) a `consume` of the anon key",
    vars: { RATE_LIMIT_ANON: HIGH_LIMIT, RATE_LIMIT_AUTH_FAILURES: HIGH_LIMIT },
    headers: (clientIp) => ({ "CF-Connecting-IP": clientIp, Authorization: "Bearer benchmark" }),
  },
];

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function startWorker(vars: Record<string, string>, port: number): Promise<ChildProcess> {
  const args = [
    "dev",
    "--ip",
    "127.0.0.1",
    "--port",
    String(port),
    "--inspector-port",
    String(await freePort()),
    "--persist-to",
    path.join(workDir, `state-${port}`),
    "--show-interactive-dev-session=false",
    "--log-level",
    "warn",
    ...Object.entries(vars).flatMap(([name, value]) => ["--var", `${name}:${value}`]),
  ];
  const child = spawn(path.join(root, "node_modules", ".bin", "wrangler"), args, {
    cwd: root,
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  // Kept for a failed start only: esbuild's watcher prints a goroutine dump when wrangler is stopped.
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with ${child.exitCode}:\n${stderr}`);
    try {
      await fetch(`http://127.0.0.1:${port}/bench-ready`, {
        headers: { "CF-Connecting-IP": "192.0.2.1" },
      });
      return child;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  child.kill();
  throw new Error("wrangler dev did not start within 60 s");
}

function percentile(sorted: number[], fraction: number): number {
  const index = Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? Number.NaN;
}

interface Timing {
  samples: number[];
  statuses: Map<number, number>;
}

/** One timed request; warm-up requests are sent but not recorded. */
async function timeRequest(scenario: Scenario, port: number, clientIp: string, timing: Timing | null) {
  const started = performance.now();
  const response = await fetch(`http://127.0.0.1:${port}/bench-not-found`, {
    headers: scenario.headers(clientIp),
  });
  await response.arrayBuffer();
  const elapsed = performance.now() - started;
  if (!timing) return;
  timing.samples.push(elapsed);
  timing.statuses.set(response.status, (timing.statuses.get(response.status) ?? 0) + 1);
}

function summarize(timing: Timing) {
  const sorted = [...timing.samples].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    mean: sorted.reduce((sum, value) => sum + value, 0) / sorted.length,
    statuses: [...timing.statuses.entries()].map(([status, count]) => `${count}×${status}`).join(", "),
  };
}

async function main() {
  await rm(workDir, { recursive: true, force: true });
  await mkdir(workDir, { recursive: true });
  const loadBefore = os.loadavg()[0] ?? 0;
  const running: Array<{
    scenario: Scenario;
    port: number;
    worker: ChildProcess;
    clientIp: string;
    timing: Timing;
  }> = [];
  try {
    for (const [index, scenario] of scenarios.entries()) {
      const port = await freePort();
      const worker = await startWorker(scenario.vars, port);
      const clientIp = `198.51.100.${index + 1}`;
      running.push({ scenario, port, worker, clientIp, timing: { samples: [], statuses: new Map() } });
    }
    // Round-robin over the scenarios so that each sees the same background load on a shared machine.
    for (let i = 0; i < warmupCount + requestCount; i++) {
      for (const run of running) {
        await timeRequest(run.scenario, run.port, run.clientIp, i < warmupCount ? null : run.timing);
      }
    }
  } finally {
    for (const run of running) {
      run.worker.kill("SIGTERM");
      await new Promise((resolve) => run.worker.once("exit", resolve));
    }
  }
  const results = running.map((run) => ({ scenario: run.scenario, ...summarize(run.timing) }));
  for (const result of results) {
    console.log(
      `${result.scenario.name}: p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms (${result.statuses})`,
    );
  }
  const baseline = results[0];
  if (!baseline) return;
  const fmt = (value: number) => value.toFixed(2);
  const rows = results.map(
    (row) =>
      `| ${row.scenario.name} | ${fmt(row.p50)} | ${fmt(row.p99)} | ${fmt(row.mean)} | ${
        row === baseline ? "-" : `+${fmt(row.p50 - baseline.p50)} / +${fmt(row.p99 - baseline.p99)}`
      } | ${row.statuses} |`,
  );
  const report = `# Rate limiter: added latency per request

Produced by \`node bench/rate-limiter.ts --requests ${requestCount} --warmup ${warmupCount}\` on ${new Date().toISOString().slice(0, 10)}
(${os.cpus().length} CPU cores shared with other work, ${os.cpus()[0]?.model ?? "unknown CPU"}, Node ${process.version};
1-minute load average ${loadBefore.toFixed(1)} before the run and ${(os.loadavg()[0] ?? 0).toFixed(1)} after it. With a load
average several times the core count, single milliseconds are within the noise: compare the rows, not the absolute
numbers, and rerun on a quiet machine before drawing fine conclusions).

Each scenario runs its own \`wrangler dev\` (workerd with local SQLite-backed Durable Objects), all three at once.
Node sends ${warmupCount} warm-up rounds and then ${requestCount} timed rounds of sequential requests over loopback HTTP to an
unknown route outside /api/v1 (404: no authentication, no database), one request per scenario per round in turn, so that every scenario sees the same
background load; each scenario uses one client address. The limits are set so high that no request is refused:
every measured request pays for a full decision.

| scenario | p50 ms | p99 ms | mean ms | added p50 / p99 ms | responses |
|---|---|---|---|---|---|
${rows.join("\n")}

Scenarios:
${results.map((row) => `- **${row.scenario.name}**: ${row.scenario.description}.`).join("\n")}

Locally the Durable Object runs in the same workerd process, so this is the limiter's own cost (RPC, sliding-log
decision, SQLite write and its output gate) without the network hop to the object's location that production adds:
in production a key's object lives in one data centre and a request from elsewhere pays that round trip too.
`;
  await writeFile(path.join(root, "bench", "RATE_LIMITER.md"), report);
  console.log("wrote bench/RATE_LIMITER.md");
}

await main();
