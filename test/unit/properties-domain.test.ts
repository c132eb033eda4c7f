import { describe, expect, it } from "vitest";
import { canonicalJson } from "../../src/domain/canonical-json.ts";
import { boundingBoxAround, haversineKm } from "../../src/domain/geo.ts";
import {
  decodeChangesCursor,
  decodeListCursor,
  encodeChangesCursor,
  encodeListCursor,
  InvalidCursorError,
} from "../../src/domain/list-cursor.ts";
import { applyMergePatch, propertyRuleIssues } from "../../src/domain/property-rules.ts";
import {
  allowedPredecessors,
  canTransition,
  LISTING_STATUSES,
  type ListingStatus,
  STATUS_TRANSITIONS,
} from "../../src/domain/property-status.ts";
import { prefixTsQuery } from "../../src/services/property-search.ts";

describe("status transitions", () => {
  it("allows exactly the documented moves, and staying put", () => {
    const allowed = LISTING_STATUSES.flatMap((from) =>
      LISTING_STATUSES.filter((to) => from !== to && canTransition(from, to)).map((to) => `${from}->${to}`),
    );
    expect(allowed.sort()).toEqual(
      [
        "active->pending",
        "active->sold",
        "active->off_market",
        "pending->active",
        "pending->sold",
        "pending->off_market",
        "off_market->active",
        "sold->active",
      ].sort(),
    );
    for (const status of LISTING_STATUSES) expect(canTransition(status, status)).toBe(true);
    expect(Object.keys(STATUS_TRANSITIONS)).not.toContain("deleted");
  });

  it("answers the statuses a write may start from", () => {
    expect(allowedPredecessors("sold").sort()).toEqual(["active", "pending", "sold"]);
    expect(allowedPredecessors("pending").sort()).toEqual(["active", "pending"]);
  });
});

describe("property rules and merge patch", () => {
  it("requires closing fields exactly when sold and pairs latitude with longitude", () => {
    expect(propertyRuleIssues({ status: "sold" }).map((issue) => issue.field)).toEqual([
      "closingPrice",
      "closingDate",
    ]);
    expect(propertyRuleIssues({ status: "active", closingPrice: 1 }).map((issue) => issue.field)).toEqual([
      "closingPrice",
    ]);
    expect(propertyRuleIssues({ status: "active", latitude: 1 }).map((issue) => issue.field)).toEqual([
      "longitude",
    ]);
    expect(propertyRuleIssues({ status: "active", yearBuilt: 2000, yearRenovated: 1990 })).toHaveLength(1);
    expect(propertyRuleIssues({ status: "sold", closingPrice: 1, closingDate: "2026-01-01" })).toEqual([]);
  });

  it("applies RFC 7396 semantics and clears closing fields on relisting", () => {
    const current: {
      status: ListingStatus;
      closingPrice: number | null;
      closingDate: string | null;
      price: number;
      city: string | null;
    } = { status: "sold", closingPrice: 5, closingDate: "2026-01-01", price: 4, city: "X" };
    expect(applyMergePatch(current, { city: null })).toMatchObject({
      city: null,
      price: 4,
    });
    expect(applyMergePatch(current, { status: "active" })).toMatchObject({
      closingPrice: null,
      closingDate: null,
    });
  });
});

describe("cursors", () => {
  const expected = { sort: "price" as const, filterFingerprint: "0123456789abcdef" };

  it("round-trips list and changes positions", () => {
    const id = crypto.randomUUID();
    const cursor = encodeListCursor({ ...expected, key: "12345", id });
    expect(decodeListCursor(cursor, expected)).toEqual({ ...expected, key: "12345", id });
    expect(decodeChangesCursor(encodeChangesCursor({ xid: "42", changeId: "7" }))).toEqual({
      xid: "42",
      changeId: "7",
    });
  });

  it("refuses garbage, another sort or filters, and keys of the wrong kind", () => {
    const id = crypto.randomUUID();
    const bad = [
      "",
      "!!!",
      "e30",
      encodeListCursor({ sort: "newest", filterFingerprint: expected.filterFingerprint, key: "x", id }),
      encodeListCursor({ ...expected, filterFingerprint: "fedcba9876543210", key: "1", id }),
      encodeListCursor({ ...expected, key: "1e9", id }),
      encodeListCursor({ ...expected, key: "99999999999999999999", id }),
      encodeListCursor({ ...expected, key: "1", id: "not-a-uuid" }),
    ];
    for (const cursor of bad) expect(() => decodeListCursor(cursor, expected)).toThrow(InvalidCursorError);
    expect(() =>
      decodeChangesCursor(encodeChangesCursor({ xid: "1", changeId: "99999999999999999999" })),
    ).toThrow(InvalidCursorError);
  });
});

describe("search helpers", () => {
  it("keeps only letters and digits in tsquery prefix terms", () => {
    expect(prefixTsQuery("12 Pine St")).toBe("12:* & pine:* & st:*");
    expect(prefixTsQuery("pine' | !olive:* & (x)")).toBe("pine:* & olive:* & x:*");
    expect(prefixTsQuery("'';--")).toBeUndefined();
  });

  it("canonicalizes JSON independent of key order", () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: 1 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[1,{"e":1,"f":2}]},"b":1}',
    );
  });

  it("bounds a radius with a box that contains it", () => {
    const box = boundingBoxAround(47.6, -122.3, 10);
    expect(haversineKm(47.6, -122.3, box.maxLat, -122.3)).toBeCloseTo(10, 1);
    expect(haversineKm(47.6, -122.3, 47.6, box.maxLng)).toBeGreaterThanOrEqual(9.99);
    const wrapped = boundingBoxAround(0, 179.99, 50);
    expect(wrapped.minLng).toBeGreaterThan(wrapped.maxLng);
    expect(boundingBoxAround(89.9, 0, 50)).toMatchObject({ minLng: -180, maxLng: 180 });
  });
});
