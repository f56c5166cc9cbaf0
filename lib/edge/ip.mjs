// IP address text as it arrives from URLs, sockets and headers, in the one form the console
// compares: no brackets, no zone, and IPv4-mapped IPv6 (::ffff:1.2.3.4) as plain IPv4.
import { isIP } from "node:net";

/**
 * "[::1]" → "::1"; anything else unchanged.
 * @param {string} host
 * @returns {string}
 */
export function stripBrackets(host) {
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}

/**
 * The canonical text of an IP address, or undefined when `value` is not one.
 * @param {unknown} value
 * @returns {string | undefined}
 */
export function normaliseIp(value) {
  const bare = stripBrackets(String(value ?? "").trim()).replace(/%.*$/, "");
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  const address = mapped ? mapped[1] : bare;
  const family = isIP(address);
  if (family === 4) return address;
  if (family === 6) return address.toLowerCase();
  return undefined;
}

/**
 * The unit a per-address limit counts: an IPv4 address itself, an IPv6 address's /64 (one host
 * usually holds a whole /64, so counting single IPv6 addresses would limit nobody). Anything else as is.
 * `prefix` 48 gives the network a site is usually allocated instead (RFC 6177), for limits that
 * count whole allocations; an IPv4 address stays itself.
 * @param {string} address
 * @param {48 | 64} [prefix]
 * @returns {string}
 */
export function addressGroup(address, prefix = 64) {
  const ip = normaliseIp(address);
  if (!ip) return address;
  if (isIP(ip) === 4) return ip;
  const [head = "", tail] = ip.split("::");
  const groups = (text) => (text ? text.split(":").flatMap((group) => (group.includes(".") ? ["0", "0"] : [group])) : []);
  const front = groups(head);
  const back = tail === undefined ? [] : groups(tail);
  const all = [...front, ...Array(8 - front.length - back.length).fill("0"), ...back];
  return `${all.slice(0, prefix / 16).map((group) => group.replace(/^0+(?=.)/, "")).join(":")}::/${prefix}`;
}
