import type { SoldProperty } from "../../src/domain/features/index.ts";

export const KC_CSV_HEADER =
  "id,date,price,bedrooms,bathrooms,sqft_living,sqft_lot,floors,waterfront,view,condition,grade,sqft_above,sqft_basement,yr_built,yr_renovated,zipcode,lat,long,sqft_living15,sqft_lot15";

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

/**
 * Parses the King County sales CSV into the product's property shape. sqft_living15/sqft_lot15 are
 * ignored on purpose: the product database does not store them. Rows keep their file order and get
 * a unique sale id (`<parcel id>@<date>`) because one parcel can sell twice.
 */
export function parseKcCsv(text: string): SoldProperty[] {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== "");
  const header = (lines[0] ?? "").split(",").map((name) => name.trim().replace(/^"|"$/g, ""));
  const column = (name: string) => {
    const index = header.indexOf(name);
    if (index < 0) throw new Error(`KC csv: missing column ${name}`);
    return index;
  };
  const indexOf = {
    id: column("id"),
    date: column("date"),
    price: column("price"),
    bedrooms: column("bedrooms"),
    bathrooms: column("bathrooms"),
    sqftLiving: column("sqft_living"),
    sqftLot: column("sqft_lot"),
    floors: column("floors"),
    waterfront: column("waterfront"),
    view: column("view"),
    condition: column("condition"),
    grade: column("grade"),
    sqftAbove: column("sqft_above"),
    sqftBasement: column("sqft_basement"),
    yearBuilt: column("yr_built"),
    yearRenovated: column("yr_renovated"),
    zip: column("zipcode"),
    latitude: column("lat"),
    longitude: column("long"),
  };
  const sales: SoldProperty[] = [];
  for (const line of lines.slice(1)) {
    const cells = line.split(",").map((cell) => cell.trim().replace(/^"|"$/g, ""));
    const price = numberOrNull(cells[indexOf.price]);
    const date = cells[indexOf.date];
    if (price === null || price <= 0 || date === undefined) continue;
    const closingDate = kcDateToIso(date);
    const waterfront = numberOrNull(cells[indexOf.waterfront]);
    const yearRenovated = numberOrNull(cells[indexOf.yearRenovated]);
    sales.push({
      id: `${cells[indexOf.id] ?? ""}@${closingDate}`,
      closingPrice: price,
      closingDate,
      latitude: numberOrNull(cells[indexOf.latitude]),
      longitude: numberOrNull(cells[indexOf.longitude]),
      zip: cells[indexOf.zip] || null,
      sqft: numberOrNull(cells[indexOf.sqftLiving]),
      lotSize: numberOrNull(cells[indexOf.sqftLot]),
      bedrooms: numberOrNull(cells[indexOf.bedrooms]),
      bathrooms: numberOrNull(cells[indexOf.bathrooms]),
      floors: numberOrNull(cells[indexOf.floors]),
      waterfront: waterfront === null ? null : waterfront > 0,
      viewRating: numberOrNull(cells[indexOf.view]),
      conditionRating: numberOrNull(cells[indexOf.condition]),
      grade: numberOrNull(cells[indexOf.grade]),
      sqftAbove: numberOrNull(cells[indexOf.sqftAbove]),
      sqftBasement: numberOrNull(cells[indexOf.sqftBasement]),
      yearBuilt: numberOrNull(cells[indexOf.yearBuilt]),
      yearRenovated: yearRenovated !== null && yearRenovated > 0 ? yearRenovated : null,
      propertyType: null,
    });
  }
  return sales;
}
