// End-to-end ingestion throughput on the local platform: intake (POST /api/v1/prospects) -> outbox -> ENRICHMENT
// queue -> consumer -> properties, with the cron triggered every two seconds (it publishes whatever intake's own
// send missed and closes finished batches). Runs `wrangler dev` (workerd + miniflare's local queues) against the
// in-memory PGlite platform and the local issuer, exactly as `npm run dev` would.
//
//   node bench/ingest.ts [records=10000] [batch=1000]
//
// The platform loads the ZIP and FEMA hazard reference tables, so every record is located and gets hazards.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, openSync } from "node:fs";
import { createServer } from "node:net";
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

async function main() {
  mkdirSync(WORK_DIR, { recursive: true });
  const [platform, issuer] = await Promise.all([startPlatform(), startLocalIssuer()]);
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
    const deadline = Date.now() + 30 * 60_000;
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
      if (Date.now() > deadline) throw new Error("did not finish in 30 minutes");
      await sleep(500);
    }
    const totalMs = performance.now() - started;
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
          roundTripsPerRecord: Math.round((stats.requests / TOTAL) * 100) / 100,
        },
        null,
        2,
      ),
    );
  } finally {
    wrangler?.kill("SIGTERM");
    await Promise.all([platform.close(), issuer.close()]);
  }
}

await main();
