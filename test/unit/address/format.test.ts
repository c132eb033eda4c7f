import { describe, expect, it } from "vitest";
import {
  formatAddress,
  normalizeAddress,
  normalizeComponent,
  parseAddress,
} from "../../../src/domain/address/index.ts";
import { STREET_SUFFIX_TO_STANDARD } from "../../../src/domain/address/usps-tables.ts";

describe("normalizeComponent: Publication 28 Appendix C1 street suffixes", () => {
  it.each([
    ["AVENUE", "AVE"],
    ["Avenu", "AVE"],
    ["avn", "AVE"],
    ["Boulevard", "BLVD"],
    ["BOULV", "BLVD"],
    ["Circle", "CIR"],
    ["crcle", "CIR"],
    ["Street", "ST"],
    ["Str.", "ST"],
    ["Parkway", "PKWY"],
    ["PARKWY", "PKWY"],
    ["Terrace", "TER"],
    ["Expressway", "EXPY"],
    ["Highway", "HWY"],
    ["Meadows", "MDWS"],
    ["MDW", "MDW"],
  ])("%s -> %s", (written, standard) => {
    expect(normalizeComponent("StreetNamePostType", written)).toBe(standard);
  });

  it("maps every commonly used spelling in the table to its standard abbreviation", () => {
    for (const [spelling, standard] of STREET_SUFFIX_TO_STANDARD) {
      expect(normalizeComponent("StreetNamePostType", spelling.toLowerCase())).toBe(standard);
    }
  });
});

describe("normalizeComponent: directionals, units, states, ZIP", () => {
  it.each([
    ["North", "N"],
    ["S.", "S"],
    ["NORTHWEST", "NW"],
    ["South West", "SW"],
    ["n.e.", "NE"],
    ["Southeast", "SE"],
  ])("directional %s -> %s", (written, standard) => {
    expect(normalizeComponent("StreetNamePreDirectional", written)).toBe(standard);
    expect(normalizeComponent("StreetNamePostDirectional", written)).toBe(standard);
  });

  it.each([
    ["Apartment", "APT"],
    ["Apt.", "APT"],
    ["Suite", "STE"],
    ["Floor", "FL"],
    ["Flr", "FL"],
    ["Building", "BLDG"],
    ["Room", "RM"],
    ["Penthouse", "PH"],
    ["Basement", "BSMT"],
    ["Trailer", "TRLR"],
    ["#", "#"],
  ])("unit designator %s -> %s", (written, standard) => {
    expect(normalizeComponent("OccupancyType", written)).toBe(standard);
  });

  it.each([
    ["Illinois", "IL"],
    ["new york", "NY"],
    ["Calif.", "CA"],
    ["District of Columbia", "DC"],
    ["Puerto Rico", "PR"],
    ["Guam", "GU"],
    ["tx", "TX"],
  ])("state %s -> %s", (written, code) => {
    expect(normalizeComponent("StateName", written)).toBe(code);
  });

  it.each([
    ["60611", "60611"],
    ["60611-1234", "60611-1234"],
    ["606111234", "60611-1234"],
    ["94103\u20141612", "94103-1612"],
    ["49506-0000", "49506"],
    ["6851", "06851"],
    ["11201.", "11201"],
  ])("ZIP %s -> %s", (written, standard) => {
    expect(normalizeComponent("ZipCode", written)).toBe(standard);
  });

  it("turns spelled ordinals into numbers and drops punctuation in names", () => {
    expect(normalizeComponent("StreetName", "Fifth")).toBe("5TH");
    expect(normalizeComponent("StreetName", "Twenty-First")).toBe("21ST");
    expect(normalizeComponent("StreetName", "St. John's")).toBe("ST JOHNS");
    expect(normalizeComponent("OccupancyIdentifier", "#2510")).toBe("2510");
    expect(normalizeComponent("PlaceName", "San José")).toBe("SAN JOSE");
    expect(normalizeComponent("StreetName", "6th ½")).toBe("6TH 1/2");
  });
});

describe("normalizeAddress", () => {
  it.each([
    ["123 north main street apt 4", "123 N MAIN ST APT 4", ""],
    [
      "123 N. Main St., Apt. 4, Springfield, Illinois 62701-1234",
      "123 N MAIN ST APT 4",
      "SPRINGFIELD IL 62701-1234",
    ],
    ["123 N Main St #4", "123 N MAIN ST # 4", ""],
    [
      "500 Marquette Avenue Northwest Suite 1500, Albuquerque, NM 87102",
      "500 MARQUETTE AVE NW STE 1500",
      "ALBUQUERQUE NM 87102",
    ],
    ["350 Fifth Avenue, New York, NY 10118", "350 5TH AVE", "NEW YORK NY 10118"],
    ["9912 S. Avenue H", "9912 S AVENUE H", ""],
    ["6500 Highway 179, Sedona, AZ 86351", "6500 HIGHWAY 179", "SEDONA AZ 86351"],
    ["P.O. Box 370316, Chicago, IL 60637", "PO BOX 370316", "CHICAGO IL 60637"],
    ["RR 2 Box 152, Bennington VT 05201", "RR 2 BOX 152", "BENNINGTON VT 05201"],
    ["Main St & 5th Ave", "MAIN ST & 5TH AVE", ""],
  ])("%s", (input, deliveryLine, lastLine) => {
    const normalized = normalizeAddress(input);
    expect(normalized.deliveryLine).toBe(deliveryLine);
    expect(normalized.lastLine).toBe(lastLine);
    expect(normalized.singleLine).toBe([deliveryLine, lastLine].filter(Boolean).join(" "));
  });

  it("is idempotent on its own output", () => {
    for (const input of [
      "123 N. Main St., Apt. 4, Springfield, Illinois 62701-1234",
      "1600 Pennsylvania Avenue NW, Washington, DC 20500",
      "P.O. Box 370316, Chicago, IL 60637",
    ]) {
      const once = normalizeAddress(input).singleLine;
      expect(normalizeAddress(once).singleLine).toBe(once);
    }
  });

  it("keeps recipients and building names in components but not in the lines", () => {
    const normalized = formatAddress({
      truncated: false,
      kind: "street",
      tokens: [],
      components: {
        Recipient: "Acme Inc.",
        BuildingName: "Tower Place",
        AddressNumber: "10",
        StreetName: "Elm",
      },
    });
    expect(normalized.components.Recipient).toBe("ACME INC");
    expect(normalized.singleLine).toBe("10 ELM");
  });

  it("formats what parseAddress returns", () => {
    const parsed = parseAddress("742 Evergreen Terrace, Springfield");
    expect(formatAddress(parsed).singleLine).toBe("742 EVERGREEN TER SPRINGFIELD");
  });
});
