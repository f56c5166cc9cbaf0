// Who is on the other end of a request. X-Forwarded-For is anyone's to write, so it is believed
// only as far as the operator says proxies stand in front of the console (TRUSTED_PROXIES): from
// the socket's peer, each trusted hop may name the one before it; the first untrusted address is
// the client. The custom server (server.mjs) works this out once per request and stamps it on a
// header sealed with a per-process value, so nothing a client sends can pose as it.
import { randomBytes } from "node:crypto";
import { BlockList, isIP } from "node:net";
import { normaliseIp } from "./ip.mjs";

export const CLIENT_ADDRESS_HEADER = "x-mcp-console-client-address";
const SEAL = Symbol.for("mcp-console.client-address-seal");
// Lists that name no proxy (the usual deployment): checking one still costs every request an address parse.
const EMPTY_LISTS = new WeakSet();

/**
 * TRUSTED_PROXIES: "10.0.0.0/8, 127.0.0.1, ::1" → a list to check peers against. Throws on a bad entry.
 * @param {string | undefined} value
 * @returns {BlockList}
 */
export function parseTrustedProxies(value) {
  const list = new BlockList();
  for (const entry of String(value ?? "").split(",").map((part) => part.trim()).filter(Boolean)) {
    const [network, prefix, extra] = entry.split("/");
    const address = normaliseIp(network);
    const family = address ? isIP(address) : 0;
    const bits = prefix === undefined ? (family === 4 ? 32 : 128) : Number(prefix);
    if (!address || extra !== undefined || !Number.isInteger(bits) || bits < 0 || bits > (family === 4 ? 32 : 128) || (prefix !== undefined && !/^\d+$/.test(prefix))) {
      throw new Error(`"${entry}" is not an IP address or CIDR range`);
    }
    list.addSubnet(address, bits, family === 4 ? "ipv4" : "ipv6");
  }
  if (list.rules.length === 0) EMPTY_LISTS.add(list);
  return list;
}

/**
 * True when `address` is one of the operator's proxies.
 * @param {BlockList} trusted
 * @param {string | undefined} address
 * @returns {boolean}
 */
export function isTrustedProxy(trusted, address) {
  if (EMPTY_LISTS.has(trusted)) return false;
  const ip = normaliseIp(address);
  return ip !== undefined && trusted.check(ip, isIP(ip) === 4 ? "ipv4" : "ipv6");
}

/**
 * The client's address: the socket peer, or — through trusted proxies only — the hop they name.
 * @param {{ socketAddress: string | undefined, forwardedFor: string | string[] | undefined, trusted: BlockList }} request
 * @returns {string}
 */
export function resolveClientAddress({ socketAddress, forwardedFor, trusted }) {
  let address = normaliseIp(socketAddress) ?? "unknown";
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(",") : forwardedFor ?? "").split(",").map((hop) => hop.trim()).filter(Boolean);
  while (isTrustedProxy(trusted, address) && hops.length > 0) {
    const named = normaliseIp(hops.pop());
    if (!named) break; // a proxy that forwards garbage: stop at the proxy itself
    address = named;
  }
  return address;
}

/**
 * The per-process seal; made once by the server that stamps addresses.
 * @returns {string}
 */
export function clientAddressSeal() {
  const holder = /** @type {Record<symbol, string | undefined>} */ (/** @type {unknown} */ (globalThis));
  holder[SEAL] ??= randomBytes(18).toString("base64url");
  return holder[SEAL];
}

/**
 * The header value the server sets after deleting any the client sent.
 * @param {string} address
 * @returns {string}
 */
export function stampClientAddress(address) {
  return `${clientAddressSeal()} ${address}`;
}

/**
 * The stamped address, or "unknown" when the request did not come through the console's server.
 * @param {Headers} headers
 * @returns {string}
 */
export function readClientAddress(headers) {
  const seal = /** @type {Record<symbol, string | undefined>} */ (/** @type {unknown} */ (globalThis))[SEAL];
  const value = headers.get(CLIENT_ADDRESS_HEADER);
  if (!seal || !value) return "unknown";
  const space = value.indexOf(" ");
  return space > 0 && value.slice(0, space) === seal ? value.slice(space + 1) : "unknown";
}
