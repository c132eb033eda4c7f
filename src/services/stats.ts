// Business metrics of one tenant's portfolio, read in one round trip. Only the properties table exists for now;
// pipeline and valuation figures join here once their tables land.
import { sql } from "drizzle-orm";
import type { Database } from "../db/client.ts";

export interface PortfolioStats {
  properties: {
    total: number;
    byStatus: { active: number; pending: number; sold: number; offMarket: number };
    byType: Record<string, number>;
    addedLast7Days: number;
    addedLast30Days: number;
  };
  prices: {
    medianListPrice: number | null;
    averageListPrice: number | null;
    medianListPricePerSqft: number | null;
    soldLast90Days: number;
    medianSalePriceLast90Days: number | null;
  };
  generatedAt: string;
}

type Numeric = string | number | null;

type SummaryRow = {
  total: Numeric;
  active: Numeric;
  pending: Numeric;
  sold: Numeric;
  off_market: Numeric;
  added_7d: Numeric;
  added_30d: Numeric;
  median_list_price: Numeric;
  average_list_price: Numeric;
  median_list_price_per_sqft: Numeric;
  sold_90d: Numeric;
  median_sale_price_90d: Numeric;
  generated_at: string;
};

// The driver hands numbers back in Postgres's text form; counts are never null, averages are for empty sets.
function count(value: Numeric | undefined): number {
  return Number(value ?? 0);
}

function amount(value: Numeric | undefined): number | null {
  if (value === null || value === undefined) return null;
  return Math.round(Number(value) * 100) / 100;
}

export async function getPortfolioStats(db: Database, tenantId: string): Promise<PortfolioStats> {
  // Both statements also filter on the tenant: row-level security alone must be enough, and so must this.
  const [summary, byType] = await db.withTenant(tenantId, (tx) => [
    tx.execute<SummaryRow>(sql`
      select
        count(*) filter (where status <> 'deleted') as total,
        count(*) filter (where status = 'active') as active,
        count(*) filter (where status = 'pending') as pending,
        count(*) filter (where status = 'sold') as sold,
        count(*) filter (where status = 'off_market') as off_market,
        count(*) filter (where status <> 'deleted' and created_at >= now() - interval '7 days') as added_7d,
        count(*) filter (where status <> 'deleted' and created_at >= now() - interval '30 days') as added_30d,
        percentile_cont(0.5) within group (order by price) filter (where status = 'active') as median_list_price,
        avg(price) filter (where status = 'active') as average_list_price,
        percentile_cont(0.5) within group (order by price / sqft)
          filter (where status = 'active' and sqft > 0) as median_list_price_per_sqft,
        count(*) filter (where status = 'sold' and closing_date >= current_date - 90) as sold_90d,
        percentile_cont(0.5) within group (order by closing_price)
          filter (where status = 'sold' and closing_date >= current_date - 90) as median_sale_price_90d,
        to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as generated_at
      from properties
      where tenant_id = ${tenantId}`),
    tx.execute<{ property_type: string; properties: Numeric }>(sql`
      select property_type, count(*) as properties
      from properties
      where tenant_id = ${tenantId} and status <> 'deleted'
      group by property_type
      order by property_type`),
  ]);
  const row = summary.rows[0];
  return {
    properties: {
      total: count(row?.total),
      byStatus: {
        active: count(row?.active),
        pending: count(row?.pending),
        sold: count(row?.sold),
        offMarket: count(row?.off_market),
      },
      byType: Object.fromEntries(byType.rows.map((type) => [type.property_type, count(type.properties)])),
      addedLast7Days: count(row?.added_7d),
      addedLast30Days: count(row?.added_30d),
    },
    prices: {
      medianListPrice: amount(row?.median_list_price),
      averageListPrice: amount(row?.average_list_price),
      medianListPricePerSqft: amount(row?.median_list_price_per_sqft),
      soldLast90Days: count(row?.sold_90d),
      medianSalePriceLast90Days: amount(row?.median_sale_price_90d),
    },
    generatedAt: row?.generated_at ?? new Date().toISOString(),
  };
}
