import { describe, expect, it } from "vitest";
import { addressAllowed, hostAllowed, isPublicAddress, parseAllowList } from "@/lib/mcp/address-policy";

describe("isPublicAddress", () => {
  it.each([
    ["0.0.0.0", "this network"],
    ["10.1.2.3", "private 10/8"],
    ["100.64.0.1", "CGNAT"],
    ["100.127.255.254", "CGNAT"],
    ["127.0.0.1", "loopback"],
    ["127.255.255.254", "loopback"],
    ["169.254.169.254", "cloud metadata"],
    ["169.254.1.1", "link-local"],
    ["172.16.0.1", "private 172.16/12"],
    ["172.31.255.255", "private 172.16/12"],
    ["192.168.1.1", "private 192.168/16"],
    ["192.0.0.1", "IETF"],
    ["198.18.0.1", "benchmarking"],
    ["224.0.0.1", "multicast"],
    ["255.255.255.255", "broadcast"],
    ["::", "IPv6 unspecified"],
    ["::1", "IPv6 loopback"],
    ["[::1]", "bracketed IPv6 loopback"],
    ["fe80::1", "IPv6 link-local"],
    ["fe80::1%eth0", "IPv6 link-local with zone"],
    ["fc00::1", "IPv6 unique local"],
    ["fd00:ec2::254", "AWS metadata over IPv6"],
    ["ff02::1", "IPv6 multicast"],
    ["::ffff:127.0.0.1", "IPv4-mapped loopback"],
    ["::ffff:7f00:1", "IPv4-mapped loopback, hex form"],
    ["::ffff:169.254.169.254", "IPv4-mapped metadata"],
    ["::ffff:a9fe:a9fe", "IPv4-mapped metadata, hex form"],
    ["::127.0.0.1", "IPv4-compatible loopback"],
    ["64:ff9b::10.0.0.1", "NAT64 of a private address"],
    ["2002:7f00:1::", "6to4 of loopback"],
    ["not-an-ip", "a name"],
  ])("refuses %s (%s)", (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each(["93.184.216.34", "1.1.1.1", "172.32.0.1", "100.128.0.1", "2606:4700::1111", "::ffff:93.184.216.34", "64:ff9b::808:808"])("allows the public address %s", (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });
});

describe("MCP_ALLOWED_HOSTS", () => {
  const list = parseAllowList("mcp.internal, 10.1.2.3:8443, 192.168.0.0/16, 127.0.0.1, [::1]:9000");

  it("allows hosts by name, and host:port only on that port", () => {
    expect(hostAllowed(list, "MCP.internal", "443")).toBe(true);
    expect(hostAllowed(list, "10.1.2.3", "8443")).toBe(true);
    expect(hostAllowed(list, "10.1.2.3", "80")).toBe(false);
    expect(hostAllowed(list, "::1", "9000")).toBe(true);
    expect(hostAllowed(list, "other.internal", "443")).toBe(false);
  });

  it("allows addresses inside listed networks, and nothing else private", () => {
    expect(addressAllowed(list, "192.168.7.7")).toBe(true);
    expect(addressAllowed(list, "::ffff:192.168.7.7")).toBe(true);
    expect(addressAllowed(list, "127.0.0.1")).toBe(true);
    expect(addressAllowed(list, "127.0.0.2")).toBe(false);
    expect(addressAllowed(list, "10.0.0.1")).toBe(false);
    expect(addressAllowed(list, "169.254.169.254")).toBe(false);
    expect(addressAllowed(parseAllowList(""), "127.0.0.1")).toBe(false);
  });
});
