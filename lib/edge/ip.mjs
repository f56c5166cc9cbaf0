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
