// One cron tick of ingestion, under a lease so overlapping ticks never do the same work twice:
//   1. publish the outbox (prospect_queue rows still pending, e.g. after a failed send or a crash)
//   2. pull one page of every due feed source (a CSV file streamed, see feeds.ts), store, publish, then advance its
//      cursor
//   3. close batches whose records all reached a final state, with their lineage event
//   4. recompute the per-ZIP price per sqft ranges of tenants whose ranges are due (src/services/price-ranges.ts)
//   5. recompute the market index of tenants whose points are due (src/services/market-index.ts), then bump each
//      refreshed tenant's data generation, so no cached valuation (middleware/edge-cache.ts) outlives its index
//   6. deliver stored lineage events when OPENLINEAGE_URL is set
//   7. delete what is past each table's retention, in bounded batches (src/services/retention.ts)
// Work is bounded by a time budget well inside the lease, so a tick never outlives its lease in normal operation.
import { sql } from "drizzle-orm";
import { type AdminDb, createAdminDb } from "../db/admin.ts";
import { createDatabase } from "../db/client.ts";
import { loadSettings } from "../env.ts";
import { ApiError } from "../errors.ts";
import { bumpTenantGenerations } from "../middleware/edge-cache.ts";
import { writeLog } from "../observability/log.ts";
import {
  type PipelineOutcome,
  type PipelineStepRun,
  recordPipelineRuns,
  recordPipelineStep,
} from "../observability/metrics.ts";
import { servedAvmModel } from "../services/avm-model.ts";
import { todayIsoDate } from "../services/comps.ts";
import { completeFinishedBatches, deliverLineageEvents } from "../services/lineage.ts";
import {
  type MarketIndexRefresh,
  refreshMarketIndex,
  tenantsDueForMarketIndex,
} from "../services/market-index.ts";
import { type PublishReport, publishPending } from "../services/outbox.ts";
import type { PipelineDependencies } from "../services/pipeline-dependencies.ts";
import {
  type PriceRangeRefresh,
  refreshPriceRanges,
  tenantsDueForPriceRanges,
} from "../services/price-ranges.ts";
import { purgeExpired, type RetentionReport } from "../services/retention.ts";
import { type DueFeed, type FeedPageReport, pullFeedPage } from "./feeds.ts";
import { acquireLease, releaseLease } from "./lease.ts";

export const INGEST_LEASE = "ingest-cron";
const LEASE_SECONDS = 300;
const TICK_BUDGET_MS = 45_000;
const FEEDS_PER_TICK = 20;
const OUTBOX_CHUNKS_PER_TICK = 200;
// Each refresh is one aggregate over a tenant's properties; at a 60-minute interval this covers 1,200 tenants.
const PRICE_RANGE_TENANTS_PER_TICK = 20;
// Each refresh reads a tenant's sales of the last ~2.5 years once; at a 6-hour interval this covers 28,800 tenants.
const MARKET_INDEX_TENANTS_PER_TICK = 20;

export interface TickReport {
  leased: boolean;
  published: PublishReport;
  feeds: FeedPageReport[];
  batchesCompleted: number;
  priceRanges: PriceRangeRefresh[];
  marketIndex: MarketIndexRefresh[];
  lineageDelivered: number;
  retention: RetentionReport;
}

async function dueFeeds(adminDb: AdminDb): Promise<DueFeed[]> {
  const rows = await adminDb.execute<Record<string, unknown>>(sql`
    select f.id, f.tenant_id, f.kind, f.url, f.secret_name, f.page_size, f.interval_minutes,
      f.cursor_timestamp, f.cursor_key, f.cursor_offset, f.cursor_rows, f.cursor_validator, f.cursor_header
    from ingest_feeds f join tenants t on t.id = f.tenant_id and t.status = 'active'
    where f.enabled and f.next_run_at <= now()
    order by f.next_run_at
    limit ${FEEDS_PER_TICK}`);
  return rows.map((row) => ({
    ...(row as unknown as DueFeed),
    page_size: Number(row.page_size),
    interval_minutes: Number(row.interval_minutes),
    cursor_offset: row.cursor_offset === null ? null : Number(row.cursor_offset),
    cursor_rows: Number(row.cursor_rows),
    cursor_header: (row.cursor_header as string[] | null) ?? null,
  }));
}

/**
 * The tick's pipeline_step points: "ingest" once per tick that ran (ok, or failed when it threw; the
 * ingestion-lag alert waits for "ok", written even when there was nothing to do), with the records it published
 * and stored, and "feed" per feed page pulled, by tenant.
 */
function recordTickMetrics(
  env: Env,
  report: TickReport,
  feedRuns: PipelineStepRun[],
  outcome: PipelineOutcome,
  durationMs: number,
) {
  const stored = report.feeds.reduce((sum, feed) => sum + feed.stored, 0);
  recordPipelineStep(env.METRICS, {
    step: "ingest",
    outcome,
    durationMs,
    records: report.published.sent + stored,
  });
  recordPipelineRuns(env.METRICS, "feed", feedRuns);
}

export async function runIngestionTick(
  env: Env,
  deps: PipelineDependencies,
  now = Date.now,
): Promise<TickReport> {
  const settings = loadSettings(env);
  if (!settings.adminDatabaseUrl) {
    throw new ApiError("configuration_error", { detail: "ADMIN_DATABASE_URL is required by the cron." });
  }
  const adminDb = createAdminDb({ url: settings.adminDatabaseUrl, timeoutMs: settings.dbTimeoutMs });
  const db = createDatabase({ url: settings.databaseUrl, timeoutMs: settings.dbTimeoutMs });
  const report: TickReport = {
    leased: false,
    published: { sent: 0, failed: 0 },
    feeds: [],
    batchesCompleted: 0,
    priceRanges: [],
    marketIndex: [],
    lineageDelivered: 0,
    retention: { idempotencyKeys: 0, propertyChanges: 0, valuationLog: 0, lineageEvents: 0 },
  };
  const started = performance.now();
  const holder = crypto.randomUUID();
  if (!(await acquireLease(adminDb, INGEST_LEASE, holder, LEASE_SECONDS))) {
    // Another tick holds the lease and writes its own "ingest" point; this one did nothing.
    recordPipelineStep(env.METRICS, {
      step: "ingest",
      outcome: "skipped",
      durationMs: performance.now() - started,
    });
    return report;
  }
  report.leased = true;
  const deadline = now() + TICK_BUDGET_MS;
  let outcome: PipelineOutcome = "failed";
  const feedRuns: PipelineStepRun[] = [];
  try {
    report.published = await publishPending(adminDb, env.ENRICHMENT, {
      maxChunks: OUTBOX_CHUNKS_PER_TICK,
      deadline,
    });
    for (const feed of await dueFeeds(adminDb)) {
      if (now() >= deadline) break;
      const pullStarted = performance.now();
      const page = await pullFeedPage({ db, env, deps, queue: env.ENRICHMENT, deadline }, feed);
      report.feeds.push(page);
      feedRuns.push({
        tenantId: feed.tenant_id,
        outcome: page.status === "error" ? "failed" : "ok",
        durationMs: performance.now() - pullStarted,
        records: page.stored,
      });
    }
    report.batchesCompleted = await completeFinishedBatches(adminDb);
    if (now() < deadline) {
      for (const tenantId of await tenantsDueForPriceRanges(adminDb, PRICE_RANGE_TENANTS_PER_TICK)) {
        if (now() >= deadline) break;
        try {
          report.priceRanges.push(await refreshPriceRanges(db, tenantId));
        } catch (error) {
          // The tenant keeps its previous ranges and stays due; the other tenants and the tick go on.
          writeLog(settings.logLevel, "error", "price ranges not refreshed", {
            tenantId,
            error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
          });
        }
      }
    }
    if (now() < deadline) {
      const model = servedAvmModel;
      for (const tenantId of await tenantsDueForMarketIndex(
        adminDb,
        model.modelVersion,
        MARKET_INDEX_TENANTS_PER_TICK,
      )) {
        if (now() >= deadline) break;
        try {
          report.marketIndex.push(
            await refreshMarketIndex(db, tenantId, model, todayIsoDate(new Date(now()))),
          );
        } catch (error) {
          // The tenant keeps its previous points and stays due; the other tenants and the tick go on.
          writeLog(settings.logLevel, "error", "market index not refreshed", {
            tenantId,
            error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
          });
        }
      }
      // After the new points committed: a valuation cached from the old index is keyed by the old generation.
      await bumpTenantGenerations(
        env,
        settings,
        report.marketIndex.map((refresh) => refresh.tenantId),
      );
    }
    if (settings.openLineageUrl) {
      report.lineageDelivered = await deliverLineageEvents(adminDb, settings.openLineageUrl, deps.fetcher);
    }
    report.retention = await purgeExpired(adminDb, {
      deadline,
      now,
      lineageDelivery: Boolean(settings.openLineageUrl),
    });
    outcome = "ok";
    return report;
  } finally {
    await releaseLease(adminDb, INGEST_LEASE, holder).catch(() => undefined);
    recordTickMetrics(env, report, feedRuns, outcome, performance.now() - started);
    writeLog(settings.logLevel, "info", "ingestion tick", {
      published: report.published,
      feeds: report.feeds.length,
      feedErrors: report.feeds.filter((feed) => feed.status === "error").length,
      feedRecordsStored: report.feeds.reduce((sum, feed) => sum + feed.stored, 0),
      // The most records any one feed page held in memory during the tick (at most that feed's page size).
      feedRecordsHeld: Math.max(0, ...report.feeds.map((feed) => feed.held)),
      batchesCompleted: report.batchesCompleted,
      priceRangesRefreshed: report.priceRanges.length,
      marketIndexRefreshed: report.marketIndex.length,
      lineageDelivered: report.lineageDelivered,
      retention: report.retention,
    });
  }
}
