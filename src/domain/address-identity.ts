// The identity of a property's address: its normalized one-line form and the stable hash that keys
// "one live property per address per tenant". Every write path (API, pipeline, seed) goes through here, so the
// same place written two ways is the same property everywhere.
import { addressHash, normalizeAddress } from "./address/index.ts";
import { sha256Hex } from "./sha256.ts";

export interface AddressParts {
  address: string;
  city?: string | null;
  state?: string | null;
  zip?: string | null;
}

export interface AddressIdentity {
  normalizedAddress: string;
  addressHash: string;
}

/** The address has nothing that identifies a place (no number, street, box or parcel). */
export class AddressNotRecognizedError extends Error {
  override readonly name = "AddressNotRecognizedError";
}

/** One line from the parts, as a person would write it; the normalizer parses it back into components. */
export function addressLine(parts: AddressParts): string {
  const lastLine = [parts.state, parts.zip].filter(Boolean).join(" ");
  return [parts.address, parts.city, lastLine].filter((part) => part?.trim()).join(", ");
}

// Land records without a situs address are identified by their assessor's parcel number (APN), e.g.
// "King County Parcel 1024069009"; a street parser would misread the number as a house or box number.
const PARCEL =
  /^\s*(?:(?<county>[A-Za-z][A-Za-z .'-]*?)\s+county\s+)?(?:parcel|apn)\s*(?:no\.?|number|#)?\s*(?<id>[A-Za-z0-9][A-Za-z0-9-]{2,39})\s*$/i;

async function parcelIdentity(
  parts: AddressParts,
  county: string | undefined,
  id: string,
): Promise<AddressIdentity> {
  const upper = (value: string | null | undefined) => value?.trim().toUpperCase().replace(/\s+/g, " ") ?? "";
  const countyName = upper(county);
  const parcel = `${countyName ? `${countyName} COUNTY ` : ""}PARCEL ${upper(id)}`;
  const zip5 = upper(parts.zip).slice(0, 5);
  const lastLine = [upper(parts.city), upper(parts.state), zip5].filter(Boolean).join(" ");
  // A parcel number is unique within its county, so county and state (not city or ZIP) make its identity.
  const key = ["parcel-v1", countyName, upper(parts.state), upper(id)].join("|");
  return {
    normalizedAddress: [parcel, lastLine].filter(Boolean).join(" "),
    addressHash: (await sha256Hex(key)).slice(0, 32),
  };
}

export async function addressIdentity(parts: AddressParts): Promise<AddressIdentity> {
  const parcel = PARCEL.exec(parts.address);
  if (parcel?.groups?.id) return parcelIdentity(parts, parcel.groups.county, parcel.groups.id);
  const normalized = normalizeAddress(addressLine(parts));
  // A city and ZIP alone would make every unrecognized address in that ZIP the same property, and so would a street
  // without a house number: a property's delivery line has a primary number (house number or box).
  const { AddressNumber, USPSBoxID } = normalized.components;
  if (!normalized.deliveryLine || !(AddressNumber || USPSBoxID)) {
    throw new AddressNotRecognizedError(
      `No street address, PO box or parcel found in ${JSON.stringify(parts.address)}.`,
    );
  }
  try {
    return { normalizedAddress: normalized.singleLine, addressHash: await addressHash(normalized) };
  } catch (error) {
    if (error instanceof RangeError) {
      throw new AddressNotRecognizedError(
        `No street address, PO box or parcel found in ${JSON.stringify(parts.address)}.`,
      );
    }
    throw error;
  }
}
