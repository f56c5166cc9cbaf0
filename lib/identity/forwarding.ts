// What a request to a provider's MCP server carries. Forwarding off: the provider's own URL and
// headers. Forwarding on: its URL and headers without anything that carries a credential, plus the
// end user's own token as Authorization — or no request at all. Nothing here falls back to a
// shared credential.
import "server-only";
import { env } from "@/lib/env";
import { IdentityError } from "@/lib/identity/errors";
import { isForwardingActive, type StoredIdentityMode } from "@/lib/identity/modes";
import { forwardingIdentity, retireIdentity } from "@/lib/identity/sso-accounts";
import { cachedToken, cacheToken, tokenCacheKey, type UsableToken } from "@/lib/identity/token-cache";
import { issuesLocally, tokenIssuer } from "@/lib/identity/token-issuer";
import { log } from "@/lib/log";
import { canonicalResource } from "@/lib/mcp/resource";
import { isCredentialName } from "@/lib/providers/header-rules";
import { processWide } from "@/lib/process-wide";

export type EndUser = { userId: string; workspaceId: string };

export type ConnectionCredentials = {
  /** The server URL to use: with forwarding, without query parameters that carry a credential. */
  url: string;
  headers: Record<string, string>;
  forwarded: boolean;
  /** When these credentials stop being usable (ms). */
  validUntil: number;
  /** The forwarded token's cache entry, so a server's refusal can drop exactly that token. */
  tokenKey?: string;
};

export function withoutCredentialHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !isCredentialName(name)));
}

/** The URL without query parameters whose names say they carry a credential (api_key, token, sig…). */
export function withoutCredentialParams(serverUrl: string): string {
  const url = new URL(serverUrl);
  for (const name of [...url.searchParams.keys()]) if (isCredentialName(name)) url.searchParams.delete(name);
  return url.href;
}

// Concurrent calls that find no cached token share one mint.
const minting = processWide("identity-minting", () => new Map<string, Promise<UsableToken>>());

function mintOnce(key: string, version: string, mint: () => Promise<UsableToken>): Promise<UsableToken> {
  const flight = `${key}\0${version}`;
  let pending = minting.get(flight);
  if (!pending) {
    pending = mint().finally(() => minting.delete(flight));
    minting.set(flight, pending);
  }
  return pending;
}

export async function connectionCredentials(options: {
  identityMode: StoredIdentityMode;
  serverUrl: string;
  headers: Record<string, string> | undefined;
  user: EndUser | undefined;
}): Promise<ConnectionCredentials> {
  const staticHeaders = options.headers ?? {};
  if (!isForwardingActive(options.identityMode, env().ENTERPRISE_ENABLED)) {
    return { url: options.serverUrl, headers: staticHeaders, forwarded: false, validUntil: Number.POSITIVE_INFINITY };
  }
  // No user, no call: fail before any network I/O.
  if (!options.user) throw new IdentityError("no_user", "no end user for this call");
  const mode = options.identityMode;
  if (mode === "unsupported") throw new IdentityError("unsupported_mode", "a mode this version doesn't know");
  const { userId, workspaceId } = options.user;
  const audience = await canonicalResource(options.serverUrl);
  // Read last, right before the cache: the version decides whether a cached token may still be used.
  const identity = await forwardingIdentity(userId);
  // The built-in issuer mints from this console's SSO sessions: without one, fail before asking.
  if (issuesLocally() && !identity.canMint) throw new IdentityError("no_refresh_token", "the user has no SSO session");
  const key = tokenCacheKey(identity.key, workspaceId, audience);
  const token =
    cachedToken(key, identity.version) ??
    (await mintOnce(key, identity.version, async () => {
      try {
        return cacheToken(key, identity.version, await tokenIssuer().issue({ userId, workspaceId, audience, mode }));
      } catch (error) {
        if (!(error instanceof IdentityError)) {
          log.error({ err: error, userId }, "the token issuer failed unexpectedly");
          throw new IdentityError("token_error", "the token issuer failed unexpectedly");
        }
        // A refused identity is no good anywhere: retire every token cached for it, on every instance.
        if (error.failure === "refused") await retireIdentity(userId);
        throw error;
      }
    }));
  return {
    url: withoutCredentialParams(options.serverUrl),
    headers: { ...withoutCredentialHeaders(staticHeaders), Authorization: `Bearer ${token.token}` },
    forwarded: true,
    validUntil: token.usableUntil * 1000,
    tokenKey: key,
  };
}
