// SHA-256 as lowercase hex, with Web Crypto only (the same in workerd and Node): request fingerprints, cursor
// filters and address hashes all take their digests from here.
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}
