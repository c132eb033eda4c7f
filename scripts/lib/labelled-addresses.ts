/**
 * Reading the usaddress labelled training XML and splitting it into a development part and a held-out part.
 *
 * Split rule (fixed, do not change once numbers are reported): an address is HELD OUT when the 32-bit FNV-1a
 * hash of its raw address string (the text inside <AddressString> with the tags removed and XML entities
 * decoded, hashed over its UTF-16 code units) is divisible by 4. That holds out about 25%, does not depend on
 * file order, and keeps exact duplicate strings on the same side so nothing leaks between the parts.
 */

export interface LabelledToken {
  text: string;
  tag: string;
}

export interface LabelledAddress {
  raw: string;
  tokens: LabelledToken[];
}

export type SplitName = "dev" | "heldout" | "all";

const XML_ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function decodeXmlEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, body: string) => {
    if (body.startsWith("#x")) return String.fromCodePoint(Number.parseInt(body.slice(2), 16));
    if (body.startsWith("#")) return String.fromCodePoint(Number.parseInt(body.slice(1), 10));
    return XML_ENTITIES[body] ?? whole;
  });
}

export function parseLabelledXml(xml: string): LabelledAddress[] {
  const addresses: LabelledAddress[] = [];
  for (const match of xml.matchAll(/<AddressString>([\s\S]*?)<\/AddressString>/g)) {
    const inner = match[1] ?? "";
    const tokens: LabelledToken[] = [];
    for (const tokenMatch of inner.matchAll(/<([A-Za-z]+)>([^<]*)<\/\1>/g)) {
      tokens.push({ tag: tokenMatch[1] ?? "", text: decodeXmlEntities(tokenMatch[2] ?? "") });
    }
    const raw = decodeXmlEntities(inner.replace(/<[^>]+>/g, ""));
    addresses.push({ raw, tokens });
  }
  return addresses;
}

export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

export function isHeldOut(raw: string): boolean {
  return fnv1a32(raw) % 4 === 0;
}

export function selectSplit(addresses: LabelledAddress[], split: SplitName): LabelledAddress[] {
  if (split === "all") return addresses;
  const wantHeldOut = split === "heldout";
  return addresses.filter((address) => isHeldOut(address.raw) === wantHeldOut);
}
