import { describe, expect, it } from "vitest";
import {
  type BackfillCursor,
  backfillVectorIndex,
  type TenantProperty,
} from "../../scripts/lib/vector-backfill.ts";
import type { VectorIndex, VectorItem } from "../../src/vector/vector-index.ts";

function property(tenantId: string, id: string, status = "sold"): TenantProperty {
  return {
    tenantId,
    id,
    status,
    closingDate: status === "sold" ? "2026-01-15" : null,
    latitude: 47.6,
    longitude: -122.3,
    zip: "98109",
    sqft: 1500 + Number(id.slice(-1)),
    lotSize: 4000,
    bedrooms: 3,
    bathrooms: 2,
    floors: 1,
    waterfront: false,
    viewRating: 0,
    conditionRating: 3,
    grade: 7,
    sqftAbove: null,
    sqftBasement: null,
    yearBuilt: 1990,
    yearRenovated: null,
    propertyType: "single_family",
  };
}

function recordingIndex() {
  const upserts: { tenantId: string; items: VectorItem[] }[] = [];
  const index: VectorIndex = {
    kind: "pgvector",
    async upsert(tenantId, items) {
      upserts.push({ tenantId, items: [...items] });
    },
    async delete() {},
    async query() {
      return [];
    },
  };
  return { index, upserts };
}

describe("vector:backfill loop", () => {
  const all = [
    property("a", "00000000-0000-0000-0000-000000000001"),
    property("a", "00000000-0000-0000-0000-000000000002", "active"),
    property("a", "00000000-0000-0000-0000-000000000003"),
    property("b", "00000000-0000-0000-0000-000000000004"),
    property("b", "00000000-0000-0000-0000-000000000005"),
  ];
  const fetchPage = async (after: BackfillCursor | null, limit: number) => {
    const start = after
      ? all.findIndex((row) => row.tenantId === after.tenantId && row.id === after.id) + 1
      : 0;
    return all.slice(start, start + limit);
  };

  it("pages with a (tenant, id) cursor and upserts each page per tenant", async () => {
    const { index, upserts } = recordingIndex();
    const messages: string[] = [];
    const report = await backfillVectorIndex({
      index,
      fetchPage,
      batchSize: 2,
      log: (m) => messages.push(m),
    });
    expect(report).toEqual({ properties: 5, pages: 3 });
    expect(
      upserts.map((call) => [call.tenantId, call.items.map((item) => item.propertyId.slice(-1))]),
    ).toEqual([
      ["a", ["1", "2"]],
      ["a", ["3"]],
      ["b", ["4"]],
      ["b", ["5"]],
    ]);
    expect(upserts[0]?.items[0]?.vector).toHaveLength(16);
    expect(upserts[0]?.items[1]?.payload).toEqual({
      sold: false,
      closingDate: null,
      latitude: 47.6,
      longitude: -122.3,
    });
    expect(messages.at(-1)).toBe("indexed 5 properties (3 batches)");
  });

  it("does nothing on an empty database", async () => {
    const { index, upserts } = recordingIndex();
    expect(await backfillVectorIndex({ index, fetchPage: async () => [], batchSize: 10 })).toEqual({
      properties: 0,
      pages: 0,
    });
    expect(upserts).toEqual([]);
  });
});
