// The progress lines `npm run dev` logs for running ingest batches (scripts/platform/batch-progress.ts), read from
// the local platform's own database as the dev process reads it: app_admin, through the same BackingDatabase.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startBatchProgress } from "../../scripts/platform/batch-progress.ts";
import { type Platform, startPlatform } from "../../scripts/platform/index.ts";

const TENANT = "7d9e1c2a-0000-4000-8000-00000000b001";
const BATCH = "3f2a9c1e-0000-4000-8000-00000000b002";

describe("batch progress lines", () => {
  let platform: Platform;
  const owner = (statements: string[]) =>
    platform.database.asOwner(async (session) => {
      await session.query("select set_config('app.current_tenant_id', $1, true)", [TENANT]);
      for (const statement of statements) await session.query(statement);
    });

  beforeAll(async () => {
    platform = await startPlatform({ referenceData: false });
    await owner([
      `insert into tenants (id, slug, name) values ('${TENANT}', 'progress', 'Progress')`,
      // Created 60 s ago, so the rates below are decided by the processed_at values the test sets.
      `insert into ingest_batches (id, tenant_id, source, received, created_at)
        values ('${BATCH}', '${TENANT}', 'api', 10, now() - interval '60 seconds')`,
      `insert into prospect_queue (tenant_id, batch_id, position, payload)
        select '${TENANT}', '${BATCH}', n, '{}'::jsonb from generate_series(0, 9) as n`,
    ]);
  });
  afterAll(async () => {
    await platform?.close();
  });

  it("logs done/total, records per second and ETA while a batch runs, nothing while it stands, and its end", async () => {
    const logged: string[] = [];
    const reporter = startBatchProgress({
      database: platform.database,
      log: (line) => logged.push(line),
      intervalMs: 3_600_000,
    });
    try {
      expect(await reporter.poll()).toEqual([
        "batch 3f2a9c1e (progress, api): 0/10 records, waiting for the first",
      ]);
      // 4 done 2 s after the batch was created: 2 records/s, 6 queued left, so 3 s to go.
      await owner([
        `update prospect_queue set status = 'loaded',
          processed_at = (select created_at from ingest_batches where id = '${BATCH}') + interval '2 seconds'
         where batch_id = '${BATCH}' and position < 4`,
      ]);
      expect(await reporter.poll()).toEqual([
        "batch 3f2a9c1e (progress, api): 4/10 records, 2 records/s, ETA 3 s",
      ]);
      expect(await reporter.poll()).toEqual([]);

      await owner([
        `update prospect_queue set status = case when position = 9 then 'quarantined' else 'loaded' end,
          processed_at = (select created_at from ingest_batches where id = '${BATCH}') + interval '5 seconds'
         where batch_id = '${BATCH}' and position >= 4`,
      ]);
      expect(await reporter.poll()).toEqual([
        "batch 3f2a9c1e (progress, api): 10/10 records, 2 records/s, every record done (the next cron tick closes it)",
      ]);
      await owner([
        `update ingest_batches set status = 'completed', completed_at = created_at + interval '6 seconds'
         where id = '${BATCH}'`,
      ]);
      expect(await reporter.poll()).toEqual([
        "batch 3f2a9c1e (progress, api) completed: 10/10 records (9 loaded, 1 quarantined, 0 failed) in 6 s, 2 records/s",
      ]);
      expect(await reporter.poll()).toEqual([]);
      expect(logged).toHaveLength(4);
    } finally {
      reporter.stop();
    }
  });

  it("polls on its own timer and sums up batches beyond the first five in one line", async () => {
    const ids = Array.from({ length: 7 }, (_, index) => `3f2a9c1e-0000-4000-8000-0000000c000${index}`);
    await owner(
      ids.map(
        (id, index) =>
          `insert into ingest_batches (id, tenant_id, source, received, created_at)
            values ('${id}', '${TENANT}', 'feed', 0, now() - make_interval(secs => ${10 - index}))`,
      ),
    );
    const logged: string[] = [];
    const reporter = startBatchProgress({
      database: platform.database,
      log: (line) => logged.push(line),
      intervalMs: 20,
    });
    try {
      await vi.waitFor(() => expect(logged).toHaveLength(6), { timeout: 10_000 });
      expect(logged.slice(0, 5)).toEqual(
        ids
          .slice(0, 5)
          .map((id) => `batch ${id.slice(0, 8)} (progress, feed): 0/0 records, waiting for the first`),
      );
      expect(logged[5]).toBe("and 2 more batches: 0/0 records");
    } finally {
      reporter.stop();
      await owner([`update ingest_batches set status = 'failed' where tenant_id = '${TENANT}'`]);
    }
  });
});
