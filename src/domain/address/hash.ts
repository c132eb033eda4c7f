import { sha256Hex } from "../sha256.ts";
import { primaryNumber } from "./format.ts";
import type { NormalizedAddress } from "./types.ts";

/**
 * Identity of an address for deduplication, built from normalized components:
 *
 * - part of the identity: primary number (with prefix and suffix), the whole street (directionals, types, name),
 *   the secondary unit IDENTIFIER (not its designator: "APT 4", "UNIT 4" and "# 4" are the same unit; a designator
 *   is used only when it has no identifier, e.g. "REAR"), PO box / rural route type and number, city, state and the
 *   5-digit ZIP. City, state and ZIP count when present, so "123 MAIN ST" and "123 MAIN ST CHICAGO IL" differ.
 * - not part of it: ZIP+4 (a delivery-point refinement that is often missing), recipient, building and landmark
 *   names, country, and anything tagged NotAddress.
 *
 * The version prefix changes whenever these rules change, so stored hashes from older rules never collide silently.
 */
const IDENTITY_VERSION = "address-identity-v1";
const FIELD_SEPARATOR = "\u001f";
const HASH_HEX_LENGTH = 32;

function unitIdentity(type: string | undefined, identifier: string | undefined): string {
  return identifier ?? (type === "#" ? "" : (type ?? ""));
}

/** The canonical string that addressHash digests. Exposed so callers can debug why two addresses differ. */
export function addressIdentityKey(normalized: NormalizedAddress): string {
  const components = normalized.components;
  const street =
    components.IntersectionSeparator === undefined
      ? [
          components.StreetNamePreDirectional,
          components.StreetNamePreModifier,
          components.StreetNamePreType,
          components.StreetName,
          components.StreetNamePostType,
          components.StreetNamePostDirectional,
          components.StreetNamePostModifier,
        ]
          .filter(Boolean)
          .join(" ")
      : normalized.deliveryLine;
  const fields = [
    IDENTITY_VERSION,
    primaryNumber(components),
    street,
    unitIdentity(components.SubaddressType, components.SubaddressIdentifier),
    unitIdentity(components.OccupancyType, components.OccupancyIdentifier),
    components.USPSBoxGroupType ?? "",
    components.USPSBoxGroupID ?? "",
    components.USPSBoxType ?? "",
    components.USPSBoxID ?? "",
    components.PlaceName ?? "",
    components.StateName ?? "",
    (components.ZipCode ?? "").slice(0, 5),
  ];
  return fields.join(FIELD_SEPARATOR);
}

const EMPTY_IDENTITY = addressIdentityKey({
  components: {},
  deliveryLine: "",
  lastLine: "",
  singleLine: "",
});

/**
 * SHA-256 of addressIdentityKey, lowercase hex, first 32 characters (128 bits), from domain/sha256.ts.
 * Rejects with a RangeError when the address has no identifying component at all, because one shared hash for
 * every blank or unparseable address would merge unrelated records.
 */
export async function addressHash(normalized: NormalizedAddress): Promise<string> {
  const identity = addressIdentityKey(normalized);
  if (identity === EMPTY_IDENTITY)
    throw new RangeError("cannot hash an address without any identifying component");
  return (await sha256Hex(identity)).slice(0, HASH_HEX_LENGTH);
}
