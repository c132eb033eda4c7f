// The cross-tenant client. It connects as a member of app_admin, whose admin_all policies see every tenant's
// rows, so it is named for what it bypasses and used only by the cron (scans across tenants: the outbox, due
// feeds, finished batches, the lease, retention deletes). Request handlers and the queue consumer never receive
// it.
import { neon } from "@neondatabase/serverless";
import type { SQL } from "drizzle-orm";
import { drizzle } from "drizzle-orm/neon-http";
import { toDatabaseError } from "./client.ts";

export interface AdminDb {
  /** Runs one statement in its own transaction (one HTTP round trip) and answers its rows. */
  execute<Row extends Record<string, unknown>>(statement: SQL): Promise<Row[]>;
}

export function createAdminDb(options: { url: string; timeoutMs: number }): AdminDb {
  return {
    async execute<Row extends Record<string, unknown>>(statement: SQL) {
      const db = drizzle({
        client: neon(options.url, { fetchOptions: { signal: AbortSignal.timeout(options.timeoutMs) } }),
      });
      try {
        const result = await db.execute<Row>(statement);
        return result.rows;
      } catch (error) {
        throw toDatabaseError(error);
      }
    },
  };
}
