// Outbound fetches of tenant-supplied URLs (feed sources), hardened against SSRF.
//
// What is checked here: https only, no credentials in the URL, standard ports, no host that is an IP literal in
// a non-public range (IPv4 in any of its decimal/octal/hex spellings, IPv6 including IPv4-mapped, NAT64, 6to4
// and IPv4-compatible forms), no localhost and no .local/.internal/.localhost names; redirects are followed by
// hand, each hop validated the same way, at most three; the body is read as a stream with a byte cap, and the
// whole exchange (every hop and the body) shares one deadline.
//
// What is not checked here: DNS. workerd exposes no resolver, so a public name that resolves to a private
// address cannot be caught in the Worker. In production that case is covered by Cloudflare's egress, which does
// not route Worker subrequests to private, loopback or link-local destinations (and the Worker has no private
// network attached); a deployment that adds one (e.g. a Tunnel or VPC binding) must keep feeds off it.
import { readCapped } from "../domain/capped-stream.ts";
import { embeddedIPv4, isIPv4Mapped, parseIPv4, parseIPv6 } from "../domain/ip-address.ts";

export class UnsafeUrlError extends Error {
  override readonly name = "UnsafeUrlError";
}

export class FetchLimitError extends Error {
  override readonly name = "FetchLimitError";
}

export class UpstreamStatusError extends Error {
  override readonly name = "UpstreamStatusError";
  readonly status: number;
  constructor(status: number) {
    super(`The source answered HTTP ${status}.`);
    this.status = status;
  }
}

const ALLOWED_PORTS = new Set(["", "443", "8443"]);
const BLOCKED_NAMES = /(^|\.)(localhost|local|internal|localdomain|home\.arpa|intranet|lan|corp)$/i;
const MAX_REDIRECTS = 3;

function isPublicIPv4([a = 0, b = 0, c = 0]: number[]): boolean {
  if (a === 0 || a === 10 || a === 127 || a >= 224) return false; // this network, private, loopback, multicast, reserved
  if (a === 100 && b >= 64 && b <= 127) return false; // CGNAT 100.64/10
  if (a === 169 && b === 254) return false; // link-local, cloud metadata
  if (a === 172 && b >= 16 && b <= 31) return false;
  if (a === 192 && b === 168) return false;
  if (a === 192 && b === 0 && (c === 0 || c === 2)) return false; // IETF protocol assignments, TEST-NET-1
  if (a === 192 && b === 88 && c === 99) return false; // 6to4 relay anycast
  if (a === 198 && (b === 18 || b === 19)) return false; // benchmarking
  if (a === 198 && b === 51 && c === 100) return false; // TEST-NET-2
  if (a === 203 && b === 0 && c === 113) return false; // TEST-NET-3
  return true;
}

function isPublicIPv6(groups: number[]): boolean {
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0] = groups;
  const prefixZero = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0;
  if (isIPv4Mapped(groups)) return isPublicIPv4(embeddedIPv4(groups, 6));
  if (prefixZero && g5 === 0) return false; // unspecified, loopback, IPv4-compatible (deprecated)
  if (g0 === 0x64 && g1 === 0xff9b) return isPublicIPv4(embeddedIPv4(groups, 6)); // NAT64
  if (g0 === 0x2002) return isPublicIPv4(embeddedIPv4(groups, 1)); // 6to4
  if ((g0 & 0xfe00) === 0xfc00) return false; // unique local fc00::/7
  if ((g0 & 0xffc0) === 0xfe80 || (g0 & 0xffc0) === 0xfec0) return false; // link-local, site-local
  if ((g0 & 0xff00) === 0xff00) return false; // multicast
  if (g0 === 0x2001 && (g1 === 0 || g1 === 0xdb8)) return false; // Teredo, documentation
  if (g0 === 0x100 && g1 === 0 && g2 === 0 && g3 === 0) return false; // discard-only 100::/64
  return true;
}

/** Throws UnsafeUrlError unless `raw` is an https URL on a public host. Answers the parsed URL. */
export function assertSafeUrl(raw: string | URL): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UnsafeUrlError("Not a valid URL.");
  }
  if (url.protocol !== "https:") throw new UnsafeUrlError("Only https URLs are allowed.");
  if (url.username || url.password) throw new UnsafeUrlError("Credentials in the URL are not allowed.");
  if (!ALLOWED_PORTS.has(url.port)) throw new UnsafeUrlError("Only ports 443 and 8443 are allowed.");
  const host = url.hostname.toLowerCase().replace(/\.$/, "");
  if (!host) throw new UnsafeUrlError("The URL has no host.");
  if (host.startsWith("[")) {
    const groups = parseIPv6(host.slice(1, -1));
    if (!groups || !isPublicIPv6(groups)) throw new UnsafeUrlError("The host is not a public address.");
    return url;
  }
  const ipv4 = parseIPv4(host);
  if (ipv4) {
    if (!isPublicIPv4(ipv4)) throw new UnsafeUrlError("The host is not a public address.");
    return url;
  }
  if (!host.includes(".") || BLOCKED_NAMES.test(host)) {
    throw new UnsafeUrlError("The host name is not a public name.");
  }
  if (/^[0-9.]+$/.test(host) || /^0x/i.test(host))
    throw new UnsafeUrlError("The host is not a valid address.");
  return url;
}

export interface SafeFetchOptions {
  fetcher: typeof fetch;
  headers?: Record<string, string>;
  maxBytes: number;
  timeoutMs: number;
}

/** Answers `error` as a FetchLimitError when it is the shared deadline running out, else unchanged. */
export function timeoutAsLimit(error: unknown): unknown {
  return (error as { name?: string }).name === "TimeoutError"
    ? new FetchLimitError("The source timed out.")
    : error;
}

/**
 * GETs `raw` with every hop validated and answers the final 2xx response, its body unread (the caller reads it,
 * with a byte cap, before `options.timeoutMs` has passed: the deadline covers the body too). Authorization-bearing
 * headers are sent only to the origin the caller named: a redirect to another origin loses them. A non-2xx answer
 * other than a redirect is an UpstreamStatusError, except the statuses in `accept` (e.g. 304, 416), which are
 * answered like a 2xx.
 */
export async function safeFetch(
  raw: string,
  options: SafeFetchOptions & { accept?: readonly number[] },
): Promise<{ response: Response; url: string }> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  let url = assertSafeUrl(raw);
  const origin = url.origin;
  for (let hop = 0; ; hop++) {
    const headers = new Headers(url.origin === origin ? options.headers : undefined);
    headers.delete("cookie");
    let response: Response;
    try {
      response = await options.fetcher(url.toString(), {
        method: "GET",
        headers,
        redirect: "manual",
        signal,
      });
    } catch (error) {
      throw timeoutAsLimit(error);
    }
    if (response.status >= 300 && response.status < 400 && response.headers.has("location")) {
      await response.body?.cancel();
      if (hop >= MAX_REDIRECTS) throw new FetchLimitError("Too many redirects.");
      url = assertSafeUrl(new URL(response.headers.get("location") ?? "", url));
      continue;
    }
    if (!response.ok && !options.accept?.includes(response.status)) {
      await response.body?.cancel();
      throw new UpstreamStatusError(response.status);
    }
    return { response, url: url.toString() };
  }
}

/** safeFetch, with the body read (at most `maxBytes`) and answered as text. */
export async function safeFetchText(
  raw: string,
  options: SafeFetchOptions,
): Promise<{ text: string; url: string }> {
  const { response, url } = await safeFetch(raw, options);
  try {
    const body = await readCapped(
      response.body,
      response.headers.get("content-length"),
      options.maxBytes,
      () => new FetchLimitError(`The response is larger than ${options.maxBytes} bytes.`),
    );
    return { text: new TextDecoder().decode(body), url };
  } catch (error) {
    throw timeoutAsLimit(error);
  }
}
