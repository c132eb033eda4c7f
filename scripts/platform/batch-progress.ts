// The progress lines `npm run dev` logs for running ingest batches. The dev process polls the database it serves
// (as app_admin, the pipeline's cross-tenant role, read only) every few seconds and logs, for each batch that
// moved since the last poll, its records done of received, records per second and the time left, then one last
// line when it completes. Rate and estimate are the ones GET /api/v1/ingest/batches/{id} answers at that moment
// (batchRate, src/services/ingest.ts): records in a final state per second since the batch was created.
import { batchRate } from "../../src/services/ingest.ts";
import type { BackingDatabase, TextResult } from "./database.ts";

/** Batches named one per line; more running at once than this are summed up in one further line. */
const MAX_BATCH_LINES = 5;

export interface BatchProgressOptions {
  database: BackingDatabase;
  log: (message: string) => void;
  /** Poll interval; default 5 s. */
  intervalMs?: number;
}

export interface BatchProgressReporter {
  /** One poll now: logs what changed and answers the lines it logged. */
  poll(): Promise<string[]>;
  stop(): void;
}

interface BatchRow {
  id: string;
  slug: string;
  source: string;
  status: string;
  createdAt: string;
  completedAt: string | null;
  dbNow: string;
  lastProcessedAt: string | null;
  counts: { received: number; queued: number; loaded: number; quarantined: number; failed: number };
}

const PROGRESS_QUERY = `
  select b.id, t.slug, b.source, b.status, b.created_at, b.completed_at, now() as db_now,
    max(p.processed_at) as last_processed_at,
    count(p.id) as received,
    count(p.id) filter (where p.status in ('pending', 'sent')) as queued,
    count(p.id) filter (where p.status = 'loaded') as loaded,
    count(p.id) filter (where p.status = 'quarantined') as quarantined,
    count(p.id) filter (where p.status = 'failed') as failed
  from ingest_batches b
  join tenants t on t.id = b.tenant_id
  left join prospect_queue p on p.tenant_id = b.tenant_id and p.batch_id = b.id
  where b.status = 'running' or b.id = any($1::uuid[]) or b.completed_at > $2::timestamptz
  group by b.id, t.slug
  order by b.created_at, b.id`;

function rowsOf(result: TextResult | undefined): BatchRow[] {
  if (!result) return [];
  const names = result.fields.map((field) => field.name);
  return result.rows.map((values) => {
    const row = Object.fromEntries(names.map((name, index) => [name, values[index] ?? null]));
    return {
      id: String(row.id),
      slug: String(row.slug),
      source: String(row.source),
      status: String(row.status),
      createdAt: String(row.created_at),
      completedAt: row.completed_at ?? null,
      dbNow: String(row.db_now),
      lastProcessedAt: row.last_processed_at ?? null,
      counts: {
        received: Number(row.received),
        queued: Number(row.queued),
        loaded: Number(row.loaded),
        quarantined: Number(row.quarantined),
        failed: Number(row.failed),
      },
    };
  });
}

const count = (value: number) => value.toLocaleString("en-US");
const doneOf = (row: BatchRow) => row.counts.loaded + row.counts.quarantined + row.counts.failed;
const seconds = (ms: number) =>
  ms < 60_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 60_000)} min`;

/** The line of a running batch, e.g. "batch 3f2a9c1e (demo, api): 4,200/10,000 records, 310 records/s, ETA 19 s". */
export function progressLine(row: BatchRow): string {
  const { recordsPerSecond, estimatedCompletionAt } = batchRate(
    row.counts,
    row.createdAt,
    row.lastProcessedAt,
    row.dbNow,
  );
  const name = `batch ${row.id.slice(0, 8)} (${row.slug}, ${row.source})`;
  const done = `${count(doneOf(row))}/${count(row.counts.received)} records`;
  if (row.status !== "running") {
    const took = new Date(row.completedAt ?? row.dbNow).getTime() - new Date(row.createdAt).getTime();
    return (
      `${name} ${row.status}: ${done} (${count(row.counts.loaded)} loaded, ${count(row.counts.quarantined)} ` +
      `quarantined, ${count(row.counts.failed)} failed) in ${seconds(took)}` +
      (recordsPerSecond === null ? "" : `, ${recordsPerSecond} records/s`)
    );
  }
  if (recordsPerSecond === null) return `${name}: ${done}, waiting for the first`;
  if (!estimatedCompletionAt) {
    return `${name}: ${done}, ${recordsPerSecond} records/s, every record done (the next cron tick closes it)`;
  }
  const eta = seconds(Math.max(0, new Date(estimatedCompletionAt).getTime() - new Date(row.dbNow).getTime()));
  return `${name}: ${done}, ${recordsPerSecond} records/s, ETA ${eta}`;
}

export function startBatchProgress(options: BatchProgressOptions): BatchProgressReporter {
  const login = { user: "app_admin", password: "app_admin" };
  /** Done count per batch at the last poll, for the batches seen running. */
  const seen = new Map<string, number>();
  /** The database's clock at the last poll: batches completed since then get their last line. */
  let lastPollAt: string | null = null;
  let polling = false;

  async function poll(): Promise<string[]> {
    const [result] = await options.database.transaction(
      login,
      [{ query: PROGRESS_QUERY, params: [[...seen.keys()], lastPollAt] }],
      { readOnly: true },
    );
    const rows = rowsOf(result);
    lastPollAt = rows[0]?.dbNow ?? lastPollAt;
    const moved = rows.filter((row) => seen.get(row.id) !== doneOf(row) || row.status !== "running");
    const lines = moved.slice(0, MAX_BATCH_LINES).map(progressLine);
    const rest = moved.slice(MAX_BATCH_LINES);
    if (rest.length > 0) {
      const done = rest.reduce((sum, row) => sum + doneOf(row), 0);
      const received = rest.reduce((sum, row) => sum + row.counts.received, 0);
      lines.push(`and ${rest.length} more batches: ${count(done)}/${count(received)} records`);
    }
    for (const row of rows) {
      if (row.status === "running") seen.set(row.id, doneOf(row));
      else seen.delete(row.id);
    }
    for (const line of lines) options.log(line);
    return lines;
  }

  const timer = setInterval(() => {
    // A slow poll (a busy embedded database) is not overlapped by the next one.
    if (polling) return;
    polling = true;
    poll()
      .catch((error: unknown) => options.log(`batch progress: ${(error as Error).message}`))
      .finally(() => {
        polling = false;
      });
  }, options.intervalMs ?? 5000);
  timer.unref();
  return { poll, stop: () => clearInterval(timer) };
}
