// End-to-end ingestion throughput on the local platform: intake (POST /api/v1/prospects) -> outbox -> ENRICHMENT
// queue -> consumer -> properties, with the cron triggered every two seconds (it publishes whatever intake's own
// send missed and closes finished batches). Runs `wrangler dev` (workerd + miniflare's local queues) against the
// in-memory PGlite platform and the local issuer, exactly as `npm run dev` would.
//
//   node bench/ingest.ts [records=10000] [batch=1000]
//   BENCH_POSTGRES_URL=postgres://postgres:postgres@127.0.0.1:5432/postgres node bench/ingest.ts ...
//
// With BENCH_POSTGRES_URL the platform runs on a fresh database of that PostgreSQL server (created owned by
// app_owner, as test/helpers/engines.ts does, and dropped afterwards) instead of the embedded PGlite.
// The platform loads the ZIP and FEMA hazard reference tables, so every record is located and gets hazards.
//
// Besides throughput it reports the consumer batches' durations (wrangler's `QUEUE enrichment n/m (x ms)` lines),
// the peak RSS of the user Worker's workerd process (VmHWM) and of this process (the local endpoint and PGlite),
// the CPU seconds each process used, and the time the database spent executing the Worker's transactions.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, openSync, readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { stripVTControlCharacters } from "node:util";
import pg from "pg";
import { startPlatform } from "../scripts/platform/index.ts";
import { startLocalIssuer } from "../scripts/platform/issuer.ts";
import { record } from "./ingest-records.ts";

const TOTAL = Number(process.argv[2] ?? 10_000);
const BATCH = Number(process.argv[3] ?? 1_000);
const WORK_DIR = new URL("./.work/", import.meta.url).pathname;
const ADMIN = { user: "app_admin", password: "app_admin" };

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // Not listening yet.
    }
    await sleep(250);
  }
  throw new Error(`${url} did not come up`);
}

/** A fresh database on the server at `adminUrl`, owned by app_owner (non-superuser, CREATEROLE, as on Neon). */
async function freshPostgres(adminUrl: string): Promise<{ ownerUrl: string; drop(): Promise<void> }> {
  const name = `reos_bench_${Date.now()}`;
  const run = async (statement: string) => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await run(`do $$ begin
    if not exists (select from pg_roles where rolname = 'app_owner') then
      create role app_owner login createrole password 'app_owner';
    end if; end $$`);
  await run(`create database ${name} owner app_owner`);
  const url = new URL(adminUrl);
  url.username = "app_owner";
  url.password = "app_owner";
  url.pathname = `/${name}`;
  return { ownerUrl: url.toString(), drop: () => run(`drop database if exists ${name} with (force)`) };
}

/** Descendant processes of `pid` (from /proc), with their command names. */
function descendants(pid: number): { pid: number; comm: string }[] {
  const children = new Map<number, number[]>();
  const comms = new Map<number, string>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      comms.set(Number(entry), comm);
      children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
    } catch {
      // Gone meanwhile.
    }
  }
  const found: { pid: number; comm: string }[] = [];
  const walk = (parent: number) => {
    for (const child of children.get(parent) ?? []) {
      found.push({ pid: child, comm: comms.get(child) ?? "" });
      walk(child);
    }
  };
  walk(pid);
  return found;
}

/** Peak RSS (VmHWM) in MB and CPU seconds (utime + stime) of a process. */
function processFigures(pid: number): { peakRssMb: number; cpuSeconds: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const hwm = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  const ticks = Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
  return { peakRssMb: Math.round(hwm / 1024), cpuSeconds: Math.round((ticks / 100) * 10) / 10 };
}

function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? null;
}

/** The consumer batches wrangler logged: `QUEUE enrichment <acked>/<total> (<ms>ms)`. */
function consumerBatches(log: string) {
  const batches = [...stripVTControlCharacters(log).matchAll(/QUEUE enrichment (\d+)\/(\d+) \((\d+)ms\)/g)];
  const ms = batches.map((match) => Number(match[3]));
  return {
    batches: batches.length,
    messages: batches.reduce((sum, match) => sum + Number(match[2]), 0),
    p50Ms: percentile(ms, 50),
    p95Ms: percentile(ms, 95),
    meanMs: ms.length ? Math.round(ms.reduce((a, b) => a + b, 0) / ms.length) : null,
  };
}

async function main() {
  mkdirSync(WORK_DIR, { recursive: true });
  const adminUrl = process.env.BENCH_POSTGRES_URL;
  const postgres = adminUrl ? await freshPostgres(adminUrl) : undefined;
  const [platform, issuer] = await Promise.all([
    startPlatform({ databaseUrl: postgres?.ownerUrl }),
    startLocalIssuer(),
  ]);
  let wrangler: ChildProcess | undefined;
  try {
    const [tenant] = (
      await platform.database.transaction(ADMIN, [
        { query: "insert into tenants (slug, name) values ('bench', 'Bench') returning id" },
      ])
    )[0]?.rows ?? [[]];
    const tenantId = String(tenant?.[0]);
    const token = await issuer.mint({ tenantId, subject: "bench-editor", roles: ["editor"] });

    const port = await freePort();
    const vars = {
      DATABASE_URL: platform.runtimeDatabaseUrl,
      ADMIN_DATABASE_URL: platform.adminDatabaseUrl,
      OIDC_ISSUER: issuer.issuer,
      OIDC_JWKS_URL: issuer.jwksUrl,
      LOG_LEVEL: "warn",
      // A consumer chunk is one statement of up to 100 records; on a shared 2-core machine the single-threaded
      // PGlite can keep an intake request waiting behind a few of them for longer than the default 5 s.
      DB_TIMEOUT_MS: "30000",
    };
    const log = openSync(`${WORK_DIR}wrangler.log`, "w");
    wrangler = spawn(
      "node_modules/.bin/wrangler",
      [
        "dev",
        "--ip=127.0.0.1",
        `--port=${port}`,
        "--test-scheduled",
        `--persist-to=${WORK_DIR}state-${Date.now()}`,
        "--show-interactive-dev-session=false",
        ...Object.entries(vars).flatMap(([name, value]) => ["--var", `${name}:${value}`]),
      ],
      {
        stdio: ["ignore", log, log],
        env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
      },
    );
    const api = `http://127.0.0.1:${port}`;
    await waitFor(`${api}/api/v1/health`, 60_000);
    platform.endpoint.resetStats();
    const workerd = descendants(wrangler.pid ?? 0).filter((child) => child.comm === "workerd");
    // wrangler dev runs two: its proxy in front (on --port) and the user Worker's runtime, the one with an inspector.
    const userWorker = workerd.filter((child) =>
      readFileSync(`/proc/${child.pid}/cmdline`, "utf8").includes("--inspector-addr"),
    );
    if (userWorker.length !== 1)
      throw new Error(`expected one user Worker runtime, found ${userWorker.length}`);
    const workerdPid = userWorker[0]?.pid ?? 0;
    const workerdBefore = processFigures(workerdPid);
    const cpuBefore = process.cpuUsage();
    const busyBefore = { ...platform.database.busy };
    const load = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
    const loadBefore = load();

    const started = performance.now();
    for (let offset = 0; offset < TOTAL; offset += BATCH) {
      const records = Array.from({ length: Math.min(BATCH, TOTAL - offset) }, (_, i) => record(offset + i));
      const response = await fetch(`${api}/api/v1/prospects`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify(records),
      });
      if (response.status !== 202)
        throw new Error(`intake answered ${response.status}: ${await response.text()}`);
    }
    const intakeMs = performance.now() - started;

    let counts: Record<string, number> = {};
    let lastTick = 0;
    const deadline = Date.now() + 60 * 60_000;
    for (;;) {
      if (Date.now() - lastTick > 2_000) {
        lastTick = Date.now();
        await fetch(`${api}/__scheduled?cron=*+*+*+*+*`).catch(() => undefined);
      }
      const [result] = await platform.database.transaction(ADMIN, [
        { query: "select status, count(*)::int from prospect_queue group by status" },
      ]);
      counts = Object.fromEntries((result?.rows ?? []).map(([status, n]) => [String(status), Number(n)]));
      const open = (counts.pending ?? 0) + (counts.sent ?? 0);
      process.stdout.write(
        `\r${((performance.now() - started) / 1000).toFixed(1)}s ${JSON.stringify(counts)}   `,
      );
      if (open === 0 && Object.values(counts).reduce((a, b) => a + b, 0) === TOTAL) break;
      if (Date.now() > deadline) throw new Error("did not finish in 60 minutes");
      await sleep(500);
    }
    const totalMs = performance.now() - started;
    const workerdAfter = processFigures(workerdPid);
    const cpu = process.cpuUsage(cpuBefore);
    const busyMs = platform.database.busy.ms - busyBefore.ms;
    const [properties] = await platform.database.transaction(ADMIN, [
      {
        query: "select count(*)::int, count(hazards)::int from properties where tenant_id = $1",
        params: [tenantId],
      },
    ]);
    const stats = { ...platform.endpoint.stats };
    console.log("\n");
    console.log(
      JSON.stringify(
        {
          records: TOTAL,
          intakeBatches: Math.ceil(TOTAL / BATCH),
          intakeSeconds: Math.round(intakeMs) / 1000,
          intakeRecordsPerSecond: Math.round(TOTAL / (intakeMs / 1000)),
          endToEndSeconds: Math.round(totalMs) / 1000,
          endToEndRecordsPerSecond: Math.round((TOTAL / (totalMs / 1000)) * 10) / 10,
          outcome: counts,
          properties: properties?.rows[0]?.[0],
          propertiesWithHazards: properties?.rows[0]?.[1],
          databaseRoundTrips: stats.requests,
          roundTripsPerRecord: Math.round((stats.requests / TOTAL) * 1000) / 1000,
          database: platform.database.kind,
          consumer: consumerBatches(readFileSync(`${WORK_DIR}wrangler.log`, "utf8")),
          loadAverage: { before: loadBefore, after: load() },
          workerd: {
            peakRssMb: workerdAfter.peakRssMb,
            cpuSeconds: Math.round((workerdAfter.cpuSeconds - workerdBefore.cpuSeconds) * 10) / 10,
          },
          endpoint: {
            // This process: the local endpoint, PGlite (in process) or the pg client pools.
            peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
            cpuSeconds: Math.round(((cpu.user + cpu.system) / 1e6) * 10) / 10,
          },
          databaseBusy: {
            transactions: platform.database.busy.transactions - busyBefore.transactions,
            seconds: Math.round(busyMs / 100) / 10,
            shareOfWall: Math.round((busyMs / totalMs) * 100) / 100,
            msPerRecord: Math.round((busyMs / TOTAL) * 100) / 100,
          },
        },
        null,
        2,
      ),
    );
  } finally {
    wrangler?.kill("SIGTERM");
    await Promise.all([platform.close(), issuer.close()]);
    await postgres?.drop();
  }
}

await main();
