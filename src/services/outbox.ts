// Publishing the prospect_queue outbox. A row is claimed (claimed_until, FOR UPDATE SKIP LOCKED) before it is
// sent, so two publishers (the cron and an intake request's after-response publish) never send the same row at
// once; it is marked sent only after the queue accepted it. A publisher that dies mid-way leaves a claim that
// expires, and the row is sent again: the consumer's idempotency makes that one effect.
import { type SQL, sql } from "drizzle-orm";
import { type OutboxRow, sendEnrichmentRecords } from "../../queues/enrichment/producer.ts";
import type { AdminDb } from "../db/admin.ts";
import type { Database } from "../db/client.ts";

/** Long enough for a send to finish, short enough that a crashed publisher's rows go out on the next tick. */
const CLAIM_SECONDS = 90;
/**
 * Rows claimed (and marked sent) per round trip: ten chunk messages of 100 records, sent in one sendBatch. A
 * publisher's `maxChunks` counts these claims.
 */
export const CLAIM_LIMIT = 1_000;
/**
 * A row still `sent` this long after its send has outlived every delivery and retry the queue would make
 * (max_retries 3 with backoff is minutes, even behind a backlog): its message was lost (a purged queue, a local
 * broker restarted), so it is published again. The idempotency key is unchanged, so a late original has no
 * second effect.
 */
const STALE_SENT_MINUTES = 30;

export interface PublishReport {
  sent: number;
  failed: number;
}

type ClaimedRow = { id: string; tenant_id: string; batch_id: string; revision: number };

function claimStatement(filter: SQL, limit: number): SQL {
  return sql`
    update prospect_queue set claimed_until = now() + make_interval(secs => ${CLAIM_SECONDS})
    where id in (
      select id from prospect_queue
      where (status = 'pending' or (status = 'sent' and sent_at < now() - make_interval(mins => ${STALE_SENT_MINUTES})))
        and (claimed_until is null or claimed_until < now()) and ${filter}
      order by created_at, position
      limit ${limit}
      for update skip locked
    )
    returning id, tenant_id, batch_id, revision`;
}

function markStatement(ids: string[], sent: boolean): SQL {
  const list = JSON.stringify(ids);
  return sent
    ? sql`update prospect_queue set status = 'sent', sent_at = now(), claimed_until = null, updated_at = now()
          where id in (select value::uuid from jsonb_array_elements_text(${list}::jsonb)) and status in ('pending', 'sent')`
    : sql`update prospect_queue set claimed_until = null
          where id in (select value::uuid from jsonb_array_elements_text(${list}::jsonb)) and status in ('pending', 'sent')`;
}

const toOutboxRow = (row: ClaimedRow): OutboxRow => ({
  tenantId: row.tenant_id,
  prospectId: row.id,
  batchId: row.batch_id,
  revision: Number(row.revision),
});

interface Runner {
  run<Row extends Record<string, unknown>>(statement: SQL): Promise<Row[]>;
}

async function publish(
  runner: Runner,
  queue: Queue,
  filter: SQL,
  maxChunks: number,
  deadline: number,
): Promise<PublishReport> {
  const report: PublishReport = { sent: 0, failed: 0 };
  for (let chunk = 0; chunk < maxChunks && Date.now() < deadline; chunk++) {
    const claimed = await runner.run<ClaimedRow>(claimStatement(filter, CLAIM_LIMIT));
    if (claimed.length === 0) break;
    const ids = claimed.map((row) => row.id);
    try {
      await sendEnrichmentRecords(queue, claimed.map(toOutboxRow));
    } catch (error) {
      report.failed += ids.length;
      // Released at once rather than left to expire, so the next publisher does not wait out the claim.
      await runner.run(markStatement(ids, false)).catch(() => undefined);
      console.error(
        JSON.stringify({
          level: "error",
          msg: "enrichment send failed",
          rows: ids.length,
          error: String(error),
        }),
      );
      break;
    }
    await runner.run(markStatement(ids, true));
    report.sent += ids.length;
    if (claimed.length < CLAIM_LIMIT) break;
  }
  return report;
}

/** The cron's publisher: pending rows of every tenant, oldest first. */
export function publishPending(
  adminDb: AdminDb,
  queue: Queue,
  options: { maxChunks: number; deadline: number },
): Promise<PublishReport> {
  return publish(
    { run: (statement) => adminDb.execute(statement) },
    queue,
    sql`true`,
    options.maxChunks,
    options.deadline,
  );
}

/** One tenant's publisher, for the rows a request or a feed page just stored (optionally one batch's). */
export function publishTenantPending(
  db: Database,
  tenantId: string,
  queue: Queue,
  options: { batchId?: string; maxChunks: number; deadline: number },
): Promise<PublishReport> {
  const filter = options.batchId ? sql`batch_id = ${options.batchId}` : sql`true`;
  return publish(
    {
      async run<Row extends Record<string, unknown>>(statement: SQL) {
        const [result] = await db.withTenant(tenantId, (tx) => [tx.execute<Row>(statement)]);
        return result.rows;
      },
    },
    queue,
    filter,
    options.maxChunks,
    options.deadline,
  );
}
