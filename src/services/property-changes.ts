// The properties changes feed: every write appended its change to property_changes in the statement that made
// it (services/properties.ts); this reads them back in commit order, with a cursor that never skips one.
import { type SQL, sql } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import {
  type ChangesPosition,
  decodeChangesCursor,
  encodeChangesCursor,
  InvalidCursorError,
} from "../domain/list-cursor.ts";
import { ApiError } from "../errors.ts";
import { type Property, propertyFromRecord, type Row, rowsOf } from "./property-records.ts";
import { PROPERTY_CHANGES_RETENTION_DAYS } from "./retention.ts";

export interface PropertyChange {
  changeId: string;
  operation: "created" | "updated" | "deleted";
  propertyId: string;
  version: number;
  changedAt: string;
  /** The property as written by this change; null for a deletion (a tombstone). */
  property: Property | null;
}

export interface ChangesPage {
  changes: PropertyChange[];
  /** Where to resume; always present, so a caller that is up to date polls with it. */
  nextCursor: string;
  hasMore: boolean;
}

/**
 * The changes feed. Only changes from transactions older than this snapshot's xmin are served: every
 * transaction with a smaller id has finished, so no change can later appear behind the returned cursor.
 * Order is (xid, change id); a property's own changes are in version order because each write requires the
 * version the previous one produced.
 */
export async function listPropertyChanges(
  db: Database,
  tenantId: string,
  options: { since?: string; limit: number },
): Promise<ChangesPage> {
  let since: ChangesPosition | undefined;
  if (options.since !== undefined) {
    try {
      since = decodeChangesCursor(options.since);
    } catch (error) {
      if (error instanceof InvalidCursorError) {
        throw new ApiError("invalid_cursor", { detail: "The changes cursor is not valid." });
      }
      throw error;
    }
  }
  // One statement, so the horizon and the page come from the same snapshot: a purge that commits meanwhile either
  // removed rows this page would have had (and the horizon says so) or removed nothing this page sees.
  const after: SQL = since
    ? sql`and (xid, change_id) > (${since.xid}::xid8, ${since.changeId}::bigint)`
    : sql``;
  const gone: SQL = since
    ? sql`exists (select 1 from property_changes_horizon h where h.tenant_id = ${tenantId}::uuid
        and (h.xid, h.change_id) > (${since.xid}::xid8, ${since.changeId}::bigint))`
    : sql`false`;
  const [result] = await db.withTenant(tenantId, (tx) => [
    tx.execute(sql`select horizon.gone, page.change_id::text as change_id, page.xid::text as xid, page.operation,
        page.property_id, page.version, page.changed_at, page.snapshot
      from (select ${gone} as gone) horizon
      left join lateral (
        select change_id, xid, operation, property_id, version, changed_at, snapshot
        from property_changes
        where tenant_id = ${tenantId}::uuid and xid < pg_snapshot_xmin(pg_current_snapshot()) ${after}
        order by xid, change_id
        limit ${options.limit + 1}
      ) page on true
      order by page.xid, page.change_id`),
  ]);
  if (rowsOf(result)[0]?.gone) {
    throw new ApiError("changes_cursor_expired", {
      detail:
        `Changes after this cursor were removed: the feed keeps superseded changes and tombstones for ` +
        `${PROPERTY_CHANGES_RETENTION_DAYS} days. Start again without since (the feed from the start holds ` +
        "every property's latest change).",
    });
  }
  const rows = rowsOf(result).filter((row) => row.change_id !== null);
  const page = rows.slice(0, options.limit);
  const changes = page.map(
    (row): PropertyChange => ({
      changeId: String(row.change_id),
      operation: row.operation as PropertyChange["operation"],
      propertyId: String(row.property_id),
      version: Number(row.version),
      changedAt: new Date(String(row.changed_at)).toISOString(),
      property: row.snapshot ? propertyFromRecord(row.snapshot as Row) : null,
    }),
  );
  const last = page.at(-1);
  const position = last ? { xid: String(last.xid), changeId: String(last.change_id) } : since;
  return {
    changes,
    nextCursor: encodeChangesCursor(position ?? { xid: "0", changeId: "0" }),
    hasMore: rows.length > options.limit,
  };
}
