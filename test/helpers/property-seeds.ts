// Property seeds shared by the Workers-pool and Node-side suites (no Worker imports here).
import type { NeonQueryFunction } from "@neondatabase/serverless";

export interface SeedProperty {
  address?: string;
  latitude: number;
  longitude: number;
  status?: "active" | "sold" | "deleted";
  closingPrice?: number | null;
  /** Days before today of the sale. */
  soldDaysAgo?: number | null;
  sqft?: number;
  bedrooms?: number;
  bathrooms?: number;
  grade?: number;
  yearBuilt?: number;
  zip?: string;
}

export function isoDaysAgo(days: number): string {
  return new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
}

/** Inserts the properties for `tenantId` through `sql` (an app_admin connection); answers their ids in order. */
export async function insertSeedProperties(
  sql: NeonQueryFunction<false, false>,
  tenantId: string,
  properties: SeedProperty[],
): Promise<string[]> {
  const ids: string[] = [];
  for (const property of properties) {
    const address = property.address ?? `${Math.floor(Math.random() * 9000) + 100} Test Ave`;
    const status = property.status ?? "sold";
    const rows = await sql`insert into properties (tenant_id, address, normalized_address, address_hash, zip,
        latitude, longitude, sqft, lot_size, bedrooms, bathrooms, floors, waterfront, view_rating, condition_rating,
        grade, year_built, property_type, status, closing_price, closing_date, deleted_at)
      values (${tenantId}, ${address}, ${address.toUpperCase()}, ${crypto.randomUUID()}, ${property.zip ?? "98109"},
        ${property.latitude}, ${property.longitude}, ${property.sqft ?? 1800}, 5000, ${property.bedrooms ?? 3},
        ${property.bathrooms ?? 2}, 1, false, 0, 3, ${property.grade ?? 7}, ${property.yearBuilt ?? 1990},
        'single_family', ${status},
        ${status === "sold" ? (property.closingPrice ?? 650_000) : null},
        ${status === "sold" && property.soldDaysAgo !== null ? isoDaysAgo(property.soldDaysAgo ?? 60) : null},
        ${status === "deleted" ? new Date().toISOString() : null})
      returning id`;
    ids.push(String(rows[0]?.id));
  }
  return ids;
}
