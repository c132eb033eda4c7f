// Component-level Publication 28 rules that the parser-driven tests reach only rarely: every tag's normalizer,
// ZIP spellings, unit designators, and how PO boxes and rural-route boxes are written.
import { describe, expect, it } from "vitest";
import { formatAddress, normalizeComponent } from "../../../src/domain/address/index.ts";
import type { AddressComponents, ParsedAddress } from "../../../src/domain/address/types.ts";

const parsed = (components: AddressComponents, kind: ParsedAddress["kind"] = "street"): ParsedAddress => ({
  truncated: false,
  tokens: [],
  components,
  kind,
});

describe("normalizeComponent, tag by tag", () => {
  it.each([
    ["StreetNamePreDirectional", "North", "N"],
    ["StreetNamePostDirectional", "north west", "NW"],
    ["StreetNamePostDirectional", "Nowhere", "NOWHERE"],
    ["StreetNamePreType", "Hwy", "HIGHWAY"],
    ["StreetName", "Fifth", "5TH"],
    ["StreetName", "St. John's", "ST JOHNS"],
    ["OccupancyType", "Apartment", "APT"],
    ["OccupancyType", "#", "#"],
    ["OccupancyType", "...", "#"],
    ["SubaddressType", "Penthouse", "PH"],
    ["OccupancyType", "Wing", "WING"],
    ["OccupancyIdentifier", "#4B", "4B"],
    ["SubaddressIdentifier", "Third", "3RD"],
    ["USPSBoxType", "P.O. Box", "PO BOX"],
    ["USPSBoxType", "Post Office Box", "PO BOX"],
    ["USPSBoxGroupType", "Rural Route", "RR"],
    ["USPSBoxGroupType", "Highway Contract", "HC"],
    ["USPSBoxGroupType", "Caller", "CALLER"],
    ["AddressNumber", "#12-A", "12-A"],
    ["USPSBoxID", "# 152", "152"],
    ["StateName", "washington", "WA"],
    ["StateName", "Atlantis", "ATLANTIS"],
    ["ZipCode", "98101", "98101"],
    ["ZipCode", "98101-1234", "98101-1234"],
    ["ZipCode", "981011234", "98101-1234"],
    ["ZipCode", "98101 0000", "98101"],
    ["ZipCode", "6851", "06851"],
    ["ZipCode", "68511234", "06851-1234"],
    ["ZipCode", "K1A 0B1", "K1A 0B1"],
    ["IntersectionSeparator", "and", "&"],
    ["PlaceName", "Coeur d'Alène", "COEUR DALENE"],
  ] as const)("%s %j -> %j", (tag, text, expected) => {
    expect(normalizeComponent(tag, text)).toBe(expected);
  });
});

describe("formatAddress, boxes and units", () => {
  it("writes a bare box number as a PO BOX", () => {
    const address = formatAddress(
      parsed({ USPSBoxID: "152", PlaceName: "Seattle", StateName: "WA", ZipCode: "98101" }, "po-box"),
    );
    expect(address.deliveryLine).toBe("PO BOX 152");
    expect(address.singleLine).toBe("PO BOX 152 SEATTLE WA 98101");
  });

  it("writes a box on a rural route as BOX, never PO BOX", () => {
    const explicit = formatAddress(
      parsed({
        USPSBoxGroupType: "Rural Route",
        USPSBoxGroupID: "2",
        USPSBoxType: "PO Box",
        USPSBoxID: "152",
      }),
    );
    expect(explicit.deliveryLine).toBe("RR 2 BOX 152");
    const implicit = formatAddress(parsed({ USPSBoxGroupID: "2", USPSBoxID: "152" }));
    expect(implicit.deliveryLine).toBe("2 BOX 152");
  });

  it("puts # before a unit without designator and keeps a designator without identifier", () => {
    expect(
      formatAddress(
        parsed({
          AddressNumber: "12",
          StreetName: "Main",
          StreetNamePostType: "Street",
          OccupancyIdentifier: "4",
        }),
      ).deliveryLine,
    ).toBe("12 MAIN ST # 4");
    expect(
      formatAddress(parsed({ AddressNumber: "12", StreetName: "Main", SubaddressType: "Basement" }))
        .deliveryLine,
    ).toBe("12 MAIN BSMT");
  });

  it("attaches letter suffixes, keeps fractions apart, and drops components that clean to nothing", () => {
    expect(
      formatAddress(parsed({ AddressNumber: "214", AddressNumberSuffix: "b", StreetName: "Oak" }))
        .deliveryLine,
    ).toBe("214B OAK");
    expect(
      formatAddress(parsed({ AddressNumber: "720", AddressNumberSuffix: "½", StreetName: "Oak" }))
        .deliveryLine,
    ).toBe("720 1/2 OAK");
    const address = formatAddress(parsed({ AddressNumber: "5", StreetName: "Elm", PlaceName: "..." }));
    expect(address.components.PlaceName).toBeUndefined();
    expect(address.lastLine).toBe("");
    expect(address.singleLine).toBe("5 ELM");
  });
});
