// The SQL ZIP/county lookups against the reference tables the local platform loads (migrations/0003).
import { describe, expect, it } from "vitest";
import { createDatabase } from "../../src/db/client.ts";
import { sqlReferenceLookup } from "../../src/services/reference-lookup.ts";
import { testEnv } from "../helpers/env.ts";
import { createTenant } from "../helpers/tenants.ts";

function countingDb() {
  const counter = { roundTrips: 0 };
  const db = createDatabase({
    url: testEnv.DATABASE_URL,
    timeoutMs: 10_000,
    onRoundTrip: () => {
      counter.roundTrips++;
    },
  });
  return { db, counter };
}

describe("sqlReferenceLookup", () => {
  it("locates a ZIP in its county and caches the answer per isolate", async () => {
    const tenant = await createTenant();
    const { db, counter } = countingDb();
    const lookup = sqlReferenceLookup(db, tenant.id);
    const location = await lookup.locateZip("98101");
    expect(location).toMatchObject({
      zip: "98101",
      city: "Seattle",
      state: "WA",
      countyFips: "53033",
      countyName: expect.stringMatching(/King/),
    });
    expect(location?.latitude).toBeCloseTo(47.61, 1);
    expect(location?.longitude).toBeCloseTo(-122.33, 1);
    expect(counter.roundTrips).toBe(1);
    // A second lookup (even through another tenant's lookup) is answered from the isolate's cache.
    const again = await sqlReferenceLookup(db, (await createTenant()).id).locateZip("98101");
    expect(again).toEqual(location);
    expect(counter.roundTrips).toBe(1);
  });

  it("answers null for an unknown ZIP and remembers that too", async () => {
    const tenant = await createTenant();
    const { db, counter } = countingDb();
    const lookup = sqlReferenceLookup(db, tenant.id);
    expect(await lookup.locateZip("00000")).toBeNull();
    expect(await lookup.locateZip("00000")).toBeNull();
    expect(counter.roundTrips).toBe(1);
  });

  it("reads the county's hazard scores, null for an unknown county, cached", async () => {
    const tenant = await createTenant();
    const { db, counter } = countingDb();
    const lookup = sqlReferenceLookup(db, tenant.id);
    const hazards = await lookup.countyHazards("53033");
    expect(hazards?.countyFips).toBe("53033");
    expect(typeof hazards?.riskScore).toBe("number");
    expect(typeof hazards?.riskRating).toBe("string");
    expect(typeof hazards?.hazardScores).toBe("object");
    expect(hazards?.dataVersion).toMatch(/\S/);
    expect(await lookup.countyHazards("99999")).toBeNull();
    const trips = counter.roundTrips;
    expect(trips).toBe(2);
    expect(await lookup.countyHazards("53033")).toEqual(hazards);
    expect(await lookup.countyHazards("99999")).toBeNull();
    expect(counter.roundTrips).toBe(trips);
  });
});
