// The per-IP limiters' client key, from Cloudflare's CF-Connecting-IP (set by the edge; a client cannot forge it
// in production). IPv4 is keyed per address. IPv6 is keyed per /64: one subscriber usually holds a whole /64 and
// can rotate through its 2^64 addresses at will, so a per-address key would not limit anyone.

/** Key for requests without CF-Connecting-IP: only `wrangler dev` and tests, where every client is local. */
export const LOCAL_CLIENT = "local";
/** Key for a header that is not an IP address; all such requests share one budget rather than escape limits. */
export const UNPARSED_CLIENT = "unparsed";

function parseIPv4(text: string): number[] | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  const octets = parts.map((part) => (/^\d{1,3}$/.test(part) ? Number(part) : Number.NaN));
  return octets.every((octet) => octet <= 255) ? octets : null;
}

/** The eight 16-bit groups of an IPv6 address, `::` expanded; null when it is not one. */
function parseIPv6(text: string): number[] | null {
  const address = text.replace(/%.*$/, "");
  const halves = address.split("::");
  if (halves.length > 2) return null;
  const toGroups = (half: string | undefined): number[] | null => {
    if (!half) return [];
    const groups: number[] = [];
    const parts = half.split(":");
    for (const [index, part] of parts.entries()) {
      // An embedded IPv4 address (::ffff:192.0.2.1) can only be the last two groups.
      if (index === parts.length - 1 && part.includes(".")) {
        const octets = parseIPv4(part);
        if (!octets) return null;
        groups.push(((octets[0] ?? 0) << 8) | (octets[1] ?? 0), ((octets[2] ?? 0) << 8) | (octets[3] ?? 0));
        continue;
      }
      if (!/^[0-9a-f]{1,4}$/i.test(part)) return null;
      groups.push(Number.parseInt(part, 16));
    }
    return groups;
  };
  const head = toGroups(halves[0]);
  const tail = toGroups(halves[1]);
  if (!head || !tail) return null;
  if (halves.length === 1) return head.length === 8 ? head : null;
  const missing = 8 - head.length - tail.length;
  return missing >= 1 ? [...head, ...Array<number>(missing).fill(0), ...tail] : null;
}

/** The client part of a per-IP limiter key: "203.0.113.7", "2001:db8:0:1::/64", "local" or "unparsed". */
export function clientAddressKey(connectingIp: string | undefined): string {
  const value = connectingIp?.trim();
  if (!value) return LOCAL_CLIENT;
  const ipv4 = parseIPv4(value);
  if (ipv4) return ipv4.join(".");
  const groups = parseIPv6(value);
  if (!groups) return UNPARSED_CLIENT;
  const isIPv4Mapped = groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff;
  if (isIPv4Mapped) {
    const [high = 0, low = 0] = groups.slice(6);
    return [high >> 8, high & 0xff, low >> 8, low & 0xff].join(".");
  }
  return `${groups
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(":")}::/64`;
}
