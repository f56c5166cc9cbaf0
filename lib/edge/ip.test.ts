import { describe, expect, it } from "vitest";
import { addressGroup } from "@/lib/edge/ip.mjs";

describe("addressGroup", () => {
  it("counts an IPv6 address by its /64, however it is written, and IPv4 by itself", () => {
    expect(addressGroup("2001:db8:1:2::5")).toBe("2001:db8:1:2::/64");
    expect(addressGroup("2001:DB8:1:2:ffff:ffff:ffff:1")).toBe("2001:db8:1:2::/64");
    expect(addressGroup("2001:db8:0:0:1::")).toBe("2001:db8:0:0::/64");
    expect(addressGroup("1::2:3:4:5:6:7")).toBe("1:0:2:3::/64");
    expect(addressGroup("2001:db8:1:3::5")).not.toBe(addressGroup("2001:db8:1:2::5"));
    expect(addressGroup("::ffff:192.0.2.1")).toBe("192.0.2.1");
    expect(addressGroup("192.0.2.1")).toBe("192.0.2.1");
    expect(addressGroup("unknown")).toBe("unknown");
  });

  it("counts a whole /48 when asked, and IPv4 still by itself", () => {
    expect(addressGroup("2001:db8:1:2::5", 48)).toBe("2001:db8:1::/48");
    expect(addressGroup("2001:db8:1:ffff::1", 48)).toBe(addressGroup("2001:db8:1:2::5", 48));
    expect(addressGroup("2001:db8:2:2::5", 48)).not.toBe(addressGroup("2001:db8:1:2::5", 48));
    expect(addressGroup("192.0.2.1", 48)).toBe("192.0.2.1");
  });
});
