// The behaviour every VectorIndex must have, run against each implementation (pgvector live on the local
// platform, Qdrant against the in-memory stub, and live Qdrant when QDRANT_URL is set).
import { describe, expect, it } from "vitest";
import {
  cosineSimilarity,
  type PropertyAttributes,
  propertyFeatures,
} from "../../src/domain/features/index.ts";
import { boundingBoxAround } from "../../src/vector/index.ts";
import type { VectorIndex, VectorItem } from "../../src/vector/vector-index.ts";
import { isoDaysAgo, type SeedProperty } from "../helpers/property-seeds.ts";

export interface VectorIndexFixture {
  index: VectorIndex;
  /** A new tenant id for the test (its rows exist where the implementation needs them). */
  createTenant(): Promise<string>;
  /** Property ids for the seeds in that tenant (stored rows where the implementation filters on them). */
  addProperties(tenantId: string, seeds: SeedProperty[]): Promise<string[]>;
}

const CENTER = { latitude: 47.62, longitude: -122.35 };

function attributesOf(seed: SeedProperty): PropertyAttributes {
  return {
    latitude: seed.latitude,
    longitude: seed.longitude,
    zip: seed.zip ?? "98109",
    sqft: seed.sqft ?? 1800,
    lotSize: 5000,
    bedrooms: seed.bedrooms ?? 3,
    bathrooms: seed.bathrooms ?? 2,
    floors: 1,
    waterfront: false,
    viewRating: 0,
    conditionRating: 3,
    grade: seed.grade ?? 7,
    sqftAbove: null,
    sqftBasement: null,
    yearBuilt: seed.yearBuilt ?? 1990,
    yearRenovated: null,
    propertyType: "single_family",
  };
}

export function itemOf(id: string, seed: SeedProperty): VectorItem {
  const status = seed.status ?? "sold";
  return {
    propertyId: id,
    vector: propertyFeatures(attributesOf(seed)),
    payload: {
      sold: status === "sold",
      closingDate: status === "sold" && seed.soldDaysAgo !== null ? isoDaysAgo(seed.soldDaysAgo ?? 60) : null,
      latitude: seed.latitude,
      longitude: seed.longitude,
    },
  };
}

const SEEDS: SeedProperty[] = [
  { ...CENTER, sqft: 1800, grade: 7, soldDaysAgo: 30 },
  { latitude: 47.621, longitude: -122.351, sqft: 3600, grade: 10, soldDaysAgo: 100 },
  { latitude: 47.619, longitude: -122.349, sqft: 900, grade: 5, yearBuilt: 1925, soldDaysAgo: 400 },
  { latitude: 47.7, longitude: -122.35, sqft: 1850, grade: 7, soldDaysAgo: 20 },
  { latitude: 47.6205, longitude: -122.3505, sqft: 1750, grade: 7, status: "active" },
];

export function describeVectorIndexContract(name: string, factory: () => Promise<VectorIndexFixture>) {
  describe(`VectorIndex contract: ${name}`, () => {
    async function seeded() {
      const fixture = await factory();
      const tenantId = await fixture.createTenant();
      const ids = await fixture.addProperties(tenantId, SEEDS);
      const items = ids.map((id, position) => itemOf(id, SEEDS[position] as SeedProperty));
      await fixture.index.upsert(tenantId, items);
      return { ...fixture, tenantId, ids, items };
    }

    it("answers every item of the tenant by descending cosine similarity", async () => {
      const { index, tenantId, items } = await seeded();
      const query = propertyFeatures(attributesOf({ ...CENTER, sqft: 1820, grade: 7 }));
      const matches = await index.query(tenantId, query, { limit: 10 });
      expect(matches).toHaveLength(items.length);
      for (const match of matches) {
        const item = items.find((candidate) => candidate.propertyId === match.propertyId);
        expect(item).toBeDefined();
        expect(match.score).toBeCloseTo(cosineSimilarity(query, item?.vector ?? []), 4);
      }
      const scores = matches.map((match) => match.score);
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
      const best = [...items].sort(
        (a, b) => cosineSimilarity(query, b.vector) - cosineSimilarity(query, a.vector),
      )[0];
      expect(matches[0]?.propertyId).toBe(best?.propertyId);
    });

    it("honours limit", async () => {
      const { index, tenantId, items } = await seeded();
      const matches = await index.query(tenantId, items[0]?.vector ?? [], { limit: 2 });
      expect(matches).toHaveLength(2);
      expect(matches[0]?.propertyId).toBe(items[0]?.propertyId);
      expect(matches[0]?.score).toBeCloseTo(1, 4);
    });

    it("never answers another tenant's items, with identical data in both", async () => {
      const first = await seeded();
      const secondTenant = await first.createTenant();
      const secondIds = await first.addProperties(secondTenant, SEEDS);
      await first.index.upsert(
        secondTenant,
        secondIds.map((id, position) => itemOf(id, SEEDS[position] as SeedProperty)),
      );
      const matches = await first.index.query(first.tenantId, first.items[0]?.vector ?? [], { limit: 50 });
      expect(matches.map((match) => match.propertyId).sort()).toEqual([...first.ids].sort());
      const other = await first.index.query(secondTenant, first.items[0]?.vector ?? [], { limit: 50 });
      expect(other.map((match) => match.propertyId).sort()).toEqual([...secondIds].sort());
    });

    it("replaces an item on upsert and forgets it on delete, only within the tenant", async () => {
      const { index, tenantId, ids, items, createTenant } = await seeded();
      const [firstId = "", secondId = ""] = ids;
      await index.upsert(tenantId, [{ ...(items[0] as VectorItem), vector: items[1]?.vector ?? [] }]);
      const afterReplace = await index.query(tenantId, items[1]?.vector ?? [], { limit: 10 });
      expect(afterReplace).toHaveLength(items.length);
      expect(afterReplace.find((match) => match.propertyId === firstId)?.score).toBeCloseTo(1, 4);

      const stranger = await createTenant();
      await index.delete(stranger, [firstId, secondId]);
      expect(await index.query(tenantId, items[1]?.vector ?? [], { limit: 10 })).toHaveLength(items.length);

      await index.delete(tenantId, [firstId]);
      const afterDelete = await index.query(tenantId, items[1]?.vector ?? [], { limit: 10 });
      expect(afterDelete.map((match) => match.propertyId)).not.toContain(firstId);
      expect(afterDelete).toHaveLength(items.length - 1);
    });

    it("filters on recent sales and on a bounding box", async () => {
      const { index, tenantId, ids, items } = await seeded();
      const vector = items[0]?.vector ?? [];
      const recent = await index.query(tenantId, vector, { limit: 10, filter: { soldWithinDays: 200 } });
      expect(recent.map((match) => match.propertyId).sort()).toEqual([ids[0], ids[1], ids[3]].sort());
      const nearby = await index.query(tenantId, vector, {
        limit: 10,
        filter: { bbox: boundingBoxAround(CENTER.latitude, CENTER.longitude, 1) },
      });
      expect(nearby.map((match) => match.propertyId).sort()).toEqual([ids[0], ids[1], ids[2], ids[4]].sort());
      const both = await index.query(tenantId, vector, {
        limit: 10,
        filter: { soldWithinDays: 200, bbox: boundingBoxAround(CENTER.latitude, CENTER.longitude, 1) },
      });
      expect(both.map((match) => match.propertyId)).toEqual([ids[0], ids[1]]);
    });

    it("filters comps candidates on a sold-date range and a great-circle radius, in one query", async () => {
      const { index, tenantId, ids, items } = await seeded();
      const vector = items[0]?.vector ?? [];
      const from = isoDaysAgo(200);
      const before = isoDaysAgo(25);
      const dated = await index.query(tenantId, vector, {
        limit: 10,
        filter: { soldBetween: { from, before } },
      });
      // Sold 30 and 100 days ago; 20 days ago is after `before`, 400 before `from`, the active one not sold.
      expect(dated.map((match) => match.propertyId).sort()).toEqual([ids[0], ids[1]].sort());
      // 47.7 is 8.9 km north of the centre: outside 5 km, inside 10 km; the ranking stays by similarity.
      const within5 = await index.query(tenantId, vector, {
        limit: 10,
        filter: { near: { ...CENTER, radiusKm: 5 } },
      });
      expect(within5.map((match) => match.propertyId).sort()).toEqual(
        [ids[0], ids[1], ids[2], ids[4]].sort(),
      );
      const both = await index.query(tenantId, vector, {
        limit: 10,
        filter: {
          near: { ...CENTER, radiusKm: 10 },
          soldBetween: { from: isoDaysAgo(60), before: isoDaysAgo(0) },
        },
      });
      expect(both.map((match) => match.propertyId)).toEqual([ids[0], ids[3]]);
      for (const [position, match] of both.entries()) {
        const item = items.find((candidate) => candidate.propertyId === match.propertyId);
        expect(match.score).toBeCloseTo(cosineSimilarity(vector, item?.vector ?? []), 4);
        if (position > 0) expect(match.score).toBeLessThanOrEqual(both[position - 1]?.score ?? 1);
      }
    });

    it("answers nothing for a tenant without items, and accepts empty writes", async () => {
      const fixture = await factory();
      const tenantId = await fixture.createTenant();
      await fixture.index.upsert(tenantId, []);
      await fixture.index.delete(tenantId, []);
      expect(
        await fixture.index.query(tenantId, propertyFeatures(attributesOf(CENTER)), { limit: 5 }),
      ).toEqual([]);
    });
  });
}
