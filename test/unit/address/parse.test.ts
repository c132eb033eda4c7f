import { describe, expect, it } from "vitest";
import { FEATURE_SET_VERSION } from "../../../src/domain/address/features.ts";
import { parseAddress } from "../../../src/domain/address/index.ts";
import { TAGGER_MODEL } from "../../../src/domain/address/tagger-model.ts";

describe("parseAddress", () => {
  it("splits a full street address into usaddress components", () => {
    const parsed = parseAddress("123 N. Main St., Apt. 4, Springfield, Illinois 62701-1234");
    expect(parsed.kind).toBe("street");
    expect(parsed.components).toEqual({
      AddressNumber: "123",
      StreetNamePreDirectional: "N.",
      StreetName: "Main",
      StreetNamePostType: "St.",
      OccupancyType: "Apt.",
      OccupancyIdentifier: "4",
      PlaceName: "Springfield",
      StateName: "Illinois",
      ZipCode: "62701-1234",
    });
  });

  it("keeps multi-word names together and handles post directionals", () => {
    expect(parseAddress("1600 Pennsylvania Avenue NW, Washington, DC 20500").components).toEqual({
      AddressNumber: "1600",
      StreetName: "Pennsylvania",
      StreetNamePostType: "Avenue",
      StreetNamePostDirectional: "NW",
      PlaceName: "Washington",
      StateName: "DC",
      ZipCode: "20500",
    });
    expect(parseAddress("1044 Lake Shore Boulevard, Evanston, IL 60202").components.StreetName).toBe(
      "Lake Shore",
    );
  });

  it("recognizes pre-types such as Avenue H and numbered highways", () => {
    expect(parseAddress("9912 S. Avenue H").components).toEqual({
      AddressNumber: "9912",
      StreetNamePreDirectional: "S.",
      StreetNamePreType: "Avenue",
      StreetName: "H",
    });
    expect(parseAddress("6500 Highway 179, Sedona, AZ 86351").components).toMatchObject({
      StreetNamePreType: "Highway",
      StreetName: "179",
      PlaceName: "Sedona",
    });
  });

  it("handles ordinal street names written as digits or words", () => {
    expect(parseAddress("3600 West 5th Ave").components).toMatchObject({
      StreetName: "5th",
      StreetNamePostType: "Ave",
    });
    expect(parseAddress("350 Fifth Avenue, New York, NY 10118").components).toMatchObject({
      StreetName: "Fifth",
      PlaceName: "New York",
    });
  });

  it("splits '#' off unit numbers", () => {
    const parsed = parseAddress("123 N Main St #4");
    expect(parsed.tokens.map((token) => token.text)).toEqual(["123", "N", "Main", "St", "#", "4"]);
    expect(parsed.components.OccupancyIdentifier).toBe("# 4");
  });

  it("parses PO boxes and rural routes", () => {
    const box = parseAddress("P.O. Box 370316, Chicago, IL 60637");
    expect(box.kind).toBe("po-box");
    expect(box.components).toMatchObject({ USPSBoxType: "P.O. Box", USPSBoxID: "370316", ZipCode: "60637" });
    expect(parseAddress("RR 2 Box 152, Bennington VT 05201").components).toMatchObject({
      USPSBoxGroupType: "RR",
      USPSBoxGroupID: "2",
      USPSBoxType: "Box",
      USPSBoxID: "152",
    });
  });

  it("recognizes intersections", () => {
    const parsed = parseAddress("Main St & 5th Ave");
    expect(parsed.kind).toBe("intersection");
    expect(parsed.components.IntersectionSeparator).toBe("&");
  });

  it("is insensitive to case", () => {
    const lower = parseAddress("100 main street unit 5b boston ma 02108").tokens.map((token) => token.tag);
    const upper = parseAddress("100 MAIN STREET UNIT 5B BOSTON MA 02108").tokens.map((token) => token.tag);
    expect(lower).toEqual(upper);
  });

  it("uses a model trained with the current feature set", () => {
    expect(TAGGER_MODEL.featureSetVersion).toBe(FEATURE_SET_VERSION);
  });
});
