import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { adminSql, createTenant } from "../helpers/tenants.ts";

const api = exports.default;

interface Listing {
  status?: string;
  price?: number | null;
  sqft?: number | null;
  type?: string;
  closingPrice?: number | null;
  closingDaysAgo?: number;
  createdDaysAgo?: number;
}

// One multi-row insert per tenant: each statement is an HTTP round trip to the local endpoint.
async function addProperties(tenantId: string, listings: Listing[]) {
  const day = 86_400_000;
  const params: unknown[] = [];
  const rows = listings.map((listing, index) => {
    const status = listing.status ?? "active";
    const address = `${index + 1} Stats Test Way ${crypto.randomUUID().slice(0, 8)}`;
    const closingDate =
      listing.closingDaysAgo === undefined
        ? null
        : new Date(Date.now() - listing.closingDaysAgo * day).toISOString().slice(0, 10);
    const values = [
      tenantId,
      address,
      address.toUpperCase(),
      crypto.randomUUID(),
      listing.price ?? null,
      listing.sqft ?? null,
      listing.type ?? "single_family",
      status,
      status === "deleted" ? new Date().toISOString() : null,
      listing.closingPrice ?? null,
      closingDate,
      new Date(Date.now() - (listing.createdDaysAgo ?? 0) * day).toISOString(),
    ];
    const placeholders = values.map((value) => {
      params.push(value);
      return `$${params.length}`;
    });
    return `(${placeholders.join(", ")})`;
  });
  await adminSql().query(
    `insert into properties (tenant_id, address, normalized_address, address_hash, price, sqft, property_type,
       status, deleted_at, closing_price, closing_date, created_at) values ${rows.join(", ")}`,
    params,
  );
}

describe("GET /api/v1/stats", { timeout: 30_000 }, () => {
  it("answers the caller's tenant figures only", async () => {
    const tenant = await createTenant();
    const other = await createTenant();
    await addProperties(tenant.id, [
      { price: 400_000, sqft: 2000 },
      { price: 600_000, sqft: 2000, type: "condo" },
      { price: 800_000, sqft: 1000, createdDaysAgo: 20 },
      { status: "pending", price: 500_000, createdDaysAgo: 60 },
      { status: "sold", price: 700_000, closingPrice: 710_000, closingDaysAgo: 10 },
      { status: "sold", price: 300_000, closingPrice: 290_000, closingDaysAgo: 200, createdDaysAgo: 300 },
      { status: "deleted", price: 9_000_000 },
    ]);
    await addProperties(other.id, [
      { price: 50_000_000 },
      { status: "sold", closingPrice: 1, closingDaysAgo: 1 },
    ]);

    const response = await api.fetch("http://api.test/api/v1/stats", {
      headers: await tenant.headers("viewer"),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("private, max-age=60");
    const body = await response.json<Record<string, unknown>>();
    expect(body).toMatchObject({
      properties: {
        total: 6,
        byStatus: { active: 3, pending: 1, sold: 2, offMarket: 0 },
        byType: { condo: 1, single_family: 5 },
        addedLast7Days: 3,
        addedLast30Days: 4,
      },
      prices: {
        medianListPrice: 600_000,
        averageListPrice: 600_000,
        medianListPricePerSqft: 300,
        soldLast90Days: 1,
        medianSalePriceLast90Days: 710_000,
      },
    });
    expect(Date.parse(String(body.generatedAt))).toBeGreaterThan(Date.now() - 60_000);
  });

  it("answers zeros and nulls for an empty portfolio", async () => {
    const tenant = await createTenant();
    const response = await api.fetch("http://api.test/api/v1/stats", {
      headers: await tenant.headers("viewer"),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      properties: { total: 0, byType: {}, addedLast7Days: 0 },
      prices: { medianListPrice: null, averageListPrice: null, soldLast90Days: 0 },
    });
  });

  it("needs a token", async () => {
    const response = await api.fetch("http://api.test/api/v1/stats");
    expect(response.status).toBe(401);
  });
});
