// The per-tenant market index (migrations/0012, method in src/domain/valuation/market.ts and docs/valuation.md):
// the cron recomputes a due tenant's points from its own closed sales; the valuation reads its subject's area's
// points in the statement that loads its comps candidates (comps.ts, marketPointsQuery).
//
// A refresh is two statements under the tenant's RLS context: one reads the tenant's sales of the last
// MARKET_HISTORY_DAYS + window, one replaces the tenant's points for the model version and records the refresh.
// The estimate needs the model's hedonic prediction of every sale, which is TypeScript, not SQL.
import { type SQL, sql } from "drizzle-orm";
import type { AdminDb } from "../db/admin.ts";
import type { Database } from "../db/client.ts";
import {
  ALL_AREAS,
  type AvmModel,
  chooseMarketView,
  isoDateToEpochDay,
  MARKET_HISTORY_DAYS,
  type MarketObservation,
  type MarketPoint,
  type MarketView,
  marketAreaOf,
  marketLevelsByArea,
  marketObservation,
  marketPointDates,
} from "../domain/valuation/index.ts";
import { type CandidateRow, PROPERTY_COLUMNS, saleOfRow } from "./comps.ts";

/** How stale a tenant's points may get: the newest point moves with each day's closed sales. */
export const MARKET_INDEX_REFRESH_MINUTES = 360;

export interface MarketIndexRefresh {
  tenantId: string;
  modelVersion: string;
  /** Points written (all areas). */
  points: number;
  /** Sales read. */
  sales: number;
}

/** Active tenants whose points for `modelVersion` were never computed or are older than the refresh interval. */
export async function tenantsDueForMarketIndex(
  adminDb: AdminDb,
  modelVersion: string,
  limit: number,
): Promise<string[]> {
  const rows = await adminDb.execute<{ id: string }>(sql`
    select t.id from tenants t
    left join market_index_refreshes r on r.tenant_id = t.id and r.model_version = ${modelVersion}
    where t.status = 'active'
      and (r.refreshed_at is null
        or r.refreshed_at < now() - make_interval(mins => ${MARKET_INDEX_REFRESH_MINUTES}::int))
    order by r.refreshed_at nulls first, t.id
    limit ${limit}`);
  return rows.map((row) => String(row.id));
}

/** The market points of `model` for `today` from the tenant's closed sales (pure; exported for tests). */
export function marketPointsOf(
  model: AvmModel,
  sales: readonly CandidateRow[],
  today: string,
): { area: string; asOf: string; level: number; sales: number }[] {
  const observations: MarketObservation[] = [];
  for (const row of sales) {
    const observation = marketObservation(model.hedonic, model.zipEffects, saleOfRow(row));
    if (observation) observations.push(observation);
  }
  const points: { area: string; asOf: string; level: number; sales: number }[] = [];
  for (const asOf of marketPointDates(model.training.to, today)) {
    const levels = marketLevelsByArea(
      observations,
      isoDateToEpochDay(asOf),
      model.market.windowDays,
      model.market.minSales,
    );
    for (const [area, level] of levels) points.push({ area, asOf, level: level.level, sales: level.sales });
  }
  return points;
}

/** Recomputes the tenant's points for `model` as of `today` (YYYY-MM-DD) and replaces the stored ones. */
export async function refreshMarketIndex(
  db: Database,
  tenantId: string,
  model: AvmModel,
  today: string,
): Promise<MarketIndexRefresh> {
  const readFrom = MARKET_HISTORY_DAYS + model.market.windowDays;
  const [read] = await db.withTenant(tenantId, (tx) => [
    tx.execute<CandidateRow>(sql`
      select ${PROPERTY_COLUMNS} from properties c
      where c.tenant_id = ${tenantId} and c.status = 'sold' and c.deleted_at is null and c.closing_price > 0
        and c.closing_date < ${today}::date and c.closing_date >= ${today}::date - ${readFrom}::integer
        and c.closing_date > ${model.training.to}::date - ${model.market.windowDays}::integer`),
  ]);
  const points = marketPointsOf(model, read.rows, today);
  const payload = JSON.stringify(
    points.map((point) => ({ ...point, level: Number(point.level.toFixed(6)) })),
  );
  await db.withTenant(tenantId, (tx) => [
    tx.execute(sql`
      with points as (
        select * from jsonb_to_recordset(${payload}::jsonb)
          as p(area text, "asOf" date, level double precision, sales integer)
      ), upserted as (
        insert into market_index (tenant_id, model_version, area, as_of, log_level, sales, window_days, computed_at)
        select ${tenantId}, ${model.modelVersion}, area, "asOf", level, sales, ${model.market.windowDays}, now()
        from points
        on conflict (tenant_id, model_version, area, as_of) do update set
          log_level = excluded.log_level, sales = excluded.sales, window_days = excluded.window_days,
          computed_at = excluded.computed_at
        returning 1
      ), removed as (
        delete from market_index m
        where m.tenant_id = ${tenantId} and m.model_version = ${model.modelVersion}
          and not exists (select 1 from points p where p.area = m.area and p."asOf" = m.as_of)
        returning 1
      )
      insert into market_index_refreshes (tenant_id, model_version, refreshed_at, points)
      values (${tenantId}, ${model.modelVersion}, now(), ${points.length})
      on conflict (tenant_id, model_version) do update set
        refreshed_at = excluded.refreshed_at, points = excluded.points`),
  ]);
  return { tenantId, modelVersion: model.modelVersion, points: points.length, sales: read.rows.length };
}

/**
 * The points a valuation on `asOfDate` reads, as `{ area, as_of, log_level }` rows: the tenant's, for the model
 * version, in `area` or ALL_AREAS, after training and not after the valuation day. `area` is SQL so the subject can
 * be a CTE of the same statement.
 */
export function marketPointsQuery(tenantId: string, model: AvmModel, area: SQL, asOfDate: string): SQL {
  return sql`
    select area, as_of::text as as_of, log_level from market_index
    where tenant_id = ${tenantId} and model_version = ${model.modelVersion}
      and (area = ${ALL_AREAS} or area = ${area})
      and as_of > ${model.training.to}::date and as_of <= ${asOfDate}::date
    order by area, as_of`;
}

/** SQL: the market area (3-digit ZIP) of a zip column, as marketAreaOf computes it. */
export function sqlMarketAreaOf(zip: SQL): SQL {
  return sql`substring(${zip} from '^\\s*([0-9]{3})[0-9]{2}')`;
}

export type MarketPointRow = { area: string; as_of: string; log_level: number | string };

/** The view a subject in `zip` reads from its market rows (see chooseMarketView). */
export function marketViewOfRows(
  model: AvmModel,
  rows: readonly MarketPointRow[],
  zip: string | null,
): MarketView | undefined {
  const byArea = new Map<string, MarketPoint[]>();
  for (const row of rows) {
    const list = byArea.get(row.area) ?? [];
    list.push({ asOf: String(row.as_of).slice(0, 10), level: Number(row.log_level) });
    byArea.set(row.area, list);
  }
  for (const list of byArea.values()) list.sort((a, b) => (a.asOf < b.asOf ? -1 : a.asOf > b.asOf ? 1 : 0));
  return chooseMarketView(model.market, byArea, marketAreaOf(zip));
}
