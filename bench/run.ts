// `npm run bench`: the load benchmark. Starts the local platform on a real PostgreSQL 15 (or PGlite with
// --engine pglite), loads the deterministic data set, measures a no-op Worker under `wrangler dev` (the local
// runtime's own ceiling), starts `wrangler dev` with the API, and drives it with autocannon (bench/load.ts, in a
// process of its own) using valid tokens of several tenants. For each scenario it prints and writes to
// bench/RESULTS.md the requests/s, p50/p95/p99, errors and database round trips per request, next to the same SQL
// run directly by pgbench as the runtime role (the database floor), and the Worker's own timings from the
// Server-Timing field.
//
//   npm run bench -- [--engine postgres|pglite] [--scale 100000] [--tenants 10] [--duration 10]
//                    [--concurrency 1,16,64] [--scenarios get-one,list-first] [--out bench/RESULTS.md]
//                    [--profile bench/PROFILE.md]
// Scenario names for --scenarios: health, get-one, list-first, list-deep, list-filtered, search, create, comps,
// repeat-get-one, repeat-list, repeat-valuation, valuation. Each run also reads the CPU time of the user Worker's
// and the dev proxy's workerd processes (bench/cpu.ts), and measures repeat-read scenarios request by request too
// (hit and miss apart, beside the no-op Worker measured the same way).
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { Statement } from "../scripts/platform/database.ts";
import { type Platform, startPlatform } from "../scripts/platform/index.ts";
import { type LocalIssuer, startLocalIssuer } from "../scripts/platform/issuer.ts";
import { cpuMs, type WorkerdProcesses, workerdProcesses } from "./cpu.ts";
import { BENCH_TENANT_PREFIX, benchTenantId, tenantPropertiesSql } from "./dataset.ts";
import type { LoadJob, LoadResult } from "./load.ts";
import { recordProfile, renderProfile, summarize } from "./profile.ts";
import { buildScenarios, type Scenario, type ScenarioContext } from "./scenarios.ts";

process.env.WRANGLER_SEND_METRICS ??= "false";
process.env.CLOUDFLARE_CF_FETCH_ENABLED ??= "false";

const { values: args } = parseArgs({
  options: {
    engine: { type: "string", default: "postgres" },
    scale: { type: "string", default: "100000" },
    tenants: { type: "string", default: "10" },
    duration: { type: "string", default: "10" },
    concurrency: { type: "string", default: "1,16,64" },
    scenarios: { type: "string" },
    out: { type: "string", default: new URL("RESULTS.md", import.meta.url).pathname },
    "postgres-url": { type: "string", default: process.env.BENCH_POSTGRES_URL },
    // Also record a CPU profile of the user Worker per scenario (an extra request-by-request run, not measured)
    // and write its per-module and per-function self times to this file (bench/profile.ts).
    profile: { type: "string" },
  },
});

const scale = Number(args.scale);
const tenantCount = Number(args.tenants);
const durationSeconds = Number(args.duration);
const concurrencies = String(args.concurrency).split(",").map(Number);

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

function sh(command: string, argv: string[]): string {
  return execFileSync(command, argv, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

/** A PostgreSQL database for the run: the local 15 cluster (started if needed), owned by app_owner. */
async function benchDatabaseUrl(): Promise<string> {
  if (args["postgres-url"]) return args["postgres-url"];
  const database = `reos_bench_${scale}_${tenantCount}`;
  const psql = (sql: string) => sh("su", ["postgres", "-c", `psql -qAtc "${sql.replaceAll('"', '\\"')}"`]);
  try {
    sh("pg_ctlcluster", ["15", "main", "start"]);
  } catch {
    // Already running.
  }
  psql(
    "do \\$\\$ begin if not exists (select from pg_roles where rolname = 'app_owner') then create role app_owner login createrole password 'app_owner'; end if; end \\$\\$",
  );
  if (!psql(`select 1 from pg_database where datname = '${database}'`)) {
    psql(`create database ${database} owner app_owner`);
  }
  return `postgres://app_owner:app_owner@127.0.0.1:5432/${database}`;
}

async function loadDataset(platform: Platform): Promise<void> {
  const perTenant = Math.floor(scale / tenantCount);
  for (let index = 0; index < tenantCount; index++) {
    const tenantId = benchTenantId(index);
    const existing = await platform.database.asOwner(async (session) => {
      await session.query("select set_config('app.current_tenant_id', $1, true)", [tenantId]);
      await session.query(
        "insert into tenants (id, slug, name) values ($1, $2, $3) on conflict (id) do nothing",
        [tenantId, `${BENCH_TENANT_PREFIX}${index + 1}`, `Bench tenant ${index + 1}`],
      );
      // Rows the create scenario added are not part of the data set.
      const [row] = await session.query<{ n: string }>(
        "select count(*) as n from properties where external_ref like 'bench:%'",
      );
      return Number(row?.n);
    });
    if (existing === perTenant) continue;
    if (existing > 0)
      throw new Error(`tenant ${index + 1} holds a partial data set; drop the bench database`);
    const started = Date.now();
    await platform.database.asOwner(async (session) => {
      await session.query("select set_config('app.current_tenant_id', $1, true)", [tenantId]);
      await session.exec(tenantPropertiesSql(perTenant));
    });
    log(`tenant ${index + 1}/${tenantCount}: ${perTenant} properties in ${Date.now() - started} ms`);
  }
  await platform.database.asOwner((session) => session.exec("analyze"));
}

async function freePort(): Promise<number> {
  const { createServer } = await import("node:net");
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The API's settings for the run: the bench platform and issuer, limits that never refuse, warnings only. */
function apiVars(platform: Platform, issuer: LocalIssuer): Record<string, string> {
  return {
    DATABASE_URL: platform.runtimeDatabaseUrl,
    ADMIN_DATABASE_URL: platform.adminDatabaseUrl,
    OIDC_ISSUER: issuer.issuer,
    OIDC_JWKS_URL: issuer.jwksUrl,
    // The limiter stays in the request path (its cost is part of every figure) but never refuses a request.
    RATE_LIMIT_ANON: "100000/1",
    RATE_LIMIT_TENANT: "100000/1",
    // No line per request: under wrangler dev each console.log crosses the inspector to wrangler's process, which
    // halves a saturated Worker's throughput (the timings come back in Server-Timing instead).
    LOG_LEVEL: "warn",
    SERVER_TIMING: "true",
  };
}

/**
 * `wrangler dev` on a free port, with wrangler's own per-request log line off as well (`--log-level warn`).
 * `config` selects the Worker: the API (wrangler.toml) or the no-op baseline (bench/noop/wrangler.toml).
 */
async function startWrangler(options: { config?: string; vars?: Record<string, string>; readyPath: string }) {
  const port = await freePort();
  const inspectorPort = await freePort();
  const argv = ["dev", "--ip", "127.0.0.1", "--port", String(port), "--show-interactive-dev-session=false"];
  argv.push("--inspector-port", String(inspectorPort));
  argv.push("--log-level", "warn");
  if (options.config) argv.push("--config", options.config);
  for (const [name, value] of Object.entries(options.vars ?? {})) argv.push("--var", `${name}:${value}`);
  const child = spawn("wrangler", argv, { stdio: ["ignore", "pipe", "pipe"], env: process.env });
  const output: string[] = [];
  child.stdout.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 120; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    try {
      const processes = child.pid === undefined ? undefined : workerdProcesses(child.pid);
      if ((await fetch(`${url}${options.readyPath}`)).ok && processes)
        return { url, child, output, processes, inspectorPort };
    } catch {
      // Not up yet.
    }
  }
  child.kill();
  throw new Error(`wrangler dev did not start:\n${output.join("").slice(-2000)}`);
}

/** CPU milliseconds per request of the user Worker's workerd process and of the dev proxy's, over one run. */
interface CpuPerRequest {
  worker: number;
  proxy: number;
}

interface Measurement extends LoadResult {
  scenario: string;
  concurrency: number;
  roundTrips: number;
  cpu: CpuPerRequest;
  floor?: { tps: number; p50: number; p95: number; p99: number };
}

function cpuNow(processes: WorkerdProcesses): CpuPerRequest {
  return { worker: cpuMs(processes.worker), proxy: cpuMs(processes.proxy) };
}

function cpuPerRequest(before: CpuPerRequest, processes: WorkerdProcesses, requests: number): CpuPerRequest {
  const after = cpuNow(processes);
  const per = (delta: number) => (requests ? Math.round((delta / requests) * 100) / 100 : 0);
  return { worker: per(after.worker - before.worker), proxy: per(after.proxy - before.proxy) };
}

/** Requests per job: more than a run can send, cycled if not; the sequence keeps going across runs. */
const REQUESTS_PER_JOB = 20_000;
let requestSequence = 1; // 0 is the probe of each scenario

/** One load run in its own process (bench/load.ts), counting the database round trips it caused. */
async function drive(
  baseUrl: string,
  processes: WorkerdProcesses,
  scenario: Scenario,
  concurrency: number,
  seconds: number,
  platform?: Platform,
): Promise<LoadResult & { roundTrips: number; cpu: CpuPerRequest }> {
  const dir = await mkdtemp(join(tmpdir(), "reos-load-"));
  try {
    const job: LoadJob = {
      url: baseUrl,
      connections: concurrency,
      durationSeconds: seconds,
      requests: Array.from({ length: REQUESTS_PER_JOB }, () => scenario.request(requestSequence++)),
    };
    await writeFile(join(dir, "job.json"), JSON.stringify(job));
    const before = platform?.endpoint.stats.requests ?? 0;
    const cpuBefore = cpuNow(processes);
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [new URL("load.ts", import.meta.url).pathname, join(dir, "job.json")],
        {
          stdio: ["ignore", "pipe", "inherit"],
        },
      );
      const chunks: Buffer[] = [];
      child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
      child.on("error", reject);
      child.on("exit", (code) =>
        code === 0
          ? resolve(Buffer.concat(chunks).toString())
          : reject(new Error(`load generator exited ${code}`)),
      );
    });
    const result = JSON.parse(output) as LoadResult;
    const roundTrips =
      platform && result.requests
        ? Math.round(((platform.endpoint.stats.requests - before) / result.requests) * 100) / 100
        : 0;
    return { ...result, roundTrips, cpu: cpuPerRequest(cpuBefore, processes, result.requests) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

interface SequentialResult {
  scenario: string;
  requests: number;
  hits: number;
  /** p50 / p95 client latency (ms) of all requests, of the hits and of the rest. */
  all: { p50: number; p95: number };
  hit: { p50: number; p95: number };
  miss: { p50: number; p95: number };
  /** Database round trips per request over the hits, from each response's Server-Timing `db` description. */
  hitRoundTrips: number;
  roundTrips: number;
  cpu: CpuPerRequest;
}

function percentiles(values: number[]): { p50: number; p95: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) =>
    Math.round((sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0) * 100) / 100;
  return { p50: at(0.5), p95: at(0.95) };
}

/**
 * One request at a time for `seconds`, from this process, timing each and sorting it by its Cache-Status: what
 * autocannon cannot report (a latency per response outcome). The same loop measures the no-op Worker.
 */
async function sequential(
  baseUrl: string,
  processes: WorkerdProcesses,
  scenario: Scenario,
  seconds: number,
  platform?: Platform,
): Promise<SequentialResult> {
  const hits: number[] = [];
  const misses: number[] = [];
  let hitRoundTrips = 0;
  const roundTripsBefore = platform?.endpoint.stats.requests ?? 0;
  const cpuBefore = cpuNow(processes);
  const until = performance.now() + seconds * 1000;
  while (performance.now() < until) {
    const request = scenario.request(requestSequence++);
    const started = performance.now();
    const response = await fetch(`${baseUrl}${request.path}`, request);
    await response.arrayBuffer();
    const elapsed = performance.now() - started;
    if (response.headers.get("cache-status")?.endsWith("; hit")) {
      hits.push(elapsed);
      hitRoundTrips += Number(
        /"(\d+) round trips?"/.exec(response.headers.get("server-timing") ?? "")?.[1] ?? 0,
      );
    } else {
      misses.push(elapsed);
    }
  }
  const requests = hits.length + misses.length;
  const roundTrips = platform ? (platform.endpoint.stats.requests - roundTripsBefore) / requests : 0;
  return {
    scenario: scenario.name,
    requests,
    hits: hits.length,
    all: percentiles([...hits, ...misses]),
    hit: percentiles(hits),
    miss: percentiles(misses),
    hitRoundTrips: hits.length ? Math.round((hitRoundTrips / hits.length) * 100) / 100 : 0,
    roundTrips: Math.round(roundTrips * 100) / 100,
    cpu: cpuPerRequest(cpuBefore, processes, requests),
  };
}

function literal(value: unknown): string {
  if (value === null || value === undefined) return "null";
  return `'${String(value).replaceAll("'", "''")}'`;
}

/** The request's exact statements with their parameters inlined, as one pgbench transaction. */
function pgbenchScript(statements: readonly Statement[]): string {
  const lines = statements.map((statement) =>
    statement.query
      .replace(/\$(\d+)/g, (_, index) => literal(statement.params?.[Number(index) - 1]))
      .replace(/\s+/g, " "),
  );
  return ["begin;", ...lines.map((line) => `${line};`), "commit;", ""].join("\n");
}

async function databaseFloor(
  databaseUrl: string,
  statements: readonly Statement[],
  concurrency: number,
  seconds: number,
) {
  const dir = await mkdtemp(join(tmpdir(), "reos-pgbench-"));
  try {
    await writeFile(join(dir, "script.sql"), pgbenchScript(statements));
    const url = new URL(databaseUrl);
    const output = sh("pgbench", [
      "-n",
      "-c",
      String(concurrency),
      "-j",
      String(Math.min(concurrency, 2)),
      "-T",
      String(seconds),
      "-f",
      join(dir, "script.sql"),
      "-l",
      "--log-prefix",
      join(dir, "tx"),
      `postgres://app_runtime:app_runtime@${url.host}${url.pathname}`,
    ]);
    const tps = Number(/tps = ([\d.]+)/.exec(output)?.[1] ?? 0);
    const latencies: number[] = [];
    for (const file of await readdir(dir)) {
      if (!file.startsWith("tx")) continue;
      for (const line of (await readFile(join(dir, file), "utf8")).split("\n")) {
        const micros = Number(line.split(" ")[2]);
        if (Number.isFinite(micros) && line) latencies.push(micros / 1000);
      }
    }
    latencies.sort((a, b) => a - b);
    const at = (p: number) =>
      Math.round((latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0) * 100) /
      100;
    return { tps: Math.round(tps), p50: at(0.5), p95: at(0.95), p99: at(0.99) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function machineDescription(engine: string, databaseVersion: string): string {
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  return [
    `- Machine: ${cpus().length} cores (${cpu}), ${Math.round(totalmem() / 2 ** 30)} GiB; client, Worker and database share it`,
    `- Node ${process.version}, wrangler dev (workerd) on 127.0.0.1, database: ${engine} (${databaseVersion})`,
    `- Data: ${scale.toLocaleString("en-US")} properties over ${tenantCount} tenants; ${durationSeconds} s per run; autocannon`,
  ].join("\n");
}

function renderResults(
  baseline: Measurement[],
  measurements: Measurement[],
  repeated: { baseline: SequentialResult; repeats: SequentialResult[] },
  header: string,
): string {
  const noopCpu = (concurrency: number) =>
    baseline.find((m) => m.concurrency === concurrency)?.cpu.worker ?? 0;
  const above = (cpu: number, noop: number) => Math.round((cpu - noop) * 100) / 100;
  const rows = measurements.map((m) => {
    const ratio = m.floor?.p50 ? `${(m.p50 / m.floor.p50).toFixed(1)}x` : "n/a";
    const floor = m.floor ? `${m.floor.p50} / ${m.floor.p95} / ${m.floor.p99} (${m.floor.tps}/s)` : "n/a";
    return `| ${m.scenario} | ${m.concurrency} | ${m.rps} | ${m.p50} | ${m.p95} | ${m.p99} | ${m.errors} | ${m.roundTrips} | ${m.cpu.worker} (${above(m.cpu.worker, noopCpu(m.concurrency))}) | ${m.cpu.proxy} | ${floor} | ${ratio} |`;
  });
  const noop = repeated.baseline;
  const repeatRows = repeated.repeats.map(
    (r) =>
      `| ${r.scenario} | ${r.requests} | ${r.requests ? ((r.hits / r.requests) * 100).toFixed(1) : 0}% | ${r.hit.p50} (+${Math.round((r.hit.p50 - noop.all.p50) * 100) / 100}) | ${r.hit.p95} | ${r.miss.p50} | ${r.miss.p95} | ${r.hitRoundTrips} | ${r.roundTrips} | ${r.cpu.worker} (${above(r.cpu.worker, noop.cpu.worker)}) |`,
  );
  const timing = (m: Measurement, name: string, at: "p50" | "p99" = "p50") =>
    m.serverTiming[name]?.[at] ?? "n/a";
  return [
    "# Benchmark results",
    "",
    header,
    "",
    "Latencies in milliseconds. Round trips: database HTTP round trips per request, counted by the local Neon",
    "endpoint. Floor: the same request's exact SQL run by pgbench as app_runtime with the tenant set, in one",
    "transaction (p50 / p95 / p99, transactions per second); ratio = API p50 / floor p50.",
    "",
    "Baseline: a Worker that answers every request at once with a constant (bench/noop/), under the same",
    "`wrangler dev`: what the local runtime and the machine cost before the API does anything.",
    "",
    "CPU: CPU milliseconds per request of the user Worker's workerd process (/proc, bench/cpu.ts), in brackets the",
    "amount above the no-op Worker's at the same concurrency in the same run; the dev proxy's workerd process",
    "(wrangler dev's own, in front of every Worker) is counted apart.",
    "",
    "| concurrency | req/s | p50 | p95 | p99 | errors | CPU | proxy CPU |",
    "|---|---|---|---|---|---|---|---|",
    ...baseline.map(
      (m) =>
        `| ${m.concurrency} | ${m.rps} | ${m.p50} | ${m.p95} | ${m.p99} | ${m.errors} | ${m.cpu.worker} | ${m.cpu.proxy} |`,
    ),
    "",
    "| scenario | concurrency | req/s | p50 | p95 | p99 | errors | round trips | CPU (above no-op) | proxy CPU | floor p50 / p95 / p99 | API/floor |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ...rows,
    "",
    "Repeat reads, one request at a time from the benchmark's process, sorted by each response's Cache-Status",
    "(src/middleware/edge-cache.ts). Baseline: the no-op Worker measured by the same loop, p50",
    `${noop.all.p50} / p95 ${noop.all.p95} ms, CPU ${noop.cpu.worker} ms a request. Hit p50 in brackets: above that`,
    "baseline. Round trips: database round trips per request over the hits (Server-Timing) and over all requests",
    "(the local endpoint's count). CPU: over all requests of the run (hits and misses).",
    "",
    "| scenario | requests | hit ratio | hit p50 (above no-op) | hit p95 | miss p50 | miss p95 | round trips / hit | round trips / request | CPU (above no-op) |",
    "|---|---|---|---|---|---|---|---|---|---|",
    ...repeatRows,
    "",
    "Inside the Worker, from the Server-Timing field of each successful response: time in the Worker (app), in",
    "database round trips (db), verifying the token and resolving the caller (auth), and waiting for rate-limit",
    "decisions (rate limit: reads overlap the decision, docs/rate-limiting.md); auth + rate limit is their sum per",
    "request, i.e. what the two add to the request. p50 unless marked.",
    "",
    "| scenario | concurrency | app | db | auth | rate limit | auth + rate limit | auth + rate limit p99 |",
    "|---|---|---|---|---|---|---|---|",
    ...measurements.map(
      (m) =>
        `| ${m.scenario} | ${m.concurrency} | ${timing(m, "app")} | ${timing(m, "db")} | ${timing(m, "auth")} | ${timing(m, "ratelimit")} | ${timing(m, "auth+ratelimit")} | ${timing(m, "auth+ratelimit", "p99")} |`,
    ),
    "",
  ].join("\n");
}

/**
 * The no-op Worker under `wrangler dev` at each concurrency (the ceiling of the local runtime on this machine), and
 * request by request (the baseline of the repeat-read table).
 */
async function measureBaseline(): Promise<{ loads: Measurement[]; sequential: SequentialResult }> {
  const noop = await startWrangler({
    config: new URL("noop/wrangler.toml", import.meta.url).pathname,
    readyPath: "/",
  });
  try {
    const scenario: Scenario = {
      name: "baseline",
      request: () => ({ method: "GET", path: "/", headers: {} }),
    };
    const measurements: Measurement[] = [];
    for (const concurrency of concurrencies) {
      const measured = await drive(noop.url, noop.processes, scenario, concurrency, durationSeconds);
      measurements.push({ scenario: "baseline", concurrency, ...measured });
      log(
        `baseline c=${concurrency}: ${measured.rps} req/s p50 ${measured.p50} p95 ${measured.p95} p99 ${measured.p99} ms, CPU ${measured.cpu.worker} ms/request (proxy ${measured.cpu.proxy})`,
      );
    }
    const alone = await sequential(noop.url, noop.processes, scenario, durationSeconds);
    log(
      `baseline request by request: p50 ${alone.all.p50} p95 ${alone.all.p95} ms, CPU ${alone.cpu.worker} ms`,
    );
    return { loads: measurements, sequential: alone };
  } finally {
    await stopWrangler(noop.child);
  }
}

function stopWrangler(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

async function main(): Promise<void> {
  const engine = String(args.engine);
  const databaseUrl = engine === "postgres" ? await benchDatabaseUrl() : undefined;
  log(`starting the platform on ${engine}`);
  const platform = await startPlatform({ databaseUrl });
  const issuer = await startLocalIssuer();
  let wrangler: Awaited<ReturnType<typeof startWrangler>> | undefined;
  try {
    await loadDataset(platform);
    const databaseVersion = await platform.database.asOwner(async (session) => {
      const [row] = await session.query<{ version: string }>("select version() as version");
      return String(row?.version).split(" ").slice(0, 2).join(" ");
    });
    const baseline = await measureBaseline();
    const repeats: SequentialResult[] = [];
    wrangler = await startWrangler({ vars: apiVars(platform, issuer), readyPath: "/api/v1/health" });
    log(`wrangler dev on ${wrangler.url}`);
    const context: ScenarioContext = await buildContext(platform, issuer, wrangler.url);
    const selected = args.scenarios ? new Set(args.scenarios.split(",")) : undefined;
    const scenarios = (await buildScenarios(context)).filter(
      (scenario) => !selected || selected.has(scenario.name.split(" ")[0] as string),
    );

    const measurements: Measurement[] = [];
    const profiles: string[] = [];
    for (const scenario of scenarios) {
      // One request first: warms the isolate's caches and captures the exact SQL for the floor.
      const probe = await fetch(`${wrangler.url}${scenario.request(0).path}`, scenario.request(0));
      if (!probe.ok)
        log(`${scenario.name}: probe answered ${probe.status}: ${(await probe.text()).slice(0, 300)}`);
      const statements = [...platform.endpoint.lastStatements];
      for (const concurrency of concurrencies) {
        const measured = await drive(
          wrangler.url,
          wrangler.processes,
          scenario,
          concurrency,
          durationSeconds,
          platform,
        );
        const floor =
          databaseUrl && scenario.floor !== false && statements.length
            ? await databaseFloor(databaseUrl, statements, concurrency, Math.min(durationSeconds, 5))
            : undefined;
        const measurement = { scenario: scenario.name, concurrency, ...measured, floor };
        measurements.push(measurement);
        log(
          `${scenario.name} c=${concurrency}: ${measured.rps} req/s p50 ${measured.p50} p95 ${measured.p95} p99 ${measured.p99} ms, ${measured.errors} errors, ${measured.roundTrips} round trips, CPU ${measured.cpu.worker} ms/request (proxy ${measured.cpu.proxy})` +
            (floor ? `; floor p50 ${floor.p50} ms` : ""),
        );
      }
      if (scenario.repeat) {
        const repeat = await sequential(
          wrangler.url,
          wrangler.processes,
          scenario,
          durationSeconds,
          platform,
        );
        repeats.push(repeat);
        log(
          `${scenario.name} request by request: ${repeat.hits}/${repeat.requests} hits, hit p50 ${repeat.hit.p50} p95 ${repeat.hit.p95}, miss p50 ${repeat.miss.p50} p95 ${repeat.miss.p95} ms, CPU ${repeat.cpu.worker} ms/request`,
        );
      }
      if (args.profile) {
        const running = wrangler;
        const { recording, result } = await recordProfile(running.inspectorPort, () =>
          sequential(running.url, running.processes, scenario, durationSeconds),
        );
        profiles.push(renderProfile(scenario.name, result.requests, summarize(recording)));
        log(`${scenario.name}: profiled ${result.requests} requests`);
      }
    }
    if (args.profile) {
      const header = [
        "# CPU profiles of the user Worker, per scenario",
        "",
        `Written by \`npm run bench -- ${process.argv.slice(2).join(" ")}\` (bench/profile.ts): one request at a time`,
        "for the scenario's duration, sampled by workerd's inspector. Self time only (a function's own samples), per",
        "module of wrangler's bundle and per function, divided by the requests of the profiled run. Sampling adds its",
        "own overhead, so compare the rows with each other, not with the CPU figures of the measured runs.",
        "",
      ];
      await writeFile(String(args.profile), [...header, ...profiles].join("\n"));
      log(`profiles written to ${args.profile}`);
    }
    const report = renderResults(
      baseline.loads,
      measurements,
      { baseline: baseline.sequential, repeats },
      machineDescription(engine, databaseVersion),
    );
    process.stdout.write(report);
    await writeFile(String(args.out), report);
    log(`written to ${args.out}`);
  } finally {
    if (wrangler) await stopWrangler(wrangler.child);
    await issuer.close();
    await platform.close();
  }
}

async function buildContext(
  platform: Platform,
  issuer: LocalIssuer,
  baseUrl: string,
): Promise<ScenarioContext> {
  const tenants = await Promise.all(
    Array.from({ length: tenantCount }, async (_, index) => {
      const id = benchTenantId(index);
      const ids = await platform.database.asOwner(async (session) => {
        await session.query("select set_config('app.current_tenant_id', $1, true)", [id]);
        return session.query<{ id: string; status: string }>(
          "select id, status from properties where deleted_at is null order by address_hash limit 200",
        );
      });
      return {
        id,
        viewerToken: await issuer.mint({ tenantId: id, subject: `bench-viewer-${index}`, roles: ["viewer"] }),
        editorToken: await issuer.mint({ tenantId: id, subject: `bench-editor-${index}`, roles: ["editor"] }),
        propertyIds: ids.map((row) => row.id),
        soldPropertyIds: ids.filter((row) => row.status === "sold").map((row) => row.id),
      };
    }),
  );
  return { baseUrl, tenants, rowsPerTenant: Math.floor(scale / tenantCount) };
}

await main().catch((error: unknown) => {
  log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
