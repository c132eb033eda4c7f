// IP address literals as text, parsed once for every reader (the per-IP limiters' client key in
// middleware/client-address.ts, the SSRF checks on tenant-supplied URLs in services/safe-fetch.ts), and the
// loopback hosts.

/** An IPv4 address in its one standard spelling, four decimal octets ("203.0.113.7"); null if not one. */
export function parseDottedQuad(text: string): number[] | null {
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(text)) return null;
  const octets = text.split(".").map(Number);
  return octets.every((octet) => octet <= 255) ? octets : null;
}

/**
 * An IPv4 literal the way URL parsers read a host (1-4 parts, each decimal, 0-octal or 0x-hex, a trailing dot
 * allowed), so "0x7f.1" and "2130706433" are 127.0.0.1; null if not one.
 */
export function parseIPv4(host: string): number[] | null {
  const parts = host.split(".");
  if (parts.length > 1 && parts.at(-1) === "") parts.pop();
  if (parts.length === 0 || parts.length > 4) return null;
  const numbers: number[] = [];
  for (const part of parts) {
    let value: number;
    if (/^0x[0-9a-f]*$/i.test(part)) value = part.length === 2 ? 0 : Number.parseInt(part.slice(2), 16);
    else if (/^0[0-7]+$/.test(part)) value = Number.parseInt(part.slice(1), 8);
    else if (/^(0|[1-9][0-9]*)$/.test(part)) value = Number(part);
    else return null;
    numbers.push(value);
  }
  const last = numbers.pop() ?? 0;
  if (numbers.some((value) => value > 255) || last >= 256 ** (4 - numbers.length)) return null;
  const bytes = [...numbers];
  for (let index = 3 - numbers.length; index >= 0; index--) bytes.push(Math.floor(last / 256 ** index) % 256);
  return bytes;
}

/**
 * An IPv6 literal (no brackets, no zone) as eight 16-bit groups, `::` expanded and a trailing dotted-quad IPv4
 * address ("::ffff:192.0.2.1") read as the last two groups; null if it is not one.
 */
export function parseIPv6(text: string): number[] | null {
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const toGroups = (half: string | undefined, endsAddress: boolean): number[] | null => {
    if (!half) return [];
    const groups: number[] = [];
    const parts = half.split(":");
    for (const [index, part] of parts.entries()) {
      if (endsAddress && index === parts.length - 1 && part.includes(".")) {
        const octets = parseDottedQuad(part);
        if (!octets) return null;
        groups.push(((octets[0] ?? 0) << 8) | (octets[1] ?? 0), ((octets[2] ?? 0) << 8) | (octets[3] ?? 0));
        continue;
      }
      if (!/^[0-9a-f]{1,4}$/i.test(part)) return null;
      groups.push(Number.parseInt(part, 16));
    }
    return groups;
  };
  const head = toGroups(halves[0], halves.length === 1);
  const tail = toGroups(halves[1], true);
  if (!head || !tail) return null;
  if (halves.length === 1) return head.length === 8 ? head : null;
  const missing = 8 - head.length - tail.length;
  return missing >= 1 ? [...head, ...Array<number>(missing).fill(0), ...tail] : null;
}

/** The IPv4 address carried in two groups of an IPv6 address, starting at group `from`. */
export function embeddedIPv4(groups: readonly number[], from: number): number[] {
  const high = groups[from] ?? 0;
  const low = groups[from + 1] ?? 0;
  return [high >> 8, high & 0xff, low >> 8, low & 0xff];
}

/** ::ffff:a.b.c.d, an IPv4 address written as IPv6. */
export function isIPv4Mapped(groups: readonly number[]): boolean {
  return groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff;
}

/**
 * This machine's names as a URL spells its hostname (IPv6 in brackets): where the local platform's identity
 * issuer and database endpoint listen, the only hosts that may be reached over plain http.
 */
export const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(["127.0.0.1", "localhost", "[::1]"]);
