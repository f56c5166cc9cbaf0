// Every outbound request to an MCP server goes through here. The address is checked when the
// socket connects — after DNS resolution, on the very address used — so a name that resolves to a
// public address when checked and to 127.0.0.1 a moment later (DNS rebinding) still can't reach
// the console's network. Redirects are refused outright.
import "server-only";
import dns from "node:dns";
import { isIP, type LookupFunction } from "node:net";
import { Agent, fetch as undiciFetch } from "undici";
import { addressAllowed, hostAllowed, parseAllowList, type AllowList } from "@/lib/mcp/address-policy";
import { env } from "@/lib/env";

export class BlockedDestinationError extends Error {
  readonly code = "BLOCKED_DESTINATION";
}

type Resolver = (hostname: string) => Promise<{ address: string; family: number }[]>;

const systemResolver: Resolver = (hostname) => dns.promises.lookup(hostname, { all: true, verbatim: true });

function guardedLookup(allow: AllowList, resolve: Resolver, hostAllowedByName: (hostname: string) => boolean): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (addresses) => {
        const usable = hostAllowedByName(hostname) ? addresses : addresses.filter((entry) => addressAllowed(allow, entry.address));
        if (usable.length === 0) {
          callback(new BlockedDestinationError(`${hostname} resolves to an address the console may not connect to`), "", 4);
          return;
        }
        if ((options as { all?: boolean }).all) callback(null, usable as never);
        else callback(null, usable[0].address, usable[0].family);
      },
      (error: NodeJS.ErrnoException) => callback(error, "", 4),
    );
  };
}

/** A fetch that only connects where the policy allows. `resolve` is injectable for tests. */
export function createGuardedFetch(options: { allowedHosts?: string; resolve?: Resolver } = {}): typeof fetch {
  const allow = parseAllowList(options.allowedHosts);
  const resolve = options.resolve ?? systemResolver;
  const named = new Set<string>();
  const agent = new Agent({
    connect: { lookup: guardedLookup(allow, resolve, (hostname) => named.has(hostname)) },
  });
  return (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(typeof input === "string" || input instanceof URL ? input : input.url);
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new BlockedDestinationError(`${url.protocol} URLs are not allowed`);
    const port = url.port || (url.protocol === "https:" ? "443" : "80");
    const byName = hostAllowed(allow, url.hostname, port);
    if (byName) named.add(url.hostname.replace(/^\[|\]$/g, ""));
    // An IP literal never reaches the lookup: check it here.
    const literal = url.hostname.replace(/^\[|\]$/g, "");
    if (isIP(literal) && !byName && !addressAllowed(allow, literal)) {
      throw new BlockedDestinationError(`${literal} is not an address the console may connect to`);
    }
    return undiciFetch(url, { ...(init as object), redirect: "error", dispatcher: agent } as never) as unknown as Response;
  }) as typeof fetch;
}

let shared: { key: string; fetch: typeof fetch } | undefined;

/** The process's guarded fetch, following MCP_ALLOWED_HOSTS. */
export const outboundFetch: typeof fetch = (input, init) => {
  const key = env().MCP_ALLOWED_HOSTS ?? "";
  if (!shared || shared.key !== key) shared = { key, fetch: createGuardedFetch({ allowedHosts: key }) };
  return shared.fetch(input, init);
};
