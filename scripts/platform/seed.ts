// The demo tenant: King County (WA) house sales, May 2014 to January 2015 (data/kc, CC0), one property per
// parcel with its latest sale. Idempotent: rerunning it changes nothing.
import { readFile } from "node:fs/promises";
import { addressIdentity } from "../../src/domain/address-identity.ts";
import { type KcSale, parseKcSales } from "../lib/kc-csv.ts";
import type { BackingDatabase, OwnerSession } from "./database.ts";

export const DEMO_TENANT = {
  id: "00000000-0000-4000-8000-00000000d3e0",
  slug: "demo",
  name: "Demo Realty (King County sales)",
} as const;

export const KC_SALES_CSV = new URL("../../data/kc/kc_house_sales_2014-05_2015-01.csv", import.meta.url)
  .pathname;

/** King County counts quarter baths (0.75 = shower, sink, toilet); the product stores halves, rounded up. */
export function toHalfBaths(bathrooms: number): number {
  return Math.ceil(bathrooms * 2) / 2;
}

/** The latest sale of each parcel: the demo keeps one property per parcel. */
export function latestSalePerParcel(sales: KcSale[]): KcSale[] {
  const latest = new Map<string, KcSale>();
  for (const sale of sales) {
    const known = latest.get(sale.parcelId);
    if (!known || sale.date >= known.date) latest.set(sale.parcelId, sale);
  }
  return [...latest.values()];
}

const COLUMNS = [
  "tenant_id",
  "external_ref",
  "address",
  "city",
  "state",
  "zip",
  "county",
  "county_fips",
  "latitude",
  "longitude",
  "normalized_address",
  "address_hash",
  "price",
  "bedrooms",
  "bathrooms",
  "sqft",
  "lot_size",
  "year_built",
  "property_type",
  "floors",
  "waterfront",
  "view_rating",
  "condition_rating",
  "grade",
  "sqft_above",
  "sqft_basement",
  "year_renovated",
  "status",
  "closing_price",
  "closing_date",
] as const;

async function propertyRow(tenantId: string, sale: KcSale, city: string | null): Promise<unknown[]> {
  // The public data set has no street addresses; a parcel is identified by its King County parcel number.
  const address = `King County Parcel ${sale.parcelId}`;
  const identity = await addressIdentity({ address, city, state: "WA", zip: sale.zip });
  return [
    tenantId,
    `kc:${sale.parcelId}`,
    address,
    city,
    "WA",
    sale.zip,
    "King",
    "53033",
    sale.latitude,
    sale.longitude,
    identity.normalizedAddress,
    identity.addressHash,
    sale.price,
    sale.bedrooms,
    sale.bathrooms === null ? null : toHalfBaths(sale.bathrooms),
    sale.sqftLiving,
    sale.sqftLot,
    sale.yearBuilt,
    "single_family",
    sale.floors,
    sale.waterfront,
    sale.view,
    sale.condition,
    sale.grade,
    sale.sqftAbove,
    sale.sqftBasement,
    sale.yearRenovated,
    "sold",
    sale.price,
    sale.date,
  ];
}

async function insertProperties(session: OwnerSession, rows: unknown[][]): Promise<void> {
  const values = rows.map(
    (_, rowIndex) =>
      `(${COLUMNS.map((__, column) => `$${rowIndex * COLUMNS.length + column + 1}`).join(", ")})`,
  );
  await session.query(
    `insert into properties (${COLUMNS.join(", ")}) values ${values.join(", ")}
     on conflict (tenant_id, address_hash) where deleted_at is null do nothing`,
    rows.flat(),
  );
}

export interface SeedProgress {
  start(total: number): void;
  increment(count: number): void;
  stop(): void;
}

/** Creates the demo tenant and loads its properties; answers how many properties it inserted. */
export async function seedDemoTenant(database: BackingDatabase, progress?: SeedProgress): Promise<number> {
  const sales = latestSalePerParcel(parseKcSales(await readFile(KC_SALES_CSV, "utf8")));
  const chunkSize = 500;
  // The owner is subject to the forced RLS policies too: each transaction sets the tenant it writes.
  return database.asOwner(async (session) => {
    // Cities come from the ZIP reference table (GeoNames), so the address identity includes them.
    const zips = [...new Set(sales.flatMap((sale) => (sale.zip ? [sale.zip] : [])))];
    const cities = new Map(
      (
        await session.query<{ zip: string; city: string }>(
          "select zip, city from ref_zip_locations where zip = any($1::text[])",
          [`{${zips.join(",")}}`],
        )
      ).map((row) => [row.zip, row.city]),
    );
    const rows = await Promise.all(
      sales.map((sale) => propertyRow(DEMO_TENANT.id, sale, (sale.zip && cities.get(sale.zip)) || null)),
    );
    progress?.start(rows.length);
    await session.query("select set_config('app.current_tenant_id', $1, true)", [DEMO_TENANT.id]);
    await session.query(
      `insert into tenants (id, slug, name, plan) values ($1, $2, $3, 'standard') on conflict (id) do nothing`,
      [DEMO_TENANT.id, DEMO_TENANT.slug, DEMO_TENANT.name],
    );
    const [before] = await session.query<{ count: string }>("select count(*) as count from properties");
    for (let start = 0; start < rows.length; start += chunkSize) {
      const chunk = rows.slice(start, start + chunkSize);
      await insertProperties(session, chunk);
      progress?.increment(chunk.length);
    }
    progress?.stop();
    const [after] = await session.query<{ count: string }>("select count(*) as count from properties");
    return Number(after?.count) - Number(before?.count);
  });
}
