// Cron triggers for `npm run dev`. `wrangler dev` never fires a schedule by itself (it only serves
// /cdn-cgi/local/scheduled for a manual call), so without this the feeds would never be pulled locally and the
// cron's recomputations (outbox republish, batch completion, price ranges) would never run. The schedules are
// the ones wrangler.toml declares for the environment, read with wrangler's own config reader, and they run in
// UTC as Cloudflare runs them. croner evaluates the expressions (Cloudflare's syntax, L, W and # included).
import { Cron } from "croner";
import { experimental_readRawConfig } from "wrangler";

export interface CronTriggers {
  readonly crons: readonly string[];
  /** When each schedule fires next. */
  nextRuns(): Date[];
  stop(): void;
}

export interface CronTriggerOptions {
  crons: readonly string[];
  /** The Worker under `wrangler dev`, e.g. http://127.0.0.1:8787. */
  workerUrl: string;
  log: (message: string) => void;
}

/** The `[triggers] crons` of wrangler.toml, top level (what `wrangler dev` runs) or of a named environment. */
export function wranglerCrons(configPath = "wrangler.toml", environment?: string): string[] {
  const { rawConfig } = experimental_readRawConfig({ config: configPath });
  const section = environment ? rawConfig.env?.[environment] : rawConfig;
  return [...(section?.triggers?.crons ?? [])];
}

export function startCronTriggers(options: CronTriggerOptions): CronTriggers {
  const jobs = options.crons.map(
    (cron) =>
      // protect: a tick that is still running when the next is due is not started twice (the Worker's lease
      // would refuse it anyway; this keeps the log honest).
      new Cron(cron, { timezone: "UTC", protect: true }, async (job: Cron) => {
        const scheduledTime = job.currentRun()?.getTime() ?? Date.now();
        const url = new URL("/cdn-cgi/local/scheduled", options.workerUrl);
        url.searchParams.set("cron", cron);
        url.searchParams.set("time", String(scheduledTime));
        const started = performance.now();
        try {
          const response = await fetch(url);
          await response.arrayBuffer();
          const took = Math.round(performance.now() - started);
          options.log(
            response.ok
              ? `cron "${cron}" ran the scheduled handler (${took} ms)`
              : `cron "${cron}": the scheduled handler failed (HTTP ${response.status}, ${took} ms); see wrangler's log`,
          );
        } catch (error) {
          options.log(`cron "${cron}": the Worker did not answer (${(error as Error).message})`);
        }
      }),
  );
  return {
    crons: options.crons,
    nextRuns: () => jobs.map((job) => job.nextRun()).filter((run): run is Date => run !== null),
    stop() {
      for (const job of jobs) job.stop();
    },
  };
}
