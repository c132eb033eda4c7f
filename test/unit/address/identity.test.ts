import { describe, expect, it } from "vitest";
import { AddressNotRecognizedError, addressIdentity } from "../../../src/domain/address-identity.ts";

const seattle = { city: "Seattle", state: "WA", zip: "98101" };

describe("addressIdentity", () => {
  it("identifies a street address, a PO box and a parcel", async () => {
    expect((await addressIdentity({ address: "123 Main St", ...seattle })).normalizedAddress).toBe(
      "123 MAIN ST SEATTLE WA 98101",
    );
    expect((await addressIdentity({ address: "PO Box 42", ...seattle })).normalizedAddress).toBe(
      "PO BOX 42 SEATTLE WA 98101",
    );
    expect(
      (await addressIdentity({ address: "King County Parcel 1024069009", ...seattle })).normalizedAddress,
    ).toBe("KING COUNTY PARCEL 1024069009 SEATTLE WA 98101");
  });

  it("refuses text without a house or box number, which would make one property of a whole street or ZIP", async () => {
    for (const address of ["Main St", "nowhere in particular", "somewhere", "n/a", ""]) {
      await expect(addressIdentity({ address, ...seattle }), address).rejects.toBeInstanceOf(
        AddressNotRecognizedError,
      );
    }
  });
});
