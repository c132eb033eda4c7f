// The cron's lease: a row in Postgres with an expiry, taken by one conditional upsert. Two overlapping ticks (a
// slow one and the next, or a manual trigger) race on the same row and exactly one gets it back.
//
// Why Postgres and not a Durable Object: everything the lease protects (the outbox claims, feed cursors, batch
// completion) lives in Postgres, and every guarded write already carries its own guard there (claims with SKIP
// LOCKED, compare-and-set cursors), so the lease only has to keep ticks from duplicating work, not be the last
// line of correctness. Keeping it in the same store avoids a second system whose availability is independent of
// the database's (a DO that grants a lease while the database is down buys nothing), and needs no extra binding
// mirrored into every environment. The expiry bounds how long a crashed holder blocks the next tick.
import { sql } from "drizzle-orm";
import type { AdminDb } from "../db/admin.ts";

export async function acquireLease(adminDb: AdminDb, name: string, holder: string, ttlSeconds: number) {
  const rows = await adminDb.execute<{ holder: string }>(sql`
    insert into ingest_leases (name, holder, expires_at)
    values (${name}, ${holder}, now() + make_interval(secs => ${ttlSeconds}))
    on conflict (name) do update set holder = excluded.holder, expires_at = excluded.expires_at
      where ingest_leases.expires_at < now()
    returning holder`);
  return rows[0]?.holder === holder;
}

/** Gives the lease up early; only its holder can, so a tick that overran its lease cannot free a successor's. */
export async function releaseLease(adminDb: AdminDb, name: string, holder: string): Promise<void> {
  await adminDb.execute(sql`
    update ingest_leases set expires_at = now() where name = ${name} and holder = ${holder}`);
}
