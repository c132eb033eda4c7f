// The dev platform's cron triggers: with the schedules wrangler.toml declares, a Worker running under wrangler's
// dev server gets its scheduled handler called on time, without anyone calling it. The proof is the ingestion
// tick's own lease row in the database the Worker is pointed at. Waits for one real tick (up to a minute for
// "* * * * *").
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Unstable_DevWorker, unstable_dev } from "wrangler";
import { type CronTriggers, startCronTriggers, wranglerCrons } from "../../scripts/platform/cron-triggers.ts";
import { type Platform, startPlatform } from "../../scripts/platform/index.ts";
import { INGEST_LEASE } from "../../src/ingest/cron.ts";

describe("cron triggers of the dev platform", () => {
  let platform: Platform;
  let worker: Unstable_DevWorker;
  let triggers: CronTriggers | undefined;

  beforeAll(async () => {
    platform = await startPlatform({ referenceData: false });
    worker = await unstable_dev("src/index.ts", {
      config: "wrangler.toml",
      ip: "127.0.0.1",
      logLevel: "error",
      vars: { DATABASE_URL: platform.runtimeDatabaseUrl, ADMIN_DATABASE_URL: platform.adminDatabaseUrl },
      experimental: { disableExperimentalWarning: true },
    });
  }, 120_000);

  afterAll(async () => {
    triggers?.stop();
    await worker?.stop();
    await platform?.close();
  });

  it("reads the schedules from wrangler.toml, for every environment", () => {
    for (const environment of [undefined, "staging", "production"]) {
      const crons = wranglerCrons("wrangler.toml", environment);
      expect(crons.length, environment ?? "top level").toBeGreaterThan(0);
    }
  });

  it("fires the scheduled handler on the wrangler.toml schedule without a manual call", async () => {
    const lines: string[] = [];
    const ticked = new Promise<void>((resolve) => {
      triggers = startCronTriggers({
        crons: wranglerCrons(),
        workerUrl: `http://${worker.address}:${worker.port}`,
        log: (line) => {
          lines.push(line);
          resolve();
        },
      });
    });
    const [next] = triggers?.nextRuns() ?? [];
    expect(next).toBeInstanceOf(Date);
    await ticked;
    expect(lines[0]).toMatch(/^cron ".+" ran the scheduled handler/);
    expect(Date.now()).toBeGreaterThanOrEqual(next?.getTime() ?? Number.POSITIVE_INFINITY);
    const leases = await platform.database.asOwner((session) =>
      session.query<{ name: string }>("select name from ingest_leases where name = $1", [INGEST_LEASE]),
    );
    expect(leases).toEqual([{ name: INGEST_LEASE }]);
  }, 150_000);
});
