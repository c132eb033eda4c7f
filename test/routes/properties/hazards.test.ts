// FEMA NRI hazards on the properties a client reads: every write path (create, replace, patch) gets its
// county's row from the loaded NRI table, a property without one says why, and lists filter by the overall
// rating and sort by the overall score with keyset pages. The figures are FEMA's (data/fema_nri, v1.20).
import { beforeAll, describe, expect, it } from "vitest";
import { NRI_DATA_VERSION } from "../../../src/domain/geo/hazards.ts";
import { createTenant, type TestTenant } from "../../helpers/tenants.ts";
import { createProperty, send, warmUp } from "./helpers.ts";

// biome-ignore lint/suspicious/noExplicitAny: test-only view of JSON bodies
type Json = any;

beforeAll(warmUp);

const KING = { zip: "98103", city: "Seattle", state: "WA" };
const SPOKANE = { zip: "99201", city: "Spokane", state: "WA" };
const TETON = { zip: "83001", city: "Jackson", state: "WY", latitude: 43.48, longitude: -110.76 };

describe("hazards on properties", () => {
  it("serves the King County NRI row for a property created in a King County ZIP, on POST, GET and lists", async () => {
    const tenant = await createTenant();
    const created = await createProperty(tenant, KING);
    const expected = {
      nriVersion: NRI_DATA_VERSION,
      countyFips: "53033",
      county: "King",
      state: "WA",
      riskScore: 99.68,
      riskRating: "Very High",
    };
    expect(created.body.hazards).toMatchObject(expected);
    expect(created.body.hazardsUnavailable).toBeNull();
    const hazards = created.body.hazards as Json;
    expect(Object.keys(hazards.byType)).toHaveLength(18);
    expect(hazards.byType.earthquake).toEqual({ score: 99.9, rating: null });
    expect(hazards.byType.hurricane).toEqual({ score: null, rating: null });

    const fetched = (await (await send(tenant, "GET", `/${created.id}`, { role: "viewer" })).json()) as Json;
    expect(fetched.hazards).toEqual(created.body.hazards);
    const page = (await (await send(tenant, "GET", "?limit=5", { role: "viewer" })).json()) as Json;
    expect(page.items[0].hazards).toEqual(created.body.hazards);
    const changes = (await (await send(tenant, "GET", "/changes", { role: "viewer" })).json()) as Json;
    expect(changes.changes.at(-1)?.property.hazards).toMatchObject(expected);
  });

  it("follows the property when PUT or PATCH moves it, and prefers an explicit countyFips to the ZIP's", async () => {
    const tenant = await createTenant();
    const created = await createProperty(tenant, KING);
    const replaced = await send(tenant, "PUT", `/${created.id}`, {
      body: { address: created.body.address, ...SPOKANE, status: "active" },
      headers: { "if-match": created.etag },
    });
    expect(replaced.status).toBe(200);
    const afterPut = (await replaced.json()) as Json;
    expect(afterPut.hazards).toMatchObject({
      countyFips: "53063",
      county: "Spokane",
      riskRating: "Relatively Moderate",
    });

    const patched = await send(tenant, "PATCH", `/${created.id}`, {
      body: { countyFips: "53053" },
      headers: {
        "if-match": replaced.headers.get("etag") ?? "",
        "content-type": "application/merge-patch+json",
      },
    });
    expect(patched.status).toBe(200);
    const afterPatch = (await patched.json()) as Json;
    expect(afterPatch.hazards).toMatchObject({
      countyFips: "53053",
      county: "Pierce",
      riskRating: "Relatively High",
    });
    expect(afterPatch.hazards.riskScore).toBe(98.54);
  });

  it("says hazards: null with the reason, never a made-up value, outside the NRI's counties", async () => {
    const tenant = await createTenant();
    const noCounty = await createProperty(tenant, { zip: "09001", city: "APO", state: null });
    expect(noCounty.body).toMatchObject({ hazards: null, hazardsUnavailable: "no_county" });
    const unknownCounty = await createProperty(tenant, { countyFips: "99999" });
    expect(unknownCounty.body).toMatchObject({ hazards: null, hazardsUnavailable: "county_not_in_nri" });
    const noZip = await createProperty(tenant, { zip: null });
    expect(noZip.body).toMatchObject({ hazards: null, hazardsUnavailable: "no_county" });
  });

  describe("lists", () => {
    let tenant: TestTenant;
    const ids: Record<string, string[]> = { king: [], spokane: [], teton: [], none: [] };

    beforeAll(async () => {
      tenant = await createTenant();
      for (let i = 0; i < 2; i++) {
        ids.king?.push((await createProperty(tenant, KING)).id);
        ids.spokane?.push((await createProperty(tenant, SPOKANE)).id);
        ids.teton?.push((await createProperty(tenant, TETON)).id);
      }
      ids.none?.push((await createProperty(tenant, { zip: null })).id);
    });

    async function pages(query: string): Promise<Json[]> {
      const items: Json[] = [];
      let cursor: string | null = null;
      do {
        const suffix: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
        const response = await send(tenant, "GET", `?${query}&limit=2${suffix}`, { role: "viewer" });
        expect(response.status, await response.clone().text()).toBe(200);
        const page = (await response.json()) as Json;
        items.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      return items;
    }

    it("sort by the overall risk score in both directions, unknown last, across keyset pages", async () => {
      const riskiest = await pages("sort=-riskScore");
      expect(riskiest.map((item) => item.hazards?.county ?? null)).toEqual([
        "King",
        "King",
        "Spokane",
        "Spokane",
        "Teton",
        "Teton",
        null,
      ]);
      const safest = await pages("sort=riskScore");
      expect(safest.map((item) => item.hazards?.county ?? null)).toEqual([
        "Teton",
        "Teton",
        "Spokane",
        "Spokane",
        "King",
        "King",
        null,
      ]);
    });

    it("filter by the overall rating, one or several", async () => {
      const veryHigh = await pages(`riskRating=${encodeURIComponent("Very High")}`);
      expect(veryHigh.map((item) => item.id).sort()).toEqual([...(ids.king ?? [])].sort());
      const two = await pages(`riskRating=${encodeURIComponent("Relatively Low,Very High")}&sort=-riskScore`);
      expect(two.map((item) => item.hazards.county)).toEqual(["King", "King", "Teton", "Teton"]);
      const bad = await send(tenant, "GET", "?riskRating=Extreme", { role: "viewer" });
      expect(bad.status).toBe(400);
      expect(await bad.json()).toMatchObject({ errors: [{ field: "riskRating" }] });
    });
  });
});
