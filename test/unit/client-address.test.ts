import { describe, expect, it } from "vitest";
import { clientAddressKey } from "../../src/middleware/client-address.ts";

describe("clientAddressKey", () => {
  it("keys IPv4 clients per address", () => {
    expect(clientAddressKey("203.0.113.7")).toBe("203.0.113.7");
    expect(clientAddressKey(" 198.51.100.1 ")).toBe("198.51.100.1");
  });

  it("keys IPv6 clients per /64, whatever the spelling of the address", () => {
    const expected = "2001:db8:85a3:8d3::/64";
    expect(clientAddressKey("2001:db8:85a3:8d3:1319:8a2e:370:7348")).toBe(expected);
    expect(clientAddressKey("2001:0DB8:85A3:08D3:0000:0000:0000:0001")).toBe(expected);
    expect(clientAddressKey("2001:db8:85a3:8d3::")).toBe(expected);
    expect(clientAddressKey("2001:db8:85a3:8d3::ffff")).toBe(expected);
    expect(clientAddressKey("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(clientAddressKey("::1")).toBe("0:0:0:0::/64");
    expect(clientAddressKey("fe80::1%eth0")).toBe("fe80:0:0:0::/64");
    expect(clientAddressKey("2001:db8:85a3:8d4::1")).not.toBe(expected);
  });

  it("treats IPv4-mapped IPv6 addresses as the IPv4 address", () => {
    expect(clientAddressKey("::ffff:203.0.113.7")).toBe("203.0.113.7");
    expect(clientAddressKey("::ffff:cb00:7107")).toBe("203.0.113.7");
  });

  it("falls back to a shared key when the header is absent or not an address", () => {
    expect(clientAddressKey(undefined)).toBe("local");
    expect(clientAddressKey("")).toBe("local");
    for (const junk of [
      "not-an-ip",
      "256.1.1.1",
      "1.2.3",
      "1::2::3",
      "1:2:3:4:5:6:7:8:9",
      "12345::",
      "1.2.3.4.5",
    ]) {
      expect(clientAddressKey(junk), junk).toBe("unparsed");
    }
  });
});
