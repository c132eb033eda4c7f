// The King County house sales file (data/kc): the one reader the demo seed, the valuation scripts and their tests
// share. The text goes through the project's CSV parser (src/domain/csv.ts), the same one the pipeline parses
// uploaded CSV with, so quoting, line endings and ragged rows are handled, and reported, alike everywhere.
import { parseCsvRecords } from "../../src/domain/csv.ts";
import type { SoldProperty } from "../../src/domain/features/index.ts";

/**
 * One sale as the file states it, with an ISO date. sqft_living15/sqft_lot15 are not read: the product database
 * does not store them. A blank or non-numeric attribute is null.
 */
export interface KcSale {
  parcelId: string;
  date: string;
  price: number;
  bedrooms: number | null;
  bathrooms: number | null;
  sqftLiving: number | null;
  sqftLot: number | null;
  floors: number | null;
  waterfront: boolean | null;
  view: number | null;
  condition: number | null;
  grade: number | null;
  sqftAbove: number | null;
  sqftBasement: number | null;
  yearBuilt: number | null;
  /** Null when never renovated (the file says 0). */
  yearRenovated: number | null;
  zip: string | null;
  latitude: number | null;
  longitude: number | null;
}

const COLUMNS = [
  "id",
  "date",
  "price",
  "bedrooms",
  "bathrooms",
  "sqft_living",
  "sqft_lot",
  "floors",
  "waterfront",
  "view",
  "condition",
  "grade",
  "sqft_above",
  "sqft_basement",
  "yr_built",
  "yr_renovated",
  "zipcode",
  "lat",
  "long",
] as const;

/** "20141013T000000" -> "2014-10-13"; ISO dates pass through. */
export function kcDateToIso(value: string): string {
  if (/^\d{8}/.test(value)) return `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6, 8)}`;
  return value.slice(0, 10);
}

function numberOrNull(value: string | undefined): number | null {
  if (value === undefined || value.trim() === "") return null;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : null;
}

function assertColumns(header: readonly string[]): void {
  for (const name of COLUMNS) {
    if (!header.includes(name)) throw new Error(`King County CSV has no ${name} column`);
  }
}

/** The sales in file order; a row without a positive price or a date is not a sale and is skipped. */
export function parseKcSales(text: string): KcSale[] {
  const { header, records } = parseCsvRecords(text);
  assertColumns(header);
  const sales: KcSale[] = [];
  for (const record of records) {
    const cell = (name: (typeof COLUMNS)[number]) => (record[name] ?? "").trim();
    const number = (name: (typeof COLUMNS)[number]) => numberOrNull(cell(name));
    const price = number("price");
    if (price === null || price <= 0 || cell("date") === "") continue;
    const waterfront = number("waterfront");
    const yearRenovated = number("yr_renovated");
    sales.push({
      parcelId: cell("id"),
      date: kcDateToIso(cell("date")),
      price,
      bedrooms: number("bedrooms"),
      bathrooms: number("bathrooms"),
      sqftLiving: number("sqft_living"),
      sqftLot: number("sqft_lot"),
      floors: number("floors"),
      waterfront: waterfront === null ? null : waterfront > 0,
      view: number("view"),
      condition: number("condition"),
      grade: number("grade"),
      sqftAbove: number("sqft_above"),
      sqftBasement: number("sqft_basement"),
      yearBuilt: number("yr_built"),
      yearRenovated: yearRenovated !== null && yearRenovated > 0 ? yearRenovated : null,
      zip: cell("zipcode") || null,
      latitude: number("lat"),
      longitude: number("long"),
    });
  }
  return sales;
}

/** A sale as the valuation code takes it; its id is `<parcel id>@<date>` because one parcel can sell twice. */
export function soldPropertyOf(sale: KcSale): SoldProperty {
  return {
    id: `${sale.parcelId}@${sale.date}`,
    closingPrice: sale.price,
    closingDate: sale.date,
    latitude: sale.latitude,
    longitude: sale.longitude,
    zip: sale.zip,
    sqft: sale.sqftLiving,
    lotSize: sale.sqftLot,
    bedrooms: sale.bedrooms,
    bathrooms: sale.bathrooms,
    floors: sale.floors,
    waterfront: sale.waterfront,
    viewRating: sale.view,
    conditionRating: sale.condition,
    grade: sale.grade,
    sqftAbove: sale.sqftAbove,
    sqftBasement: sale.sqftBasement,
    yearBuilt: sale.yearBuilt,
    yearRenovated: sale.yearRenovated,
    propertyType: null,
  };
}

/** The file's sales in the product's property shape, in file order. */
export function parseKcCsv(text: string): SoldProperty[] {
  return parseKcSales(text).map(soldPropertyOf);
}
