// RESO Web API mapping and keyset paging of feed pulls (the pure parts of src/ingest/feeds.ts).
import { describe, expect, it } from "vitest";
import { type DueFeed, resoPageUrl, resoRecord } from "../../src/ingest/feeds.ts";
import { feedSecretBinding } from "../../src/services/ingest-feeds.ts";

const feed = (overrides: Partial<DueFeed> = {}): DueFeed => ({
  id: "feed-1",
  tenant_id: "0b6a3f4e-1111-2222-3333-444455556666",
  kind: "reso_web_api",
  url: "https://reso.example.com/odata/Property?$select=ListingKey",
  secret_name: null,
  page_size: 100,
  interval_minutes: 15,
  cursor_timestamp: null,
  cursor_key: null,
  cursor_offset: null,
  cursor_rows: 0,
  cursor_validator: null,
  cursor_header: null,
  ...overrides,
});

describe("resoRecord", () => {
  it("maps Data Dictionary names, preferring close price and decimal baths, and drops absent fields", () => {
    expect(
      resoRecord({
        ListingKey: "L1",
        UnparsedAddress: "12 Main St",
        StreetNumber: "99",
        City: "Seattle",
        StateOrProvince: "WA",
        PostalCode: "98101",
        CountyOrParish: "King",
        Latitude: 47.6,
        Longitude: -122.3,
        ListPrice: 500_000,
        ClosePrice: 510_000,
        BedroomsTotal: 3,
        BathroomsTotalDecimal: 2.5,
        BathroomsTotalInteger: 2,
        LivingArea: 1800,
        LotSizeSquareFeet: 5000,
        YearBuilt: 1990,
        PropertySubType: "Condominium",
        StandardStatus: "Closed",
        CloseDate: "2024-05-01",
        Media: [{ url: "https://x" }],
      }),
    ).toEqual({
      externalRef: "L1",
      address: "12 Main St",
      city: "Seattle",
      state: "WA",
      zip: "98101",
      county: "King",
      latitude: 47.6,
      longitude: -122.3,
      price: 510_000,
      bedrooms: 3,
      bathrooms: 2.5,
      sqft: 1800,
      lotSize: 5000,
      yearBuilt: 1990,
      propertyType: "condo",
      status: "sold",
      closingDate: "2024-05-01",
    });
  });

  it("builds the address from its parts, falls back to list price and integer baths, ignores non-scalars", () => {
    expect(
      resoRecord({
        StreetNumber: 400,
        StreetDirPrefix: "",
        StreetName: "Pine",
        StreetSuffix: "St",
        ListPrice: 300_000,
        BathroomsTotalInteger: 2,
        PropertySubType: "Duplex",
        StandardStatus: "ActiveUnderContract",
        City: { name: "Seattle" },
      }),
    ).toEqual({
      address: "400 Pine St",
      price: 300_000,
      bathrooms: 2,
      propertyType: "multi_family",
      status: "pending",
    });
    // Unknown vocabularies and a missing address leave the fields out for quality rules to judge.
    expect(resoRecord({ PropertySubType: "Castle", StandardStatus: "Withdrawn" })).toEqual({});
  });
});

describe("resoPageUrl", () => {
  it("asks for the first page in cursor order without a filter", () => {
    const url = new URL(resoPageUrl(feed()));
    expect(url.searchParams.get("$filter")).toBeNull();
    expect(url.searchParams.get("$orderby")).toBe("ModificationTimestamp asc,ListingKey asc");
    expect(url.searchParams.get("$top")).toBe("100");
    expect(url.searchParams.get("$select")).toBe("ListingKey");
  });

  it("continues after the cursor with an escaped keyset filter", () => {
    const url = new URL(
      resoPageUrl(
        feed({ cursor_timestamp: "2024-05-01T00:00:00.000Z", cursor_key: "O'Brien-1", page_size: 5 }),
      ),
    );
    expect(url.searchParams.get("$filter")).toBe(
      "ModificationTimestamp gt 2024-05-01T00:00:00.000Z or (ModificationTimestamp eq 2024-05-01T00:00:00.000Z and ListingKey gt 'O''Brien-1')",
    );
    expect(url.searchParams.get("$top")).toBe("5");
    const keyless = new URL(resoPageUrl(feed({ cursor_timestamp: "2024-05-01T00:00:00.000Z" })));
    expect(keyless.searchParams.get("$filter")).toContain("ListingKey gt ''");
  });
});

describe("feedSecretBinding", () => {
  it("scopes the secret name to the tenant", () => {
    expect(feedSecretBinding("0b6a3f4e-1111-2222-3333-444455556666", "MLS_TOKEN")).toBe(
      "FEED_SECRET_0B6A3F4E111122223333444455556666_MLS_TOKEN",
    );
  });
});
