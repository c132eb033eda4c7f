// `npm run dev`: the whole local platform in one process tree. Embedded PostgreSQL (PGlite in .data/pglite) or
// the PostgreSQL at DATABASE_URL, migrations, the demo tenant, the Neon HTTP endpoint on 127.0.0.1:5480, the
// OIDC issuer on 127.0.0.1:5481, `wrangler dev` on 127.0.0.1:8787, and the cron triggers of wrangler.toml, which
// `wrangler dev` does not fire by itself. Ctrl-C stops all of it.
import { spawn } from "node:child_process";
import { mkdir } from "node:fs/promises";
import cliProgress from "cli-progress";
import { startBatchProgress } from "./platform/batch-progress.ts";
import { startCronTriggers, wranglerCrons } from "./platform/cron-triggers.ts";
import { startPlatform } from "./platform/index.ts";
import { loadOrCreateSigningKey, startLocalIssuer } from "./platform/issuer.ts";
import { DEMO_TENANT, seedDemoTenant } from "./platform/seed.ts";

const DATA_DIR = new URL("../.data/", import.meta.url).pathname;
const NEON_PORT = 5480;
const ISSUER_PORT = 5481;
const API_PORT = Number(process.env.PORT ?? 8787);

process.env.WRANGLER_SEND_METRICS ??= "false";
process.env.CLOUDFLARE_CF_FETCH_ENABLED ??= "false";

function log(message: string): void {
  process.stderr.write(`[dev] ${message}\n`);
}

async function main(): Promise<void> {
  await mkdir(DATA_DIR, { recursive: true });
  const databaseUrl = process.env.DATABASE_URL;
  log(
    databaseUrl
      ? "using the PostgreSQL at DATABASE_URL"
      : `using embedded PostgreSQL (PGlite) in ${DATA_DIR}pglite`,
  );
  const platform = await startPlatform({
    databaseUrl,
    pgliteDir: databaseUrl ? undefined : `${DATA_DIR}pglite`,
    neonPort: NEON_PORT,
  });
  if (platform.migrationsApplied.length) log(`applied migrations: ${platform.migrationsApplied.join(", ")}`);

  const bar = new cliProgress.SingleBar(
    { format: "[dev] loading demo tenant {bar} {value}/{total} properties", clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
  const inserted = await seedDemoTenant(platform.database, {
    start: (total) => bar.start(total, 0),
    increment: (count) => bar.increment(count),
    stop: () => bar.stop(),
  });
  log(inserted ? `demo tenant loaded: ${inserted} properties` : "demo tenant already loaded");

  const issuer = await startLocalIssuer({
    port: ISSUER_PORT,
    key: await loadOrCreateSigningKey(`${DATA_DIR}issuer-key.json`),
  });
  log(`Neon HTTP endpoint on ${platform.endpoint.url}, OIDC issuer ${issuer.issuer}`);

  const wrangler = spawn(
    "wrangler",
    ["dev", "--ip", "127.0.0.1", "--port", String(API_PORT), "--show-interactive-dev-session=false"],
    {
      stdio: "inherit",
      env: process.env,
    },
  );
  log(`API on http://127.0.0.1:${API_PORT} — try: curl http://127.0.0.1:${API_PORT}/api/v1/health`);
  log(`a token for the demo tenant: npm run token -- --tenant ${DEMO_TENANT.slug} --role viewer`);
  const triggers = startCronTriggers({
    crons: wranglerCrons(),
    workerUrl: `http://127.0.0.1:${API_PORT}`,
    log,
  });
  log(
    triggers.crons.length
      ? `cron triggers from wrangler.toml (UTC): ${triggers.crons.map((cron) => `"${cron}"`).join(", ")}; ` +
          `next at ${triggers.nextRuns()[0]?.toISOString()}`
      : "wrangler.toml declares no cron triggers",
  );

  // A progress line per running ingest batch (records done/total, records/s, ETA) every few seconds.
  const progress = startBatchProgress({ database: platform.database, log });

  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log("stopping");
    triggers.stop();
    progress.stop();
    wrangler.kill("SIGTERM");
    await Promise.allSettled([issuer.close(), platform.close()]);
    process.exit(code);
  };
  process.on("SIGINT", () => void stop(0));
  process.on("SIGTERM", () => void stop(0));
  wrangler.on("exit", (code) => void stop(code ?? 0));
}

main().catch((error: unknown) => {
  log(`failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
