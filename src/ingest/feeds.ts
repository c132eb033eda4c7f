// Pulling tenant feed sources: one page per due feed per tick, keyset-paged on (ModificationTimestamp, key).
//
// Order of effects per page: fetch -> store the page's records and its batch (one transaction; a record already
// stored from an earlier fetch of the same page is skipped by its source key) -> publish them -> advance the
// cursor with a compare-and-set on its old value. A crash or a failed send anywhere before the last step leaves
// the cursor where it was, and the next tick fetches the same page again without storing anything twice.
import { sql } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "../db/client.ts";
import { type RawRecord, RECORD_FIELDS } from "../domain/pipeline/contracts.ts";
import { feedSecretBinding } from "../services/ingest-feeds.ts";
import { lineageEvent } from "../services/lineage.ts";
import { publishTenantPending } from "../services/outbox.ts";
import type { PipelineDependencies } from "../services/pipeline-dependencies.ts";
import { safeFetchText } from "../services/safe-fetch.ts";

export const FEED_MAX_BYTES = 8 * 1024 * 1024;
export const FEED_TIMEOUT_MS = 15_000;

export interface DueFeed {
  id: string;
  tenant_id: string;
  kind: "csv_url" | "reso_web_api";
  url: string;
  secret_name: string | null;
  page_size: number;
  interval_minutes: number;
  cursor_timestamp: string | null;
  cursor_key: string | null;
}

export interface FeedItem {
  key: string;
  modifiedAt: string;
  record: RawRecord;
}

export interface FeedPageReport {
  feedId: string;
  status: "ok" | "caught_up" | "error";
  stored: number;
  error?: string;
}

export class FeedFormatError extends Error {
  override readonly name = "FeedFormatError";
}

function normalizeTimestamp(value: unknown): string | null {
  if (typeof value !== "string" || value.length > 40) return null;
  const time = Date.parse(value);
  return Number.isNaN(time) ? null : new Date(time).toISOString();
}

const isAfter = (item: FeedItem, cursorTimestamp: string | null, cursorKey: string | null) =>
  cursorTimestamp === null ||
  item.modifiedAt > cursorTimestamp ||
  (item.modifiedAt === cursorTimestamp && item.key > (cursorKey ?? ""));

const byCursorOrder = (a: FeedItem, b: FeedItem) =>
  a.modifiedAt === b.modifiedAt
    ? a.key < b.key
      ? -1
      : a.key > b.key
        ? 1
        : 0
    : a.modifiedAt < b.modifiedAt
      ? -1
      : 1;

const RESO_STATUS: Record<string, RawRecord["status"]> = {
  Active: "active",
  ActiveUnderContract: "pending",
  Pending: "pending",
  Closed: "sold",
};

const RESO_TYPE: Record<string, RawRecord["propertyType"]> = {
  SingleFamilyResidence: "single_family",
  Condominium: "condo",
  Townhouse: "townhouse",
  Duplex: "multi_family",
  Triplex: "multi_family",
  Quadruplex: "multi_family",
  ManufacturedHome: "manufactured",
  UnimprovedLand: "land",
};

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]).optional();
const resoPageSchema = z.object({
  value: z.array(z.record(z.string(), z.unknown())).max(5000),
});

/** RESO Data Dictionary names -> the pipeline's record fields. */
export function resoRecord(item: Record<string, unknown>): RawRecord {
  const pick = (name: string) => {
    const parsed = scalar.safeParse(item[name]);
    return parsed.success ? parsed.data : undefined;
  };
  const street = [pick("StreetNumber"), pick("StreetDirPrefix"), pick("StreetName"), pick("StreetSuffix")]
    .filter((part) => part !== undefined && part !== null && part !== "")
    .join(" ");
  const record: RawRecord = {
    externalRef: pick("ListingKey") ?? null,
    address: pick("UnparsedAddress") ?? (street || null),
    city: pick("City") ?? null,
    state: pick("StateOrProvince") ?? null,
    zip: pick("PostalCode") ?? null,
    county: pick("CountyOrParish") ?? null,
    latitude: pick("Latitude") ?? null,
    longitude: pick("Longitude") ?? null,
    price: pick("ClosePrice") ?? pick("ListPrice") ?? null,
    bedrooms: pick("BedroomsTotal") ?? null,
    bathrooms: pick("BathroomsTotalDecimal") ?? pick("BathroomsTotalInteger") ?? null,
    sqft: pick("LivingArea") ?? null,
    lotSize: pick("LotSizeSquareFeet") ?? null,
    yearBuilt: pick("YearBuilt") ?? null,
    propertyType: RESO_TYPE[String(pick("PropertySubType"))] ?? null,
    status: RESO_STATUS[String(pick("StandardStatus"))] ?? null,
    closingDate: pick("CloseDate") ?? null,
  };
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== null)) as RawRecord;
}

function resoItems(text: string): FeedItem[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new FeedFormatError("The RESO Web API answer is not JSON.");
  }
  const page = resoPageSchema.safeParse(json);
  if (!page.success) throw new FeedFormatError("The RESO Web API answer has no `value` array.");
  return page.data.value.map((item, index) => {
    const key = typeof item.ListingKey === "string" ? item.ListingKey : null;
    const modifiedAt = normalizeTimestamp(item.ModificationTimestamp);
    if (!key || key.length > 200 || !modifiedAt) {
      throw new FeedFormatError(`Record ${index} lacks a ListingKey or a valid ModificationTimestamp.`);
    }
    return { key, modifiedAt, record: resoRecord(item) };
  });
}

function csvItems(text: string, deps: PipelineDependencies): FeedItem[] {
  const table = deps.csv.parse(text);
  const known = new Set<string>(RECORD_FIELDS);
  return table.rows.map((row, index) => {
    const key = row.listingKey || row.externalRef;
    const modifiedAt = normalizeTimestamp(row.modificationTimestamp);
    if (!key || key.length > 200 || !modifiedAt) {
      throw new FeedFormatError(`Row ${index + 2} lacks a listingKey or a valid modificationTimestamp.`);
    }
    const record = Object.fromEntries(Object.entries(row).filter(([name]) => known.has(name))) as RawRecord;
    return { key, modifiedAt, record: { externalRef: key, ...record } };
  });
}

function odataString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** The RESO request for the page after the cursor: keyset filter, stable order, a page-size $top. */
export function resoPageUrl(feed: DueFeed): string {
  const url = new URL(feed.url);
  if (feed.cursor_timestamp) {
    const at = feed.cursor_timestamp;
    url.searchParams.set(
      "$filter",
      `ModificationTimestamp gt ${at} or (ModificationTimestamp eq ${at} and ListingKey gt ${odataString(
        feed.cursor_key ?? "",
      )})`,
    );
  }
  url.searchParams.set("$orderby", "ModificationTimestamp asc,ListingKey asc");
  url.searchParams.set("$top", String(feed.page_size));
  return url.toString();
}

export async function fetchFeedPage(
  feed: DueFeed,
  env: Env,
  deps: PipelineDependencies,
): Promise<FeedItem[]> {
  const headers: Record<string, string> = {
    accept: feed.kind === "csv_url" ? "text/csv" : "application/json",
  };
  if (feed.secret_name) {
    const token = (env as unknown as Record<string, unknown>)[
      feedSecretBinding(feed.tenant_id, feed.secret_name)
    ];
    if (typeof token !== "string" || token === "") {
      throw new FeedFormatError(`The secret ${feed.secret_name} is not configured.`);
    }
    headers.authorization = `Bearer ${token}`;
  }
  const url = feed.kind === "reso_web_api" ? resoPageUrl(feed) : feed.url;
  const { text } = await safeFetchText(url, {
    fetcher: deps.fetcher,
    headers,
    maxBytes: FEED_MAX_BYTES,
    timeoutMs: FEED_TIMEOUT_MS,
  });
  const items = feed.kind === "reso_web_api" ? resoItems(text) : csvItems(text, deps);
  // Sources are not trusted to honour the filter and order: the cursor logic relies on both.
  return items
    .filter((item) => isAfter(item, feed.cursor_timestamp, feed.cursor_key))
    .sort(byCursorOrder)
    .slice(0, feed.page_size);
}

async function storePage(db: Database, feed: DueFeed, items: FeedItem[]): Promise<string | null> {
  const batchId = crypto.randomUUID();
  const runId = crypto.randomUUID();
  const start = lineageEvent("START", {
    tenantId: feed.tenant_id,
    batchId,
    runId,
    source: "feed",
    feedId: feed.id,
    eventTime: new Date().toISOString(),
    received: items.length,
  });
  const records = JSON.stringify(
    items.map((item) => ({ key: `${item.key}@${item.modifiedAt}`, record: item.record })),
  );
  const [stored] = await db.withTenant(feed.tenant_id, (tx) => [
    tx.execute<{ stored: number }>(sql`
      with page as (
        select r.value->>'key' as source_key, r.value->'record' as payload, (r.position - 1)::int as position
        from jsonb_array_elements(${records}::jsonb) with ordinality as r(value, position)
      ), fresh as (
        select * from page
        where not exists (select 1 from prospect_queue q where q.source_key = page.source_key)
      ), batch as (
        insert into ingest_batches (id, tenant_id, source, feed_id, received, run_id)
        select ${batchId}, ${feed.tenant_id}, 'feed', ${feed.id}, (select count(*) from fresh), ${runId}
        where exists (select 1 from fresh)
        returning id
      ), inserted as (
        insert into prospect_queue (tenant_id, batch_id, position, payload, source_key)
        select ${feed.tenant_id}, batch.id, fresh.position, fresh.payload, fresh.source_key from batch, fresh
        on conflict (tenant_id, source_key) where source_key is not null do nothing
        returning id
      ), started as (
        insert into lineage_events (tenant_id, batch_id, run_id, event_type, event)
        select ${feed.tenant_id}, batch.id, ${runId}, 'START', ${JSON.stringify(start)}::jsonb from batch
      )
      select (select count(*) from inserted)::int as stored`),
  ]);
  return Number(stored.rows[0]?.stored ?? 0) > 0 ? batchId : null;
}

async function finishRun(
  db: Database,
  feed: DueFeed,
  outcome: {
    status: FeedPageReport["status"];
    error?: string;
    last?: FeedItem;
    full: boolean;
    stored: number;
  },
): Promise<void> {
  const advance = outcome.last !== undefined;
  await db.withTenant(feed.tenant_id, (tx) => [
    tx.execute(sql`
      update ingest_feeds set
        cursor_timestamp = case when ${advance}::boolean then ${outcome.last?.modifiedAt ?? null} else cursor_timestamp end,
        cursor_key = case when ${advance}::boolean then ${outcome.last?.key ?? null} else cursor_key end,
        -- A full page means more is waiting: stay due. A failing source is retried sooner than its interval.
        next_run_at = case when ${outcome.full}::boolean then now()
          when ${outcome.status} = 'error' then now() + make_interval(mins => least(interval_minutes, 5))
          else now() + make_interval(mins => interval_minutes) end,
        last_run_at = now(), last_status = ${outcome.status}, last_error = ${outcome.error?.slice(0, 1000) ?? null},
        records_ingested = records_ingested + ${outcome.stored}, updated_at = now()
      where id = ${feed.id}
        and cursor_timestamp is not distinct from ${feed.cursor_timestamp}
        and cursor_key is not distinct from ${feed.cursor_key}`),
  ]);
}

export async function pullFeedPage(
  context: { db: Database; env: Env; deps: PipelineDependencies; queue: Queue; deadline: number },
  feed: DueFeed,
): Promise<FeedPageReport> {
  const { db } = context;
  try {
    const items = await fetchFeedPage(feed, context.env, context.deps);
    const last = items.at(-1);
    if (!last) {
      await finishRun(db, feed, { status: "caught_up", full: false, stored: 0 });
      return { feedId: feed.id, status: "caught_up", stored: 0 };
    }
    const batchId = await storePage(db, feed, items);
    const stored = batchId ? items.length : 0;
    if (batchId) {
      const published = await publishTenantPending(db, feed.tenant_id, context.queue, {
        batchId,
        maxChunks: Math.ceil(items.length / 100) + 1,
        deadline: context.deadline,
      });
      if (published.failed > 0) {
        // Stored but not sent: the cron's outbox pass sends them; the cursor waits for that.
        await finishRun(db, feed, {
          status: "error",
          error: "Sending to the queue failed.",
          full: true,
          stored,
        });
        return { feedId: feed.id, status: "error", stored, error: "send failed" };
      }
    }
    const full = items.length >= feed.page_size;
    await finishRun(db, feed, { status: full ? "ok" : "caught_up", last, full, stored });
    return { feedId: feed.id, status: full ? "ok" : "caught_up", stored };
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    await finishRun(db, feed, { status: "error", error: message, full: false, stored: 0 }).catch(
      () => undefined,
    );
    return { feedId: feed.id, status: "error", stored: 0, error: message };
  }
}
