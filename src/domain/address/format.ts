import { parseAddress } from "./parse.ts";
import { stateCodeFor } from "./states.ts";
import { stripTrailingSeparators } from "./tokenize.ts";
import type {
  AddressComponents,
  AddressTag,
  AddressToken,
  NormalizedAddress,
  ParsedAddress,
} from "./types.ts";
import { STREET_SUFFIX_TO_STANDARD } from "./usps-tables.ts";
import {
  DIRECTIONAL_TO_ABBREVIATION,
  PRE_TYPE_TO_STANDARD,
  SPELLED_ORDINAL_TO_NUMERIC,
  UNIT_DESIGNATOR_TO_ABBREVIATION,
} from "./vocabulary.ts";

/**
 * Publication 28 keeps only letters, digits, spaces, the hyphen, the slash (fractions, "1/2") and "&". Periods,
 * commas, apostrophes and the like are dropped (so "ST. JOHN'S" becomes "ST JOHNS"), accents are removed.
 */
function cleanText(text: string): string {
  return text
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toUpperCase()
    .replace(/[^A-Z0-9 /&#\-½]+/g, "")
    .replace(/½/g, " 1/2")
    .replace(/\s*-\s*/g, "-")
    .replace(/\s+/g, " ")
    .trim();
}

function withoutHash(text: string): string {
  return text.replace(/#/g, " ").replace(/\s+/g, " ").trim();
}

function mapWords(text: string, table: ReadonlyMap<string, string>): string {
  return text
    .split(" ")
    .map((word) => table.get(word) ?? word)
    .filter((word) => word !== "")
    .join(" ");
}

function normalizeDirectional(text: string): string {
  const cleaned = withoutHash(cleanText(text));
  return (
    DIRECTIONAL_TO_ABBREVIATION.get(cleaned) ??
    DIRECTIONAL_TO_ABBREVIATION.get(cleaned.replace(/ /g, "")) ??
    cleaned
  );
}

function normalizeStreetName(text: string): string {
  const cleaned = withoutHash(cleanText(text));
  return SPELLED_ORDINAL_TO_NUMERIC.get(cleaned) ?? cleaned;
}

function normalizeUnitDesignator(text: string): string {
  const cleaned = cleanText(text);
  if (cleaned === "" || cleaned.includes("#")) return "#";
  return UNIT_DESIGNATOR_TO_ABBREVIATION.get(cleaned) ?? cleaned;
}

function normalizeUnitIdentifier(text: string): string {
  const cleaned = withoutHash(cleanText(text));
  return SPELLED_ORDINAL_TO_NUMERIC.get(cleaned) ?? cleaned;
}

const PO_BOX_SPELLINGS: ReadonlySet<string> = new Set([
  "PO BOX",
  "POBOX",
  "P O BOX",
  "POB",
  "PO",
  "BOX",
  "POST OFFICE BOX",
  "POST BOX",
  "POST OFFICE",
  "PO BX",
]);
const BOX_GROUP_SPELLINGS: ReadonlyMap<string, string> = new Map([
  ["RR", "RR"],
  ["RURAL ROUTE", "RR"],
  ["RURAL RTE", "RR"],
  ["RFD", "RR"],
  ["RD", "RR"],
  ["ROUTE", "RR"],
  ["RTE", "RR"],
  ["RT", "RR"],
  ["HC", "HC"],
  ["HCR", "HC"],
  ["HIGHWAY CONTRACT", "HC"],
  ["HIGHWAY CONTRACT ROUTE", "HC"],
  ["STAR ROUTE", "HC"],
]);

function normalizeBoxType(text: string): string {
  const cleaned = withoutHash(cleanText(text));
  if (PO_BOX_SPELLINGS.has(cleaned)) return "PO BOX";
  return BOX_GROUP_SPELLINGS.get(cleaned) ?? cleaned;
}

/** "60611", "60611-1234", "606111234", "60611 1234" -> "60611" / "60611-1234"; a +4 of 0000 is dropped. */
function normalizeZip(text: string): string {
  const digits = text.replace(/\D/g, "");
  // Spreadsheets drop the leading zero of New England ZIPs ("6851" for 06851).
  const padded = digits.length === 4 || digits.length === 8 ? `0${digits}` : digits;
  if (padded.length === 9) {
    const plusFour = padded.slice(5);
    return plusFour === "0000" ? padded.slice(0, 5) : `${padded.slice(0, 5)}-${plusFour}`;
  }
  return padded.length === 5 ? padded : cleanText(text);
}

/** Publication 28 form of one component's text. */
export function normalizeComponent(tag: AddressTag, text: string): string {
  switch (tag) {
    case "StreetNamePreDirectional":
    case "StreetNamePostDirectional":
      return normalizeDirectional(text);
    case "StreetNamePreType":
      return mapWords(withoutHash(cleanText(text)), PRE_TYPE_TO_STANDARD);
    case "StreetNamePostType":
      return mapWords(cleanText(text), STREET_SUFFIX_TO_STANDARD);
    case "StreetName":
      return normalizeStreetName(text);
    case "OccupancyType":
    case "SubaddressType":
      return normalizeUnitDesignator(text);
    case "OccupancyIdentifier":
    case "SubaddressIdentifier":
      return normalizeUnitIdentifier(text);
    case "USPSBoxType":
    case "USPSBoxGroupType":
      return normalizeBoxType(text);
    case "AddressNumber":
    case "AddressNumberPrefix":
    case "AddressNumberSuffix":
    case "USPSBoxID":
    case "USPSBoxGroupID":
      return withoutHash(cleanText(text));
    case "StateName":
      return stateCodeFor(text) ?? cleanText(text);
    case "ZipCode":
      return normalizeZip(text);
    case "IntersectionSeparator":
      return "&";
    default:
      return withoutHash(cleanText(text));
  }
}

export function normalizeComponents(components: AddressComponents): AddressComponents {
  const normalized: AddressComponents = {};
  for (const [tag, text] of Object.entries(components) as Array<[AddressTag, string | undefined]>) {
    if (text === undefined) continue;
    const value = normalizeComponent(tag, text);
    if (value !== "") normalized[tag] = value;
  }
  return normalized;
}

/** "214" + "B" -> "214B", "720" + "1/2" -> "720 1/2": letter suffixes attach, fractions stand apart. */
export function primaryNumber(components: AddressComponents): string {
  const number = [components.AddressNumberPrefix, components.AddressNumber].filter(Boolean).join("");
  const suffix = components.AddressNumberSuffix;
  if (suffix === undefined) return number;
  return suffix.includes("/") ? `${number} ${suffix}` : `${number}${suffix}`;
}

function joinPresent(parts: ReadonlyArray<string | undefined>): string {
  return parts.filter((part): part is string => part !== undefined && part !== "").join(" ");
}

function unitPart(type: string | undefined, identifier: string | undefined): string {
  if (identifier === undefined) return type ?? "";
  return `${type ?? "#"} ${identifier}`;
}

const INTERSECTION_STREET_TAGS: ReadonlySet<AddressTag> = new Set([
  "StreetNamePreDirectional",
  "StreetNamePreModifier",
  "StreetNamePreType",
  "StreetName",
  "StreetNamePostType",
  "StreetNamePostDirectional",
  "StreetNamePostModifier",
  "IntersectionSeparator",
]);

/** Intersections keep input order ("MAIN ST & 5TH AVE"): joining components per tag would interleave the streets. */
function intersectionLine(tokens: readonly AddressToken[]): string {
  const segments: string[] = [];
  let runTag: AddressTag | undefined;
  let runText: string[] = [];
  const flush = () => {
    if (runTag !== undefined) segments.push(normalizeComponent(runTag, runText.join(" ")));
    runText = [];
  };
  for (const token of tokens) {
    if (!INTERSECTION_STREET_TAGS.has(token.tag)) continue;
    if (token.tag !== runTag) {
      flush();
      runTag = token.tag;
    }
    runText.push(stripTrailingSeparators(token.text));
  }
  flush();
  return joinPresent(segments);
}

function deliveryLineOf(parsed: ParsedAddress, normalized: AddressComponents): string {
  const street =
    parsed.kind === "intersection"
      ? intersectionLine(parsed.tokens)
      : joinPresent([
          normalized.StreetNamePreDirectional,
          normalized.StreetNamePreModifier,
          normalized.StreetNamePreType,
          normalized.StreetName,
          normalized.StreetNamePostType,
          normalized.StreetNamePostDirectional,
          normalized.StreetNamePostModifier,
        ]);
  return joinPresent([
    primaryNumber(normalized),
    street,
    unitPart(normalized.SubaddressType, normalized.SubaddressIdentifier),
    unitPart(normalized.OccupancyType, normalized.OccupancyIdentifier),
    normalized.USPSBoxGroupType,
    normalized.USPSBoxGroupID,
    normalized.USPSBoxType,
    normalized.USPSBoxID,
  ]);
}

/**
 * Publication 28 rendering of a parsed address. Recipient, building, landmark and country are kept in
 * components but left out of the lines, as Publication 28 recommends for the delivery address.
 */
export function formatAddress(parsed: ParsedAddress): NormalizedAddress {
  const components = normalizeComponents(parsed.components);
  // On rural and highway contract routes the box is written "RR 2 BOX 152", never "PO BOX".
  const onRoute = components.USPSBoxGroupType !== undefined || components.USPSBoxGroupID !== undefined;
  if (onRoute && components.USPSBoxType === "PO BOX") components.USPSBoxType = "BOX";
  if (components.USPSBoxID !== undefined && components.USPSBoxType === undefined) {
    components.USPSBoxType = onRoute ? "BOX" : "PO BOX";
  }
  const deliveryLine = deliveryLineOf(parsed, components);
  const lastLine = joinPresent([components.PlaceName, components.StateName, components.ZipCode]);
  return { components, deliveryLine, lastLine, singleLine: joinPresent([deliveryLine, lastLine]) };
}

export function normalizeAddress(input: string): NormalizedAddress {
  return formatAddress(parseAddress(input));
}
