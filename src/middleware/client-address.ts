// The per-IP limiters' client key, from Cloudflare's CF-Connecting-IP (set by the edge; a client cannot forge it
// in production). IPv4 is keyed per address. IPv6 is keyed per /64: one subscriber usually holds a whole /64 and
// can rotate through its 2^64 addresses at will, so a per-address key would not limit anyone.

import { embeddedIPv4, isIPv4Mapped, parseDottedQuad, parseIPv6 } from "../domain/ip-address.ts";

/** Key for requests without CF-Connecting-IP: only `wrangler dev` and tests, where every client is local. */
export const LOCAL_CLIENT = "local";
/** Key for a header that is not an IP address; all such requests share one budget rather than escape limits. */
export const UNPARSED_CLIENT = "unparsed";

/** The client part of a per-IP limiter key: "203.0.113.7", "2001:db8:0:1::/64", "local" or "unparsed". */
export function clientAddressKey(connectingIp: string | undefined): string {
  const value = connectingIp?.trim();
  if (!value) return LOCAL_CLIENT;
  const ipv4 = parseDottedQuad(value);
  if (ipv4) return ipv4.join(".");
  // A zone ("fe80::1%eth0") names the interface, not another address.
  const groups = parseIPv6(value.replace(/%.*$/, ""));
  if (!groups) return UNPARSED_CLIENT;
  if (isIPv4Mapped(groups)) return embeddedIPv4(groups, 6).join(".");
  return `${groups
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(":")}::/64`;
}
