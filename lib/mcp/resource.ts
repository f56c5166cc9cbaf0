// The RFC 8707 `resource` of an MCP server: the audience a forwarded token is bound to. The
// server's own RFC 9728 metadata names it best (when it names a resource this URL belongs to);
// otherwise it is the URL's scheme, host, port and path. Never the query string — it often holds
// an API key, and must not reach the identity provider.
import "server-only";
import { discoverOAuthProtectedResourceMetadata } from "@modelcontextprotocol/sdk/client/auth.js";
import { checkResourceAllowed } from "@modelcontextprotocol/sdk/shared/auth-utils.js";
import { setBounded } from "@/lib/bounded-map";
import { outboundFetch } from "@/lib/mcp/outbound";
import { processWide } from "@/lib/process-wide";

const FOUND_TTL_MS = 10 * 60_000;
const FALLBACK_TTL_MS = 60_000;
const DISCOVERY_TIMEOUT_MS = 5_000;
const MAX_ENTRIES = 5_000;

/** scheme://host[:port]/path — the URL without query and fragment. */
export function resourceOfUrl(serverUrl: string): string {
  const url = new URL(serverUrl);
  url.search = "";
  url.hash = "";
  return url.href;
}

const cache = processWide("mcp-resources", () => new Map<string, { resource: string; until: number }>());

export async function canonicalResource(serverUrl: string, fetchFn: typeof fetch = outboundFetch): Promise<string> {
  const known = knownResource(serverUrl);
  if (known !== undefined) return known;
  const fallback = resourceOfUrl(serverUrl);
  const published = await publishedResource(fallback, fetchFn);
  setBounded(cache, serverUrl, { resource: published ?? fallback, until: Date.now() + (published ? FOUND_TTL_MS : FALLBACK_TTL_MS) }, MAX_ENTRIES);
  return published ?? fallback;
}

/** The server's canonical URI when it was worked out lately (no wait); undefined when canonicalResource must. */
export function knownResource(serverUrl: string): string | undefined {
  // Keyed by the URL as given: every forwarded call asks, and parsing it costs more than the lookup.
  const cached = cache.get(serverUrl);
  return cached && cached.until > Date.now() ? cached.resource : undefined;
}

async function publishedResource(serverUrl: string, fetchFn: typeof fetch): Promise<string | undefined> {
  try {
    const timed: typeof fetch = (input, init) => fetchFn(input, { ...init, signal: AbortSignal.timeout(DISCOVERY_TIMEOUT_MS) });
    const metadata = await discoverOAuthProtectedResourceMetadata(serverUrl, {}, timed);
    const resource = resourceOfUrl(metadata.resource);
    return checkResourceAllowed({ requestedResource: serverUrl, configuredResource: resource }) ? resource : undefined;
  } catch {
    return undefined; // no metadata (most servers), or it could not be read: the URL is the resource
  }
}

export function clearResourceCacheForTests() {
  cache.clear();
}
