// Who the client is, when every header can be forged: only trusted proxies may name the hop before them.
import { describe, expect, it } from "vitest";
import { CLIENT_ADDRESS_HEADER, parseTrustedProxies, readClientAddress, resolveClientAddress, stampClientAddress } from "@/lib/edge/client-address.mjs";

const none = parseTrustedProxies(undefined);
const proxies = parseTrustedProxies("10.0.0.0/8, 127.0.0.1");

describe("resolveClientAddress", () => {
  it("without trusted proxies, is the socket's peer whatever X-Forwarded-For says", () => {
    expect(resolveClientAddress({ socketAddress: "203.0.113.7", forwardedFor: "1.2.3.4", trusted: none })).toBe("203.0.113.7");
    expect(resolveClientAddress({ socketAddress: "::ffff:203.0.113.7", forwardedFor: undefined, trusted: none })).toBe("203.0.113.7");
  });

  it("believes X-Forwarded-For only from a trusted peer, hop by hop from the right", () => {
    expect(resolveClientAddress({ socketAddress: "10.0.0.5", forwardedFor: "198.51.100.9", trusted: proxies })).toBe("198.51.100.9");
    // The client wrote "1.1.1.1" itself; the proxy appended the address it saw.
    expect(resolveClientAddress({ socketAddress: "10.0.0.5", forwardedFor: "1.1.1.1, 198.51.100.9", trusted: proxies })).toBe("198.51.100.9");
    // Two trusted proxies in a row.
    expect(resolveClientAddress({ socketAddress: "127.0.0.1", forwardedFor: "198.51.100.9, 10.1.1.1", trusted: proxies })).toBe("198.51.100.9");
    // An untrusted peer's header is ignored.
    expect(resolveClientAddress({ socketAddress: "203.0.113.7", forwardedFor: "10.0.0.1", trusted: proxies })).toBe("203.0.113.7");
  });

  it("stops at the proxy when the hop it names is not an address", () => {
    expect(resolveClientAddress({ socketAddress: "10.0.0.5", forwardedFor: "evil, not-an-ip", trusted: proxies })).toBe("10.0.0.5");
  });

  it("refuses a TRUSTED_PROXIES entry that isn't an address or range", () => {
    for (const bad of ["proxy.internal", "10.0.0.0/33", "10.0.0.0/8/1", "::1/129", "10.0.0.0/x"]) expect(() => parseTrustedProxies(bad)).toThrow();
    expect(() => parseTrustedProxies("::1, fd00::/8, 192.168.0.0/16")).not.toThrow();
  });
});

describe("the stamped address", () => {
  it("is read back only when it carries this process's seal", () => {
    const stamped = new Headers({ [CLIENT_ADDRESS_HEADER]: stampClientAddress("198.51.100.9") });
    expect(readClientAddress(stamped)).toBe("198.51.100.9");
    expect(readClientAddress(new Headers({ [CLIENT_ADDRESS_HEADER]: "forged 1.2.3.4" }))).toBe("unknown");
    expect(readClientAddress(new Headers({ "x-forwarded-for": "1.2.3.4", "x-real-ip": "1.2.3.4" }))).toBe("unknown");
  });
});
