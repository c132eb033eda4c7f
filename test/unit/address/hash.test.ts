import { describe, expect, it } from "vitest";
import { addressHash, addressIdentityKey, normalizeAddress } from "../../../src/domain/address/index.ts";

const hashOf = (input: string) => addressHash(normalizeAddress(input));

describe("addressHash", () => {
  it("is 32 lowercase hex characters and stable across releases", async () => {
    const hash = await hashOf("123 N Main St Apt 4, Springfield, IL 62701");
    expect(hash).toMatch(/^[0-9a-f]{32}$/);
    expect(hash).toBe(PINNED_HASH);
  });

  it("digests a documented canonical string", () => {
    const key = addressIdentityKey(normalizeAddress("123 N Main St Apt 4, Springfield, IL 62701-4321"));
    expect(key.split("\u001f")).toEqual([
      "address-identity-v1",
      "123",
      "N MAIN ST",
      "",
      "4",
      "",
      "",
      "",
      "",
      "SPRINGFIELD",
      "IL",
      "62701",
    ]);
  });

  it("gives the same hash for the same address written differently", async () => {
    const variants = [
      "123 north main street apt 4",
      "123 N Main St #4",
      "123 N. MAIN ST., APT. 4",
      "123 North Main Street Unit 4",
      "  123   n main st   apt 4  ",
    ];
    const hashes = await Promise.all(variants.map(hashOf));
    expect(new Set(hashes).size).toBe(1);
  });

  it("treats state names, ZIP+4 and ordinals as the same address", async () => {
    const plain = await hashOf("350 5th Ave, New York, NY 10118");
    expect(await hashOf("350 Fifth Avenue, New York, New York 10118-0110")).toBe(plain);
  });

  it("distinguishes different units, numbers, streets and ZIP codes", async () => {
    const base = await hashOf("123 N Main St Apt 4, Springfield, IL 62701");
    const others = await Promise.all([
      hashOf("123 N Main St Apt 5, Springfield, IL 62701"),
      hashOf("125 N Main St Apt 4, Springfield, IL 62701"),
      hashOf("123 S Main St Apt 4, Springfield, IL 62701"),
      hashOf("123 N Main Ave Apt 4, Springfield, IL 62701"),
      hashOf("123 N Main St Apt 4, Springfield, IL 62702"),
      hashOf("123 N Main St Apt 4, Springfield, MO 62701"),
    ]);
    for (const other of others) expect(other).not.toBe(base);
  });

  it("includes city and ZIP when present", async () => {
    expect(await hashOf("123 Main St")).not.toBe(await hashOf("123 Main St, Chicago, IL 60601"));
  });

  it("leaves recipients and building names out of the identity", () => {
    const withRecipient = normalizeAddress("123 Main St");
    withRecipient.components.Recipient = "JOHN DOE";
    withRecipient.components.BuildingName = "TOWER PLACE";
    expect(addressIdentityKey(withRecipient)).toBe(addressIdentityKey(normalizeAddress("123 Main St")));
  });

  it("refuses to hash an empty address", async () => {
    await expect(hashOf("")).rejects.toThrow(RangeError);
    await expect(hashOf("   ,,, ")).rejects.toThrow(RangeError);
  });
});

// sha256("address-identity-v1\x1f123\x1fN MAIN ST\x1f\x1f4\x1f\x1f\x1f\x1f\x1fSPRINGFIELD\x1fIL\x1f62701"), first 32 hex;
// changing it breaks every stored hash, so bump IDENTITY_VERSION in hash.ts instead of editing this value.
const PINNED_HASH = "c912de4a7816689e87dbd077ee8f40ee";
