// What the identity modes share: the end user's own token as Authorization — or no request at all.
// The token is asked for once per (SSO identity, workspace, audience, how it is minted), served
// from the cache for the identity version it was minted under, and never falls back to a shared
// credential. Each mode (idp-token.ts, token-exchange.ts, id-jag.ts) says only how it is minted.
import "server-only";
import { bearerOnly, type Target } from "@/lib/credentials/target";
import type { Credential, CredentialStrategy, EndUser } from "@/lib/credentials/types";
import { IdentityError } from "@/lib/identity/errors";
import type { ForwardingMode, StoredIdentityMode } from "@/lib/identity/modes";
import { forwardingIdentity, forwardingIdentityNow, retireIdentity, type ForwardingIdentity } from "@/lib/identity/sso-accounts";
import { cachedToken, cacheToken, forgetToken, tokenCacheKey, type UsableToken } from "@/lib/identity/token-cache";
import { issuesLocally } from "@/lib/identity/token-issuer";
import type { IssuedToken } from "@/lib/identity/types";
import { log } from "@/lib/log";
import { canonicalResource, knownResource } from "@/lib/mcp/resource";
import { countTokenCacheLookup, countTokenMint } from "@/lib/observability/metrics";
import { processWide } from "@/lib/process-wide";

/** How a mode mints: `variant` keeps tokens minted differently (other settings) apart in the cache. */
export type Minter = { variant: string; mint(user: EndUser, audience: string): Promise<IssuedToken> };

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

export async function forwardedCredential(mode: StoredIdentityMode, target: Target, user: EndUser | undefined, minter: Minter | undefined): Promise<Credential> {
  // No user, no call: fail before any network I/O.
  if (!user) throw new IdentityError("no_user", "no end user for this call");
  if (mode === "unsupported" || !minter) throw new IdentityError("unsupported_mode", "a mode this version doesn't know");
  const { userId, workspaceId } = user;
  const audience = await canonicalResource(target.serverUrl);
  // Read last, right before the cache: the version decides whether a cached token may still be used.
  const identity = await forwardingIdentity(userId);
  const { key, cached } = fromCache(user, audience, identity, minter);
  countTokenCacheLookup(workspaceId, mode, cached !== undefined);
  const token =
    cached ??
    (await mintOnce(key, identity.version, async () => {
      const started = performance.now();
      const counted = (outcome: string) => { countTokenMint(workspaceId, mode, outcome, (performance.now() - started) / 1000); };
      try {
        const minted = await minter.mint(user, audience);
        counted("ok");
        return cacheToken(key, identity.version, minted);
      } catch (error) {
        counted(error instanceof IdentityError ? error.failure : "token_error");
        if (!(error instanceof IdentityError)) {
          log.error({ err: error, userId }, "the token issuer failed unexpectedly");
          throw new IdentityError("token_error", "the token issuer failed unexpectedly");
        }
        // A refused identity is no good anywhere: retire every token cached for it, on every instance.
        if (error.failure === "refused") await retireIdentity(userId);
        throw error;
      }
    }));
  return carrying(mode, target, token, key);
}

/**
 * What the cache holds for `user`'s identity at `audience`: its key, and the token cached for the
 * identity's current version, if any. Throws when the identity can't be minted from at all.
 */
function fromCache(user: EndUser, audience: string, identity: ForwardingIdentity, minter: Minter): { key: string; cached: UsableToken | undefined } {
  // The built-in issuer mints from this console's SSO sessions: without one, fail before asking.
  if (issuesLocally() && !identity.canMint) throw new IdentityError("no_refresh_token", "the user has no SSO session");
  const key = tokenCacheKey(identity.key, user.workspaceId, audience, minter.variant);
  return { key, cached: cachedToken(key, identity.version) };
}

/**
 * The credential without a wait, when all it needs is at hand — the audience known, the identity
 * read at once (SQLite), the token cached for that identity's version: every relayed call asks.
 * Undefined when something isn't (PostgreSQL, a miss), for forwardedCredential to work out; it
 * throws what forwardedCredential would, and then says it in the user's words.
 */
export function forwardedCredentialNow(mode: StoredIdentityMode, target: Target, user: EndUser | undefined, minter: Minter | undefined): Credential | undefined {
  if (!user || mode === "unsupported" || !minter) return undefined;
  const audience = knownResource(target.serverUrl);
  if (audience === undefined) return undefined;
  // Read last, right before the cache, as forwardedCredential does.
  const identity = forwardingIdentityNow(user.userId);
  if (!identity) return undefined;
  const { key, cached } = fromCache(user, audience, identity, minter);
  if (!cached) return undefined;
  countTokenCacheLookup(user.workspaceId, mode, true);
  return carrying(mode, target, cached, key);
}

function carrying(mode: StoredIdentityMode, target: Target, token: UsableToken, key: string): Credential {
  return { ...bearerOnly(target, token.token), forwarded: true, mode, validUntil: token.usableUntil * 1000, tokenKey: key };
}

/** The server refused the user's token: it leaves the cache, and the refusal stands (never another credential). */
export function dropRefusedToken(refused: Credential): Promise<undefined> {
  if (refused.tokenKey) forgetToken(refused.tokenKey);
  return Promise.resolve(undefined);
}

/** A mode's strategy: its minter (none: a mode this version doesn't know, which fails closed) and what it needs. */
export function forwardingStrategy(mode: ForwardingMode | "unsupported", target: Target, minter: Minter | undefined, needs: string): CredentialStrategy {
  return {
    kind: mode,
    label: mode,
    forwarded: true,
    credential: (user) => forwardedCredential(mode, target, user, minter),
    credentialNow: (user) => forwardedCredentialNow(mode, target, user, minter),
    afterRefusal: dropRefusedToken,
    describe: async () => ({ strategy: mode, audience: mode === "unsupported" ? null : await canonicalResource(target.serverUrl), needs }),
  };
}
