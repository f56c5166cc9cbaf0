// Which addresses an MCP server may live at. Users type server URLs, so the console must not be a
// way into its own network: loopback, private, link-local, CGNAT, metadata and other special
// ranges are refused unless MCP_ALLOWED_HOSTS names them (hosts, host:port, or CIDRs).
import { BlockList, isIP } from "node:net";
import { stripBrackets } from "@/lib/edge/ip.mjs";

const BLOCKED_V4: [string, number][] = [
  ["0.0.0.0", 8], // "this" network
  ["10.0.0.0", 8], // private
  ["100.64.0.0", 10], // CGNAT
  ["127.0.0.0", 8], // loopback
  ["169.254.0.0", 16], // link-local, cloud metadata (169.254.169.254)
  ["172.16.0.0", 12], // private
  ["192.0.0.0", 24], // IETF protocol assignments
  ["192.0.2.0", 24], // documentation
  ["192.88.99.0", 24], // 6to4 relay
  ["192.168.0.0", 16], // private
  ["198.18.0.0", 15], // benchmarking
  ["198.51.100.0", 24], // documentation
  ["203.0.113.0", 24], // documentation
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, broadcast
];

const BLOCKED_V6: [string, number][] = [
  ["::", 128], // unspecified
  ["::1", 128], // loopback
  ["100::", 64], // discard
  ["2001:db8::", 32], // documentation
  ["fc00::", 7], // unique local (includes AWS metadata fd00:ec2::254)
  ["fe80::", 10], // link-local
  ["fec0::", 10], // site-local (deprecated)
  ["ff00::", 8], // multicast
];

const blocked = new BlockList();
for (const [network, prefix] of BLOCKED_V4) blocked.addSubnet(network, prefix, "ipv4");
for (const [network, prefix] of BLOCKED_V6) blocked.addSubnet(network, prefix, "ipv6");

/** The 16 bytes of an IPv6 address (with any embedded dotted IPv4). */
function ipv6Bytes(address: string): number[] {
  let text = stripBrackets(address).replace(/%.*$/, "");
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, -dotted[0].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split("::");
  const parse = (part: string | undefined) => (part ? part.split(":").filter(Boolean).map((group) => parseInt(group, 16)) : []);
  const front = parse(halves[0]);
  const compressed = halves.length > 1;
  const back = compressed ? parse(halves[1]) : [];
  const groups: number[] = compressed ? [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back] : front;
  return groups.flatMap((group) => [group >> 8, group & 0xff]);
}

/** An IPv4 address hidden in an IPv6 one: IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible, NAT64, 6to4. */
function embeddedIpv4(address: string): string | undefined {
  const bytes = ipv6Bytes(address);
  const dotted = (offset: number) => bytes.slice(offset, offset + 4).join(".");
  const zero = (from: number, to: number) => bytes.slice(from, to).every((byte) => byte === 0);
  if (zero(0, 10) && bytes[10] === 0xff && bytes[11] === 0xff) return dotted(12); // ::ffff:0:0/96
  if (zero(0, 12) && !zero(12, 16)) return dotted(12); // ::a.b.c.d (deprecated compatible form)
  if (bytes[0] === 0x00 && bytes[1] === 0x64 && bytes[2] === 0xff && bytes[3] === 0x9b && zero(4, 12)) return dotted(12); // 64:ff9b::/96
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return dotted(2); // 2002::/16 6to4
  return undefined;
}

/** True for an address on the public internet; false for anything in a blocked range. */
export function isPublicAddress(address: string): boolean {
  const bare = stripBrackets(address);
  const family = isIP(bare);
  if (family === 4) return !blocked.check(bare, "ipv4");
  if (family === 6) {
    const v4 = embeddedIpv4(bare);
    if (v4 !== undefined) return !blocked.check(v4, "ipv4");
    return !blocked.check(bare.replace(/%.*$/, ""), "ipv6");
  }
  return false;
}

export type AllowList = { hosts: Set<string>; hostPorts: Set<string>; networks: BlockList };

/** MCP_ALLOWED_HOSTS: "mcp.internal, 10.1.2.3:8080, 10.0.0.0/8, ::1" — explicit on-premises exceptions. */
export function parseAllowList(value: string | undefined): AllowList {
  const list: AllowList = { hosts: new Set(), hostPorts: new Set(), networks: new BlockList() };
  for (const raw of (value ?? "").split(",").map((entry) => entry.trim().toLowerCase()).filter(Boolean)) {
    const cidr = /^(.+)\/(\d{1,3})$/.exec(raw);
    if (cidr && isIP(cidr[1])) {
      list.networks.addSubnet(cidr[1], Number(cidr[2]), isIP(cidr[1]) === 4 ? "ipv4" : "ipv6");
    } else if (isIP(stripBrackets(raw))) {
      const ip = stripBrackets(raw);
      list.networks.addAddress(ip, isIP(ip) === 4 ? "ipv4" : "ipv6");
      list.hosts.add(ip);
    } else if (/^(\[[^\]]+\]|[^:]+):\d+$/.test(raw)) {
      list.hostPorts.add(raw.replace(/^\[|\](?=:)/g, ""));
    } else {
      list.hosts.add(raw);
    }
  }
  return list;
}

/** Allowed by name: the URL's host (or host:port) is listed. */
export function hostAllowed(list: AllowList, hostname: string, port: string): boolean {
  const host = stripBrackets(hostname.toLowerCase());
  return list.hosts.has(host) || list.hostPorts.has(`${host}:${port}`);
}

/** Allowed by address: the resolved address is public, or inside an allowed network. */
export function addressAllowed(list: AllowList, address: string): boolean {
  const bare = stripBrackets(address);
  if (isPublicAddress(bare)) return true;
  const family = isIP(bare);
  if (family === 0) return false;
  if (list.networks.check(bare, family === 4 ? "ipv4" : "ipv6")) return true;
  const v4 = family === 6 ? embeddedIpv4(bare) : undefined;
  return v4 !== undefined && list.networks.check(v4, "ipv4");
}
