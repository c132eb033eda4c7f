// Data Dictionary street components from the product's address parser (src/domain/address): the same parse that
// gives a property its normalized address, in USPS Publication 28 form (upper case, standard abbreviations).
// Derived when a row is read, not stored; the parse costs about a millisecond, so results are kept per isolate.
import { normalizeAddress } from "../address/index.ts";
import type { StreetComponent } from "./fields.ts";

export type StreetComponents = Record<StreetComponent, string | null>;

const CACHE_LIMIT = 20_000;
const cache = new Map<string, StreetComponents>();

function joined(...parts: (string | undefined)[]): string | null {
  const text = parts.filter((part) => part !== undefined && part !== "").join(" ");
  return text === "" ? null : text;
}

export function streetComponents(address: string): StreetComponents {
  const cached = cache.get(address);
  if (cached) return cached;
  const parts = normalizeAddress(address).components;
  const components: StreetComponents = {
    StreetNumber: joined(parts.AddressNumberPrefix, parts.AddressNumber, parts.AddressNumberSuffix),
    StreetDirPrefix: joined(parts.StreetNamePreDirectional),
    StreetName: joined(parts.StreetNamePreModifier, parts.StreetNamePreType, parts.StreetName),
    StreetSuffix: joined(parts.StreetNamePostType),
    StreetDirSuffix: joined(parts.StreetNamePostDirectional),
    UnitNumber: joined(parts.OccupancyIdentifier ?? parts.SubaddressIdentifier),
  };
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(address, components);
  return components;
}
