// The identity of a property's address: its normalized one-line form and the stable hash that keys
// "one live property per address per tenant". Every write path (API and pipeline) goes through here.

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

/** One line from the parts, as a person would write it; the normalizer parses it back into components. */
export function addressLine(parts: AddressParts): string {
  const lastLine = [parts.state, parts.zip].filter(Boolean).join(" ");
  return [parts.address, parts.city, lastLine].filter((part) => part?.trim()).join(", ");
}

// Minimal normalization (upper case, punctuation and whitespace folded) until the USPS Publication 28
// normalizer in src/domain/address/ replaces it.
function normalizeLine(line: string): string {
  return line.toUpperCase().replace(/[.,#]/g, " ").replace(/\s+/g, " ").trim();
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

export async function addressIdentity(parts: AddressParts): Promise<AddressIdentity> {
  const normalizedAddress = normalizeLine(addressLine(parts));
  return { normalizedAddress, addressHash: (await sha256Hex(normalizedAddress)).slice(0, 32) };
}
