// Tenant feed sources: CRUD. A feed's URL is checked for SSRF when it is saved (and again on every fetch, since
// a redirect can lead anywhere); its bearer token is never stored, only the name of the Worker secret holding it.
import { sql } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "../db/client.ts";
import { ApiError, fieldIssues } from "../errors.ts";
import { assertSafeUrl, UnsafeUrlError } from "./safe-fetch.ts";

/**
 * The Worker secret holding a feed's bearer token. Tenants name only the suffix; the tenant id in the middle
 * keeps one tenant from naming another's secret, and the prefix keeps everyone off the platform's own secrets.
 */
export function feedSecretBinding(tenantId: string, secretName: string): string {
  return `FEED_SECRET_${tenantId.replaceAll("-", "").toUpperCase()}_${secretName}`;
}

const feedFields = {
  name: z.string().trim().min(1).max(200),
  kind: z.enum(["csv_url", "reso_web_api"]),
  url: z.string().max(2000),
  secretName: z
    .string()
    .regex(/^[A-Z0-9_]{1,40}$/, "Upper-case letters, digits and underscores, at most 40.")
    .nullable(),
  intervalMinutes: z.number().int().min(1).max(10_080),
  pageSize: z.number().int().min(1).max(5_000),
  enabled: z.boolean(),
};

export const createFeedSchema = z
  .object({
    ...feedFields,
    secretName: feedFields.secretName.optional(),
    intervalMinutes: feedFields.intervalMinutes.optional(),
    pageSize: feedFields.pageSize.optional(),
    enabled: feedFields.enabled.optional(),
  })
  .strict();
export const updateFeedSchema = z.object(feedFields).partial().strict();

export type CreateFeedInput = z.infer<typeof createFeedSchema>;
export type UpdateFeedInput = z.infer<typeof updateFeedSchema>;

export interface Feed {
  id: string;
  name: string;
  kind: "csv_url" | "reso_web_api";
  url: string;
  secretName: string | null;
  /** The Worker secret an operator must set to this feed's bearer token. */
  secretBinding: string | null;
  intervalMinutes: number;
  pageSize: number;
  enabled: boolean;
  cursor: { modificationTimestamp: string | null; key: string | null };
  nextRunAt: string;
  lastRunAt: string | null;
  lastStatus: string | null;
  lastError: string | null;
  recordsIngested: number;
  createdAt: string;
  updatedAt: string;
}

const iso = (value: unknown) => (value ? new Date(String(value)).toISOString() : null);

function toFeed(tenantId: string, row: Record<string, unknown>): Feed {
  const secretName = (row.secret_name as string | null) ?? null;
  return {
    id: String(row.id),
    name: String(row.name),
    kind: row.kind as Feed["kind"],
    url: String(row.url),
    secretName,
    secretBinding: secretName ? feedSecretBinding(tenantId, secretName) : null,
    intervalMinutes: Number(row.interval_minutes),
    pageSize: Number(row.page_size),
    enabled: Boolean(row.enabled),
    cursor: {
      modificationTimestamp: (row.cursor_timestamp as string | null) ?? null,
      key: (row.cursor_key as string | null) ?? null,
    },
    nextRunAt: iso(row.next_run_at) ?? "",
    lastRunAt: iso(row.last_run_at),
    lastStatus: (row.last_status as string | null) ?? null,
    lastError: (row.last_error as string | null) ?? null,
    recordsIngested: Number(row.records_ingested),
    createdAt: iso(row.created_at) ?? "",
    updatedAt: iso(row.updated_at) ?? "",
  };
}

export function parseFeedInput<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new ApiError("validation_failed", {
      detail: "The feed is not valid.",
      errors: fieldIssues(parsed.error),
    });
  }
  const url = (parsed.data as { url?: string }).url;
  if (url !== undefined) {
    try {
      assertSafeUrl(url);
    } catch (error) {
      if (!(error instanceof UnsafeUrlError)) throw error;
      throw new ApiError("validation_failed", {
        detail: "The feed URL is not allowed.",
        errors: [{ field: "url", message: error.message }],
      });
    }
  }
  return parsed.data;
}

const FEED_COLUMNS = sql`id, name, kind, url, secret_name, interval_minutes, page_size, enabled, cursor_timestamp,
  cursor_key, next_run_at, last_run_at, last_status, last_error, records_ingested, created_at, updated_at`;

export async function createFeed(db: Database, tenantId: string, input: CreateFeedInput): Promise<Feed> {
  const [result] = await db.withTenant(tenantId, (tx) => [
    tx.execute<Record<string, unknown>>(sql`
      insert into ingest_feeds (tenant_id, name, kind, url, secret_name, interval_minutes, page_size, enabled)
      values (${tenantId}, ${input.name}, ${input.kind}, ${input.url}, ${input.secretName ?? null},
        ${input.intervalMinutes ?? 60}, ${input.pageSize ?? 1000}, ${input.enabled ?? true})
      returning ${FEED_COLUMNS}`),
  ]);
  const row = result.rows[0];
  if (!row) throw new ApiError("internal", { detail: "The feed was not stored." });
  return toFeed(tenantId, row);
}

export async function listFeeds(db: Database, tenantId: string): Promise<Feed[]> {
  const [result] = await db.withTenant(tenantId, (tx) => [
    tx.execute<Record<string, unknown>>(sql`
      select ${FEED_COLUMNS} from ingest_feeds where tenant_id = ${tenantId} order by created_at, id limit 200`),
  ]);
  return result.rows.map((row) => toFeed(tenantId, row));
}

export async function getFeed(db: Database, tenantId: string, feedId: string): Promise<Feed> {
  const [result] = await db.withTenant(tenantId, (tx) => [
    tx.execute<Record<string, unknown>>(sql`
      select ${FEED_COLUMNS} from ingest_feeds where tenant_id = ${tenantId} and id = ${feedId}`),
  ]);
  const row = result.rows[0];
  if (!row) throw new ApiError("not_found", { detail: "No such feed." });
  return toFeed(tenantId, row);
}

export async function updateFeed(
  db: Database,
  tenantId: string,
  feedId: string,
  input: UpdateFeedInput,
): Promise<Feed> {
  const has = (field: keyof UpdateFeedInput) => input[field] !== undefined;
  // A new URL or kind is a new source: its cursor starts over and it is due at once.
  const restart = has("url") || has("kind");
  const [result] = await db.withTenant(tenantId, (tx) => [
    tx.execute<Record<string, unknown>>(sql`
      update ingest_feeds set
        name = coalesce(${input.name ?? null}, name),
        kind = coalesce(${input.kind ?? null}, kind),
        url = coalesce(${input.url ?? null}, url),
        secret_name = case when ${has("secretName")}::boolean then ${input.secretName ?? null} else secret_name end,
        interval_minutes = coalesce(${input.intervalMinutes ?? null}::integer, interval_minutes),
        page_size = coalesce(${input.pageSize ?? null}::integer, page_size),
        enabled = coalesce(${input.enabled ?? null}::boolean, enabled),
        cursor_timestamp = case when ${restart}::boolean then null else cursor_timestamp end,
        cursor_key = case when ${restart}::boolean then null else cursor_key end,
        cursor_offset = case when ${restart}::boolean then null else cursor_offset end,
        cursor_rows = case when ${restart}::boolean then 0 else cursor_rows end,
        cursor_validator = case when ${restart}::boolean then null else cursor_validator end,
        cursor_header = case when ${restart}::boolean then null else cursor_header end,
        next_run_at = case when ${restart}::boolean then now() else next_run_at end,
        updated_at = now()
      where tenant_id = ${tenantId} and id = ${feedId}
      returning ${FEED_COLUMNS}`),
  ]);
  const row = result.rows[0];
  if (!row) throw new ApiError("not_found", { detail: "No such feed." });
  return toFeed(tenantId, row);
}

export async function deleteFeed(db: Database, tenantId: string, feedId: string): Promise<void> {
  const [result] = await db.withTenant(tenantId, (tx) => [
    tx.execute(sql`delete from ingest_feeds where tenant_id = ${tenantId} and id = ${feedId} returning id`),
  ]);
  if (result.rows.length === 0) throw new ApiError("not_found", { detail: "No such feed." });
}
