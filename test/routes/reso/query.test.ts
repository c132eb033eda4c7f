// Property queries: key fetch, $select, $filter (every operator and type), $orderby, $top, $skip, $count, and the
// 400s that name what is wrong.
import { beforeAll, describe, expect, it } from "vitest";
import { createTenant, type TestTenant } from "../../helpers/tenants.ts";
import { send, warmUp } from "../properties/helpers.ts";
import { createProperties, expectBadQuery, page, reso } from "./helpers.ts";

beforeAll(warmUp, 30_000);

let tenant: TestTenant;
let other: TestTenant;
let ids: Record<string, string>;

beforeAll(async () => {
  tenant = await createTenant();
  other = await createTenant();
  const created = await createProperties(tenant, [
    {
      address: "123 N Main St Apt 4",
      city: "Seattle",
      zip: "98101",
      price: 500000,
      bedrooms: 3,
      bathrooms: 2.5,
    },
    {
      address: "77 Oak Ave",
      city: "Tacoma",
      zip: "98402",
      price: 300000,
      bedrooms: 2,
      propertyType: "condo",
    },
    { address: "9 Pine Rd", city: null, zip: "98101", price: null, bedrooms: 4, waterfront: true },
    {
      address: "500 Elm St",
      city: "Seattle",
      zip: "98103",
      price: 900000,
      bedrooms: 5,
      propertyType: "land",
    },
  ]);
  ids = { main: created[0]?.id, oak: created[1]?.id, pine: created[2]?.id, elm: created[3]?.id } as Record<
    string,
    string
  >;
  // Sold, then deleted: the tombstone stays in the feed.
  const sold = await send(tenant, "PATCH", `/${ids.elm}`, {
    body: { status: "sold", closingPrice: 880000, closingDate: "2026-06-01" },
    headers: { "if-match": String(created[3]?.etag), "content-type": "application/merge-patch+json" },
  });
  expect(sold.status, await sold.clone().text()).toBe(200);
  await createProperties(other, [{ address: "123 N Main St Apt 4", city: "Seattle", price: 500000 }]);
}, 60_000);

async function keys(filter: string): Promise<string[]> {
  const body = await page(tenant, `/Property?$filter=${encodeURIComponent(filter)}&$select=ListingKey`);
  return body.value.map((record) => String(record.ListingKey)).sort();
}

const sorted = (...names: string[]) => names.map((name) => ids[name] as string).sort();

describe("GET /reso/odata/Property", () => {
  it("fetches by key with Data Dictionary fields, street components from the address parser", async () => {
    const response = await reso(tenant, `/Property('${ids.main}')`);
    expect(response.status).toBe(200);
    const record = (await response.json()) as Record<string, unknown>;
    expect(record["@odata.context"]).toBe("http://api.test/reso/odata/$metadata#Property/$entity");
    expect(record).toMatchObject({
      ListingKey: ids.main,
      StandardStatus: "Active",
      PropertyType: "Residential",
      PropertySubType: "SingleFamilyResidence",
      ListPrice: 500000,
      BedroomsTotal: 3,
      BathroomsTotalInteger: 2,
      REOS_BathroomsTotal: 2.5,
      UnparsedAddress: "123 N Main St Apt 4",
      StreetNumber: "123",
      StreetDirPrefix: "N",
      StreetName: "MAIN",
      StreetSuffix: "ST",
      StreetDirSuffix: null,
      UnitNumber: "4",
      City: "Seattle",
      StateOrProvince: "WA",
      PostalCode: "98101",
      Latitude: 47.61,
      Longitude: -122.33,
    });
    expect(record.ModificationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(record.OriginalEntryTimestamp).toMatch(/Z$/);

    const selected = await reso(tenant, `/Property('${ids.main}')?$select=ListPrice,City`);
    expect(await selected.json()).toEqual({
      "@odata.context": "http://api.test/reso/odata/$metadata#Property(ListPrice,City)/$entity",
      ListPrice: 500000,
      City: "Seattle",
    });
  });

  it("answers 404 for a missing key, a malformed one, and another tenant's", async () => {
    const [theirs] = (await page(other, "/Property?$select=ListingKey")).value;
    for (const key of [crypto.randomUUID(), "not-a-uuid", String(theirs?.ListingKey)]) {
      const response = await reso(tenant, `/Property('${key}')`);
      expect(response.status, key).toBe(404);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe("not_found");
    }
    expect((await reso(tenant, "/Property(x)")).status).toBe(400);
    await expectBadQuery(tenant, `/Property('${ids.main}')?$top=1`, "$select");
    await expectBadQuery(tenant, `/Property('${ids.main}')?$select=Nope`, "Nope");
  });

  it("serves deleted properties as StandardStatus Delete and closed ones as Closed", async () => {
    const closed = (await page(tenant, `/Property('${ids.elm}')`)) as unknown as Record<string, unknown>;
    expect(closed).toMatchObject({ StandardStatus: "Closed", ClosePrice: 880000, CloseDate: "2026-06-01" });
    const scratch = await createTenant();
    const [gone] = await createProperties(scratch, [{ address: "1 Gone Way" }]);
    const before = (await page(scratch, `/Property('${gone?.id}')`)) as unknown as Record<string, string>;
    const deleted = await send(scratch, "DELETE", `/${gone?.id}`, {
      role: "admin",
      headers: { "if-match": String(gone?.etag) },
    });
    expect(deleted.status).toBe(204);
    const tombstone = (await page(scratch, `/Property('${gone?.id}')`)) as unknown as Record<string, string>;
    expect(tombstone.StandardStatus).toBe("Delete");
    expect(String(tombstone.ModificationTimestamp) > String(before.ModificationTimestamp)).toBe(true);
    expect(await page(scratch, "/Property?$filter=StandardStatus eq 'Delete'&$count=true")).toMatchObject({
      "@odata.count": 1,
    });
  });

  it("filters with every comparison on strings, numbers, booleans, dates and timestamps", async () => {
    expect(await keys("City eq 'Seattle'")).toEqual(sorted("main", "elm"));
    expect(await keys("City ne 'Seattle'")).toEqual(sorted("oak", "pine"));
    expect(await keys("City gt 'Seattle'")).toEqual(sorted("oak"));
    expect(await keys("City le 'Seattle'")).toEqual(sorted("main", "elm"));
    expect(await keys("ListPrice gt 300000")).toEqual(sorted("main", "elm"));
    expect(await keys("ListPrice ge 300000")).toEqual(sorted("main", "oak", "elm"));
    expect(await keys("ListPrice lt 500000.00")).toEqual(sorted("oak"));
    expect(await keys("ListPrice le 5e5")).toEqual(sorted("main", "oak"));
    expect(await keys("BedroomsTotal eq 4")).toEqual(sorted("pine"));
    expect(await keys("WaterfrontYN eq true")).toEqual(sorted("pine"));
    expect(await keys("WaterfrontYN")).toEqual(sorted("pine"));
    expect(await keys("not WaterfrontYN")).toEqual(sorted("main", "oak", "elm"));
    expect(await keys("CloseDate eq 2026-06-01")).toEqual(sorted("elm"));
    expect(await keys("CloseDate lt 2026-06-01")).toEqual([]);
    expect(await keys("ModificationTimestamp lt now()")).toEqual(sorted("main", "oak", "pine", "elm"));
    expect(await keys("ModificationTimestamp gt 2000-01-01T00:00:00Z")).toHaveLength(4);
    expect(await keys("ModificationTimestamp gt 2000-01-01T00:00:00.123456+02:00")).toHaveLength(4);
    expect(await keys("OriginalEntryTimestamp ge now()")).toEqual([]);
    expect(await keys("StandardStatus eq 'Closed'")).toEqual(sorted("elm"));
    expect(await keys("StandardStatus ne 'Closed'")).toEqual(sorted("main", "oak", "pine"));
    expect(await keys("PropertyType eq 'Residential'")).toEqual(sorted("main", "oak", "pine"));
    expect(await keys("PropertySubType eq 'Condominium'")).toEqual(sorted("oak"));
    expect(await keys("PropertySubType eq 'NoSuchValue'")).toEqual([]);
    expect(await keys(`ListingKey eq '${ids.oak}'`)).toEqual(sorted("oak"));
    expect(await keys(`ListingKey eq '${ids.oak?.toUpperCase()}'`)).toEqual([]);
    expect(await keys(`ListingKey ne '${ids.oak}'`)).toEqual(sorted("main", "pine", "elm"));
  });

  it("filters with and, or, not, parentheses, in, null and the string functions", async () => {
    expect(await keys("City eq 'Seattle' and ListPrice lt 600000")).toEqual(sorted("main"));
    expect(await keys("City eq 'Tacoma' or BedroomsTotal ge 5")).toEqual(sorted("oak", "elm"));
    expect(await keys("not (City eq 'Seattle' or City eq 'Tacoma')")).toEqual(sorted("pine"));
    expect(await keys("(City eq 'Seattle' or City eq 'Tacoma') and not (ListPrice gt 400000)")).toEqual(
      sorted("oak"),
    );
    expect(await keys("City in ('Tacoma', 'Spokane')")).toEqual(sorted("oak"));
    expect(await keys("StandardStatus in ('Active', 'Pending')")).toEqual(sorted("main", "oak", "pine"));
    expect(await keys("City eq null")).toEqual(sorted("pine"));
    expect(await keys("ListPrice ne null")).toEqual(sorted("main", "oak", "elm"));
    expect(await keys("null eq ListPrice")).toEqual(sorted("pine"));
    expect(await keys("ListPrice gt null")).toEqual([]);
    expect(await keys("ModificationTimestamp gt null")).toEqual([]);
    expect(await keys("contains(UnparsedAddress, 'Main')")).toEqual(sorted("main"));
    expect(await keys("contains(UnparsedAddress, 'main')")).toEqual([]);
    expect(await keys("startswith(City, 'Sea')")).toEqual(sorted("main", "elm"));
    expect(await keys("endswith(PostalCode, '01')")).toEqual(sorted("main", "pine"));
    expect(await keys("startswith(City, 'Sea') eq false")).toEqual(sorted("oak", "pine"));
    expect(await keys("contains(REOS_NormalizedAddress, 'OAK AVE')")).toEqual(sorted("oak"));
    expect(await keys("City eq 'O''Brien'")).toEqual([]);
  });

  it("orders by several keys both ways, nulls below values, ListingKey breaking ties", async () => {
    const byPrice = await page(tenant, "/Property?$orderby=ListPrice desc&$select=ListingKey,ListPrice");
    expect(byPrice.value.map((record) => record.ListingKey)).toEqual([ids.elm, ids.main, ids.oak, ids.pine]);
    const byZip = await page(tenant, "/Property?$orderby=PostalCode asc,ListPrice asc&$select=ListingKey");
    expect(byZip.value.map((record) => record.ListingKey)).toEqual([ids.pine, ids.main, ids.elm, ids.oak]);
    const byCity = await page(tenant, "/Property?$orderby=City asc,BedroomsTotal desc&$select=ListingKey");
    expect(byCity.value.map((record) => record.ListingKey)).toEqual([ids.pine, ids.elm, ids.main, ids.oak]);
    const byKey = await page(tenant, "/Property?$orderby=ListingKey desc&$select=ListingKey");
    expect(byKey.value.map((record) => record.ListingKey)).toEqual(
      sorted("main", "oak", "pine", "elm").reverse(),
    );
  });

  it("pages with $top and $skip, counts with $count, selects with $select", async () => {
    const all = await page(
      tenant,
      "/Property?$orderby=ListPrice asc&$select=ListingKey,ListPrice&$count=true",
    );
    expect(all["@odata.count"]).toBe(4);
    expect(all["@odata.context"]).toBe("http://api.test/reso/odata/$metadata#Property(ListingKey,ListPrice)");
    expect(all.value[0]).toEqual({ ListingKey: ids.pine, ListPrice: null });
    const second = await page(
      tenant,
      "/Property?$orderby=ListPrice asc&$select=ListingKey&$top=2&$skip=1&$count=true",
    );
    expect(second.value.map((record) => record.ListingKey)).toEqual([ids.oak, ids.main]);
    expect(second["@odata.count"]).toBe(4);
    expect(second["@odata.nextLink"]).toBeUndefined();
    const none = await page(tenant, "/Property?$top=0&$count=true");
    expect(none).toMatchObject({ value: [], "@odata.count": 4 });
    const beyond = await page(tenant, "/Property?$skip=10");
    expect(beyond.value).toEqual([]);
  });

  it("refuses unknown fields, bad syntax, type mismatches and unsupported options with a 400 naming them", async () => {
    await expectBadQuery(tenant, "/Property?$filter=Nonsense eq 1", "Nonsense");
    await expectBadQuery(tenant, "/Property?$select=ListingKey,Nonsense", "Nonsense");
    await expectBadQuery(tenant, "/Property?$orderby=Nonsense desc", "Nonsense");
    await expectBadQuery(tenant, "/Property?$filter=ListPrice eq 'cheap'", "ListPrice");
    await expectBadQuery(tenant, "/Property?$filter=City eq 5", "City");
    await expectBadQuery(
      tenant,
      "/Property?$filter=ModificationTimestamp gt 2026-13-01T00:00:00Z",
      "$filter",
    );
    await expectBadQuery(tenant, "/Property?$filter=CloseDate eq 2026-02-30", "$filter");
    await expectBadQuery(tenant, "/Property?$filter=City eq 'Seattle", "$filter");
    await expectBadQuery(tenant, "/Property?$filter=(City eq 'Seattle'", "$filter");
    await expectBadQuery(tenant, "/Property?$filter=City eq", "$filter");
    await expectBadQuery(tenant, "/Property?$filter=City eq City", "City");
    await expectBadQuery(tenant, "/Property?$filter=StreetName eq 'MAIN'", "StreetName");
    await expectBadQuery(tenant, "/Property?$orderby=StreetNumber", "StreetNumber");
    await expectBadQuery(tenant, "/Property?$filter=tolower(City) eq 'seattle'", "tolower");
    await expectBadQuery(tenant, "/Property?$filter=StandardStatus has 'Active'", "$filter");
    await expectBadQuery(tenant, "/Property?$expand=Media", "$expand");
    await expectBadQuery(tenant, "/Property?$top=-1", "$top");
    await expectBadQuery(tenant, "/Property?$skip=100001", "$skip");
    await expectBadQuery(tenant, "/Property?$count=yes", "$count");
    await expectBadQuery(tenant, "/Property?$top=1&$top=2", "$top");
    await expectBadQuery(tenant, "/Property?$skiptoken=garbage!", "$skiptoken");
    await expectBadQuery(tenant, "/Property?$skiptoken=eyJ4IjoxfQ", "$skiptoken");
    await expectBadQuery(tenant, `/Property?$filter=${encodeURIComponent("City eq 'a\u0000b'")}`, "City");
    const deep = `${"(".repeat(40)}City eq 'x'${")".repeat(40)}`;
    await expectBadQuery(tenant, `/Property?$filter=${encodeURIComponent(deep)}`, "$filter");
  });

  it("caps a response at 1000 rows and continues with @odata.nextLink up to $top", async () => {
    const body = await page(tenant, "/Property?$top=3", { prefer: "odata.maxpagesize=2" });
    expect(body.value).toHaveLength(2);
    const next = new URL(body["@odata.nextLink"] as string);
    expect(next.pathname).toBe("/reso/odata/Property");
    const rest = await page(tenant, next.toString(), { prefer: "odata.maxpagesize=2" });
    expect(rest.value).toHaveLength(1);
    expect(rest["@odata.nextLink"]).toBeUndefined();
    const response = await reso(tenant, "/Property?$top=5000", {
      headers: { prefer: "odata.maxpagesize=9999" },
    });
    expect(response.headers.get("preference-applied")).toBe("odata.maxpagesize=1000");
  });

  it("never returns another tenant's row, whatever the filter", async () => {
    const mine = new Set(Object.values(ids));
    for (const filter of [
      "City eq 'Seattle'",
      "ListingKey ne 'x'",
      "not (ListPrice eq 1)",
      "ListPrice eq null or ListPrice ne null",
    ]) {
      const body = await page(
        tenant,
        `/Property?$filter=${encodeURIComponent(filter)}&$count=true&$select=ListingKey`,
      );
      for (const record of body.value) expect(mine.has(String(record.ListingKey)), filter).toBe(true);
    }
    const theirs = await page(other, "/Property?$count=true");
    expect(theirs["@odata.count"]).toBe(1);
    expect(mine.has(String(theirs.value[0]?.ListingKey))).toBe(false);
  });
});

describe("GET /reso/odata/Lookup", () => {
  it("lists every lookup value the Property payloads use, with $filter, $top and $skip", async () => {
    const status = await page(
      tenant,
      "/Lookup?$filter=LookupName eq 'StandardStatus'&$orderby=LookupValue&$count=true",
    );
    expect(status.value.map((row) => row.LookupValue)).toEqual([
      "Active",
      "Closed",
      "Delete",
      "Pending",
      "Withdrawn",
    ]);
    expect(status["@odata.count"]).toBe(5);
    expect(status.value[0]).toEqual({
      LookupKey: "StandardStatus:Active",
      LookupName: "StandardStatus",
      LookupValue: "Active",
      StandardLookupValue: "Active",
      LegacyODataValue: "Active",
      ModificationTimestamp: "2026-12-03T00:00:00.000Z",
    });
    const recent = await page(
      tenant,
      "/Lookup?$filter=ModificationTimestamp gt 2026-12-02T00:00:00Z&$top=3&$skip=2",
    );
    expect(recent.value).toHaveLength(3);
    const one = await reso(tenant, "/Lookup('PropertyType:Land')");
    expect(await one.json()).toMatchObject({ LookupName: "PropertyType", LookupValue: "Land" });
    expect((await reso(tenant, "/Lookup('PropertyType:Castle')")).status).toBe(404);
  });
});
