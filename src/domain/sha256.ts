// SHA-256 as lowercase hex: request fingerprints, cursor filters and address hashes all take their digests from
// here. Computed synchronously with @noble/hashes (audited, pure JavaScript, the same in workerd and Node) rather
// than Web Crypto: the pipeline hashes one address per record, and an awaited crypto.subtle.digest per record costs
// more than the hash itself (in Node it is a round trip through the thread pool).
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";

export function sha256HexSync(text: string): string {
  return bytesToHex(sha256(utf8ToBytes(text)));
}

export async function sha256Hex(text: string): Promise<string> {
  return sha256HexSync(text);
}
