// Opaque keyset cursors. A cursor is base64url(JSON) of the position after the last row served: the sort key
// value and id of that row, the sort it belongs to and a fingerprint of the filters. It grants nothing (every
// query is scoped to the caller's tenant), so it is not signed; it is validated strictly instead, and a cursor
// from another sort or other filters is refused rather than silently producing a wrong page.
import { z } from "zod";

export const PROPERTY_SORTS = [
  "newest",
  "price",
  "-price",
  "sqft",
  "updated",
  "riskScore",
  "-riskScore",
] as const;
export type PropertySort = (typeof PROPERTY_SORTS)[number];

/** An integer sort key as text, within [min, max]; checked in one step so nothing parses a malformed key. */
const integerKey = (min: bigint, max: bigint) =>
  z.string().refine((key) => /^-?[0-9]{1,19}$/.test(key) && BigInt(key) >= min && BigInt(key) <= max);

/** Which kind of value each sort keys on: a timestamp, or a generated integer sort column (price in cents). */
const SORT_KEY_SCHEMAS = {
  newest: z.iso.datetime({ offset: false, precision: 3 }),
  updated: z.iso.datetime({ offset: false, precision: 3 }),
  price: integerKey(0n, 2n ** 63n - 1n),
  "-price": integerKey(-1n, 2n ** 63n - 1n),
  sqft: integerKey(0n, 2n ** 31n - 1n),
  // The FEMA NRI overall risk score in hundredths (0-10000); properties without hazards key on a sentinel.
  riskScore: integerKey(0n, 2n ** 31n - 1n),
  "-riskScore": integerKey(-1n, 10_000n),
} satisfies Record<PropertySort, z.ZodType>;

export type SortKey = string | number | null;

export interface ListPosition {
  sort: PropertySort;
  filterFingerprint: string;
  key: SortKey;
  id: string;
}

const listCursorSchema = z
  .object({
    v: z.literal(1),
    s: z.enum(PROPERTY_SORTS),
    f: z.string().regex(/^[0-9a-f]{16}$/),
    k: z.union([z.string(), z.number(), z.null()]),
    i: z.uuid(),
  })
  .strict();

const changesCursorSchema = z
  .object({
    v: z.literal(1),
    x: z.string().regex(/^[0-9]{1,20}$/),
    c: z.string().regex(/^[0-9]{1,19}$/),
  })
  .strict();

export interface ChangesPosition {
  /** The writing transaction's id (xid8, decimal). */
  xid: string;
  /** The change's id (bigint, decimal). */
  changeId: string;
}

export class InvalidCursorError extends Error {
  override readonly name = "InvalidCursorError";
}

function toBase64Url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function fromBase64Url(encoded: string): string {
  if (!/^[A-Za-z0-9_-]{1,1024}$/.test(encoded)) throw new InvalidCursorError("not base64url");
  const binary = atob(encoded.replaceAll("-", "+").replaceAll("_", "/"));
  return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(
    Uint8Array.from(binary, (char) => char.charCodeAt(0)),
  );
}

function decodeJson(encoded: string): unknown {
  try {
    return JSON.parse(fromBase64Url(encoded));
  } catch {
    throw new InvalidCursorError("not a cursor");
  }
}

export function encodeListCursor(position: ListPosition): string {
  return toBase64Url(
    JSON.stringify({
      v: 1,
      s: position.sort,
      f: position.filterFingerprint,
      k: position.key,
      i: position.id,
    }),
  );
}

/** The position a cursor names, if it was made for this sort and these filters; otherwise InvalidCursorError. */
export function decodeListCursor(
  encoded: string,
  expected: { sort: PropertySort; filterFingerprint: string },
): ListPosition {
  const parsed = listCursorSchema.safeParse(decodeJson(encoded));
  if (!parsed.success) throw new InvalidCursorError("malformed cursor");
  const { s: sort, f: filterFingerprint, k: key, i: id } = parsed.data;
  if (sort !== expected.sort) throw new InvalidCursorError("cursor belongs to another sort");
  if (filterFingerprint !== expected.filterFingerprint)
    throw new InvalidCursorError("cursor belongs to other filters");
  if (!SORT_KEY_SCHEMAS[sort].safeParse(key).success) throw new InvalidCursorError("malformed sort key");
  return { sort, filterFingerprint, key, id };
}

export function encodeChangesCursor(position: ChangesPosition): string {
  return toBase64Url(JSON.stringify({ v: 1, x: position.xid, c: position.changeId }));
}

export function decodeChangesCursor(encoded: string): ChangesPosition {
  const parsed = changesCursorSchema.safeParse(decodeJson(encoded));
  if (!parsed.success) throw new InvalidCursorError("malformed cursor");
  // xid8 and bigint are unsigned 64-bit and signed 64-bit: bound them so the database never sees an overflow.
  if (BigInt(parsed.data.x) > 2n ** 64n - 1n || BigInt(parsed.data.c) > 2n ** 63n - 1n)
    throw new InvalidCursorError("cursor out of range");
  return { xid: parsed.data.x, changeId: parsed.data.c };
}
