import { describe, expect, it } from "vitest";
import { createDatabase } from "../../../src/db/client.ts";
import { haversineKm } from "../../../src/domain/valuation/index.ts";
import { loadSettings } from "../../../src/env.ts";
import { boundingBoxAround, createVectorIndex } from "../../../src/vector/index.ts";
import { testEnv } from "../../helpers/env.ts";

const db = createDatabase({ url: testEnv.DATABASE_URL, timeoutMs: 1_000 });

describe("VECTOR_INDEX settings", () => {
  it("defaults to pgvector", () => {
    const settings = loadSettings({ ...testEnv });
    expect(settings.vector).toEqual({ index: "pgvector", comps: "sql", qdrant: undefined });
    expect(loadSettings({ ...testEnv, COMPS_CANDIDATES: "vector" }).vector.comps).toBe("vector");
    expect(createVectorIndex(settings, db).kind).toBe("pgvector");
  });

  it("configures Qdrant with a per-environment collection and the secret api key", () => {
    const settings = loadSettings({
      ...testEnv,
      VECTOR_INDEX: "qdrant",
      QDRANT_URL: "https://cluster.example.cloud.qdrant.io:6333",
      QDRANT_API_KEY: "secret",
    } as Env);
    expect(settings.vector.qdrant).toEqual({
      url: "https://cluster.example.cloud.qdrant.io:6333",
      apiKey: "secret",
      collection: "properties_test",
      timeoutMs: 3000,
      maxAttempts: 4,
    });
    expect(createVectorIndex(settings, db).kind).toBe("qdrant");
  });

  it("refuses an unknown index, and qdrant without a URL, naming the setting only", () => {
    expect(() => loadSettings({ ...testEnv, VECTOR_INDEX: "faiss" })).toThrow(/VECTOR_INDEX/);
    expect(() => loadSettings({ ...testEnv, COMPS_CANDIDATES: "knn" })).toThrow(/COMPS_CANDIDATES/);
    expect(() => loadSettings({ ...testEnv, VECTOR_INDEX: "qdrant", QDRANT_URL: "" })).toThrow(/QDRANT_URL/);
    expect(() => loadSettings({ ...testEnv, QDRANT_URL: "not a url" })).toThrow(/QDRANT_URL/);
  });
});

describe("boundingBoxAround", () => {
  it("contains every point within the radius", () => {
    const box = boundingBoxAround(47.62, -122.35, 2);
    for (const bearing of [0, 45, 90, 135, 180, 225, 270, 315]) {
      const radians = (bearing * Math.PI) / 180;
      const latitude = 47.62 + (1.99 / 111.2) * Math.cos(radians);
      const longitude = -122.35 + (1.99 / (111.2 * Math.cos((47.62 * Math.PI) / 180))) * Math.sin(radians);
      expect(haversineKm(47.62, -122.35, latitude, longitude)).toBeLessThan(2);
      expect(latitude).toBeGreaterThanOrEqual(box.minLatitude);
      expect(latitude).toBeLessThanOrEqual(box.maxLatitude);
      expect(longitude).toBeGreaterThanOrEqual(box.minLongitude);
      expect(longitude).toBeLessThanOrEqual(box.maxLongitude);
    }
  });

  it("stays within valid coordinates near a pole", () => {
    const box = boundingBoxAround(89.9, 10, 50);
    expect(box.maxLatitude).toBe(90);
    expect(box.minLongitude).toBeGreaterThanOrEqual(-180);
    expect(box.maxLongitude).toBeLessThanOrEqual(180);
  });
});
