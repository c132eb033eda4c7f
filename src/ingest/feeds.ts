// Pulling tenant feed sources: one page (page_size records) per due feed per tick, so a tick holds at most one
// page of records whatever the size of the feed, and a 100,000-record source completes over successive ticks
// (a full page leaves the feed due at once).
//
// RESO Web API sources are keyset-paged on (ModificationTimestamp, ListingKey). CSV files have no order to page
// on: they are streamed (the response body parsed as it arrives, see CsvRowStream) and resumed at a byte offset
// of one version of the file, named by its ETag or Last-Modified (migrations/0016):
//   - a resumed pull asks for `Range: bytes=<offset - 1>-` with `If-Range: <validator>`; the byte before the
//     offset must be the line break that ended the last row sent, or the file is taken as changed;
//   - a 206 continues there with the stored header; a 200 for the same version (a server that ignores Range) is
//     skipped up to the offset without being parsed; a 200 for another version (the file changed between ticks)
//     is read from its first row: rows already stored (same listing key and modification timestamp) are skipped
//     by their source key, new and changed rows are stored, and rows that left the file are not deleted;
//   - a version read to its end is asked for again after the feed's interval with If-None-Match (or
//     If-Modified-Since); a 304 is caught up. A file without either validator is read again from its start.
//
// Order of effects per page: fetch -> store the page's records and its batch (one transaction; a record already
// stored from an earlier fetch of the same page is skipped by its source key) -> publish them -> advance the
// cursor with a compare-and-set on its old value. A crash or a failed send anywhere before the last step leaves
// the cursor where it was, and the next tick fetches the same page again without storing anything twice.
import { sql } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "../db/client.ts";
import { cappedChunks } from "../domain/capped-stream.ts";
import { CsvError, CsvRowStream } from "../domain/csv.ts";
import { type RawRecord, RECORD_FIELDS } from "../domain/pipeline/contracts.ts";
import { feedSecretBinding } from "../services/ingest-feeds.ts";
import { lineageEvent } from "../services/lineage.ts";
import { publishTenantPending } from "../services/outbox.ts";
import type { PipelineDependencies } from "../services/pipeline-dependencies.ts";
import { FetchLimitError, safeFetch, safeFetchText, timeoutAsLimit } from "../services/safe-fetch.ts";

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
  /** CSV: the byte offset after the last row sent, in the version named by cursor_validator (0016). */
  cursor_offset: number | null;
  cursor_rows: number;
  cursor_validator: string | null;
  cursor_header: string[] | null;
}

/** Where a feed's next pull starts: the RESO keyset, and for CSV the position in a version of the file. */
export type FeedCursor = Pick<
  DueFeed,
  "cursor_timestamp" | "cursor_key" | "cursor_offset" | "cursor_rows" | "cursor_validator" | "cursor_header"
>;

export interface FeedPage {
  items: FeedItem[];
  /** The cursor after these items. */
  next: FeedCursor;
  /** False when the source has more after this page. */
  exhausted: boolean;
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
  /** Records held in memory for the page (at most the feed's page size). */
  held: number;
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

/** The page's feed items from CSV rows: the listing key and modification timestamp are required. */
const RECORD_FIELD_NAMES: ReadonlySet<string> = new Set<string>(RECORD_FIELDS);

function csvItem(header: readonly string[], fields: readonly string[], row: number): FeedItem {
  const values: Record<string, string> = Object.create(null);
  for (let index = 0; index < header.length; index++)
    values[header[index] as string] = fields[index] as string;
  const key = values.listingKey || values.externalRef;
  const modifiedAt = normalizeTimestamp(values.modificationTimestamp);
  if (!key || key.length > 200 || !modifiedAt) {
    throw new FeedFormatError(`Row ${row + 1} lacks a listingKey or a valid modificationTimestamp.`);
  }
  const record = Object.fromEntries(
    Object.entries(values).filter(([name]) => RECORD_FIELD_NAMES.has(name)),
  ) as RawRecord;
  return { key, modifiedAt, record: { externalRef: key, ...record } };
}

/** The version of a fetched file: its ETag, else its Last-Modified, else null (no way to tell versions apart). */
function validatorOf(response: Response): string | null {
  const etag = response.headers.get("etag");
  if (etag && etag.length <= 290) return `etag ${etag}`;
  const modified = response.headers.get("last-modified");
  return modified && modified.length <= 100 ? `last-modified ${modified}` : null;
}

function conditionalHeaders(validator: string, headers: Record<string, string>, resume: boolean): void {
  const [kind, value = ""] = [
    validator.slice(0, validator.indexOf(" ")),
    validator.slice(validator.indexOf(" ") + 1),
  ];
  if (resume) headers["if-range"] = value;
  else if (kind === "etag") headers["if-none-match"] = value;
  else headers["if-modified-since"] = value;
}

const LF = 10;
const CR = 13;
const CSV_STARTED_OVER: Pick<
  FeedCursor,
  "cursor_offset" | "cursor_rows" | "cursor_validator" | "cursor_header"
> = {
  cursor_offset: null,
  cursor_rows: 0,
  cursor_validator: null,
  cursor_header: null,
};

/**
 * One page of a CSV feed, streamed: at most page_size rows are parsed into records, at most FEED_MAX_BYTES are
 * read past the cursor, and the rest of the body is left unread (the stream is cancelled).
 */
export async function fetchCsvPage(
  feed: DueFeed,
  headers: Record<string, string>,
  deps: PipelineDependencies,
): Promise<FeedPage> {
  const resumeAt = feed.cursor_offset !== null && feed.cursor_header !== null ? feed.cursor_offset : null;
  if (resumeAt !== null) headers.range = `bytes=${resumeAt - 1}-`;
  if (feed.cursor_validator) conditionalHeaders(feed.cursor_validator, headers, resumeAt !== null);
  const { response } = await safeFetch(feed.url, {
    fetcher: deps.fetcher,
    headers,
    maxBytes: FEED_MAX_BYTES,
    timeoutMs: FEED_TIMEOUT_MS,
    accept: [304, 416],
  });
  if (response.status === 304) {
    await response.body?.cancel();
    return { items: [], next: feed, exhausted: true };
  }
  if (response.status === 416) {
    // The file is now shorter than the cursor: it changed. Start the new version over on the next pull.
    await response.body?.cancel();
    return { items: [], next: { ...feed, ...CSV_STARTED_OVER }, exhausted: false };
  }
  const validator = validatorOf(response);
  // How the body relates to the cursor: continues at it (206), holds the same version whole (skip to the
  // offset), or is a new version read from its start.
  let skip = 0;
  let position = { startByte: 0, rows: 0, header: null as string[] | null };
  if (resumeAt !== null) {
    const range = /^bytes (\d+)-/.exec(response.headers.get("content-range") ?? "");
    if (response.status === 206 && range && Number(range[1]) === resumeAt - 1) {
      position = { startByte: resumeAt - 1, rows: feed.cursor_rows, header: feed.cursor_header };
    } else if (response.status === 200 && validator === feed.cursor_validator) {
      // The same version (or, without validators, a file the alignment check below vouches for), whole.
      skip = resumeAt - 1;
      position = { startByte: resumeAt - 1, rows: feed.cursor_rows, header: feed.cursor_header };
    } else if (response.status === 206) {
      await response.body?.cancel();
      throw new FeedFormatError("The source answered a range other than the one asked for.");
    }
  }
  const resuming = position.header !== null;
  const header = position.header;
  const parser = new CsvRowStream(
    resuming ? { startByte: position.startByte + 1, fieldCount: header?.length } : {},
  );
  const decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });
  const items: FeedItem[] = [];
  let columns = header;
  let rows = position.rows;
  let endByte = position.startByte + (resuming ? 1 : 0);
  let aligned = !resuming;
  let exhausted = false;
  const take = (parsed: { fields: string[]; endByte: number }[]) => {
    for (const row of parsed) {
      if (columns === null) {
        columns = row.fields.map((name) => name.trim());
        if (new Set(columns).size !== columns.length) {
          throw new FeedFormatError("The CSV header names a column twice.");
        }
      } else {
        rows++;
        items.push(csvItem(columns, row.fields, rows));
      }
      endByte = row.endByte;
      if (items.length >= feed.page_size) return true;
    }
    return false;
  };
  try {
    let full = false;
    for await (let chunk of cappedChunks(
      response.body,
      null,
      skip + FEED_MAX_BYTES,
      () => new FetchLimitError(`A page is larger than ${FEED_MAX_BYTES} bytes.`),
    )) {
      if (skip > 0) {
        const dropped = Math.min(skip, chunk.byteLength);
        chunk = chunk.subarray(dropped);
        skip -= dropped;
        if (chunk.byteLength === 0) continue;
      }
      if (!aligned) {
        // The byte before the offset ends the last row sent; anything else means the bytes moved.
        if (chunk[0] !== LF && chunk[0] !== CR) {
          return { items: [], next: { ...feed, ...CSV_STARTED_OVER }, exhausted: false };
        }
        aligned = true;
        chunk = chunk.subarray(1);
      }
      if (take(parser.push(decoder.decode(chunk, { stream: true })))) {
        full = true;
        break;
      }
    }
    if (!full) {
      if (!aligned) return { items: [], next: { ...feed, ...CSV_STARTED_OVER }, exhausted: false };
      const tail = decoder.decode();
      full = take([...parser.push(tail), ...parser.end()]);
      exhausted = !full;
    }
  } catch (error) {
    if (error instanceof CsvError) throw new FeedFormatError(`CSV ${error.message}`);
    throw timeoutAsLimit(error);
  }
  const last = items.at(-1);
  return {
    items,
    next: {
      cursor_timestamp: last?.modifiedAt ?? feed.cursor_timestamp,
      cursor_key: last?.key ?? feed.cursor_key,
      // A version read to its end is done: the next pull asks whether there is a new one.
      cursor_offset: exhausted ? null : endByte,
      cursor_rows: rows,
      cursor_validator: validator,
      cursor_header: exhausted ? null : columns,
    },
    exhausted,
  };
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

export async function fetchFeedPage(feed: DueFeed, env: Env, deps: PipelineDependencies): Promise<FeedPage> {
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
  if (feed.kind === "csv_url") return fetchCsvPage(feed, headers, deps);
  const { text } = await safeFetchText(resoPageUrl(feed), {
    fetcher: deps.fetcher,
    headers,
    maxBytes: FEED_MAX_BYTES,
    timeoutMs: FEED_TIMEOUT_MS,
  });
  // Sources are not trusted to honour the filter and order: the cursor logic relies on both.
  const items = resoItems(text)
    .filter((item) => isAfter(item, feed.cursor_timestamp, feed.cursor_key))
    .sort(byCursorOrder)
    .slice(0, feed.page_size);
  const last = items.at(-1);
  return {
    items,
    next: last ? { ...feed, cursor_timestamp: last.modifiedAt, cursor_key: last.key } : feed,
    exhausted: items.length < feed.page_size,
  };
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
        where not exists (
          select 1 from prospect_queue q where q.tenant_id = ${feed.tenant_id} and q.source_key = page.source_key)
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

/** Ends a pull: moves the cursor to `next` (compare-and-set on the one it started from) and schedules the feed. */
async function finishRun(
  db: Database,
  feed: DueFeed,
  outcome: {
    status: FeedPageReport["status"];
    error?: string;
    next?: FeedCursor;
    full: boolean;
    stored: number;
  },
): Promise<void> {
  const next = outcome.next ?? feed;
  await db.withTenant(feed.tenant_id, (tx) => [
    tx.execute(sql`
      update ingest_feeds set
        cursor_timestamp = ${next.cursor_timestamp}, cursor_key = ${next.cursor_key},
        cursor_offset = ${next.cursor_offset}, cursor_rows = ${next.cursor_rows},
        cursor_validator = ${next.cursor_validator},
        cursor_header = ${next.cursor_header === null ? null : JSON.stringify(next.cursor_header)}::jsonb,
        -- A full page means more is waiting: stay due. A failing source is retried sooner than its interval.
        next_run_at = case when ${outcome.full}::boolean then now()
          when ${outcome.status} = 'error' then now() + make_interval(mins => least(interval_minutes, 5))
          else now() + make_interval(mins => interval_minutes) end,
        last_run_at = now(), last_status = ${outcome.status}, last_error = ${outcome.error?.slice(0, 1000) ?? null},
        records_ingested = records_ingested + ${outcome.stored}, updated_at = now()
      where id = ${feed.id}
        and cursor_timestamp is not distinct from ${feed.cursor_timestamp}
        and cursor_key is not distinct from ${feed.cursor_key}
        and cursor_offset is not distinct from ${feed.cursor_offset}::bigint
        and cursor_validator is not distinct from ${feed.cursor_validator}`),
  ]);
}

export async function pullFeedPage(
  context: { db: Database; env: Env; deps: PipelineDependencies; queue: Queue; deadline: number },
  feed: DueFeed,
): Promise<FeedPageReport> {
  const { db } = context;
  try {
    const page = await fetchFeedPage(feed, context.env, context.deps);
    const { items } = page;
    const held = items.length;
    if (items.length === 0) {
      // Caught up, or (CSV) a changed file whose cursor starts over: due again at once in that case.
      await finishRun(db, feed, {
        status: page.exhausted ? "caught_up" : "ok",
        next: page.next,
        full: !page.exhausted,
        stored: 0,
      });
      return { feedId: feed.id, status: page.exhausted ? "caught_up" : "ok", stored: 0, held };
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
        return { feedId: feed.id, status: "error", stored, held, error: "send failed" };
      }
    }
    const full = !page.exhausted;
    await finishRun(db, feed, { status: full ? "ok" : "caught_up", next: page.next, full, stored });
    return { feedId: feed.id, status: full ? "ok" : "caught_up", stored, held };
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    await finishRun(db, feed, { status: "error", error: message, full: false, stored: 0 }).catch(
      () => undefined,
    );
    return { feedId: feed.id, status: "error", stored: 0, held: 0, error: message };
  }
}
