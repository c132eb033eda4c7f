// The one reader of the King County file: the seed's raw sales, the valuation scripts' properties and the split
// all come from the same parse of the shipped file.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseKcCsv, parseKcSales } from "../../scripts/lib/kc-csv.ts";
import { splitCsvByDate } from "../../scripts/lib/split.ts";

const csv = readFileSync("data/kc/kc_house_sales_2014-05_2015-01.csv", "utf8");

describe("the King County reader", () => {
  it("reads every sale of the shipped file, and the property shape is the same sales", () => {
    const sales = parseKcSales(csv);
    const properties = parseKcCsv(csv);
    expect(sales).toHaveLength(15_611);
    expect(properties).toHaveLength(sales.length);
    expect(sales[0]).toMatchObject({
      parcelId: "1024069009",
      date: "2014-05-02",
      price: 675_000,
      zip: "98029",
    });
    expect(properties[0]).toMatchObject({
      id: "1024069009@2014-05-02",
      closingPrice: 675_000,
      closingDate: "2014-05-02",
      sqft: 2820,
      lotSize: 67_518,
      waterfront: false,
      yearRenovated: null,
      propertyType: null,
    });
    expect(sales.every((sale) => Object.values(sale).every((value) => value !== undefined))).toBe(true);
  });

  it("reads quoted fields and CRLF line endings, and says which column is missing", () => {
    const header =
      "id,date,price,bedrooms,bathrooms,sqft_living,sqft_lot,floors,waterfront,view,condition,grade,sqft_above,sqft_basement,yr_built,yr_renovated,zipcode,lat,long";
    const quoted = `${header}\r\n"7",20141013T000000,"450000",3,1.5,1200,5000,1,0,0,3,7,1200,0,1950,0,"98117",47.68,-122.38\r\n`;
    expect(parseKcSales(quoted)).toEqual([
      expect.objectContaining({
        parcelId: "7",
        date: "2014-10-13",
        price: 450_000,
        zip: "98117",
        bedrooms: 3,
      }),
    ]);
    expect(() => parseKcSales("id,date,price\n1,20140502T000000,1")).toThrow(/no bedrooms column/);
  });

  it("splits by date without changing a row of the file", () => {
    const { header, before, onOrAfter } = splitCsvByDate(csv, "2014-12-01");
    const lines = csv.split(/\r?\n/).filter((line) => line !== "");
    expect([header, ...before, ...onOrAfter].sort()).toEqual([...lines].sort());
  });
});
