// Minted tokens, per (SSO identity, workspace, audience, how they were minted). Never shared between users: the identity
// is part of every key. An entry serves only the identity version it was minted under — sign-out,
// unlinking or a refused refresh move the version on, on every instance at once — and only until
// shortly before it expires, an hour at most whatever the issuer said. Losing this cache only
// costs a re-mint.
import { setBounded } from "@/lib/bounded-map";
import type { IssuedToken } from "@/lib/identity/types";
import { processWide } from "@/lib/process-wide";

export const EARLY_EXPIRY_SECONDS = 30;
export const MAX_CACHE_SECONDS = 3600;
const MAX_ENTRIES = 10_000;

/** A token and the moment (unix seconds) after which it is no longer handed out. */
export type UsableToken = { token: string; usableUntil: number };

type Entry = UsableToken & { version: string };

const entries = processWide("identity-token-cache", () => new Map<string, Entry>());

/** `variant`: the identity mode and the settings it minted with, so a token minted one way is never served for another. */
export function tokenCacheKey(identityKey: string, workspaceId: string, audience: string, variant: string): string {
  return JSON.stringify([identityKey, workspaceId, audience, variant]);
}

export function usableUntil(issued: IssuedToken, nowSeconds = Date.now() / 1000): number {
  return Math.min(issued.expiresAt - EARLY_EXPIRY_SECONDS, nowSeconds + MAX_CACHE_SECONDS);
}

export function cachedToken(key: string, version: string, nowSeconds = Date.now() / 1000): UsableToken | undefined {
  const entry = entries.get(key);
  if (!entry) return undefined;
  if (entry.version !== version || entry.usableUntil <= nowSeconds) {
    entries.delete(key);
    return undefined;
  }
  return { token: entry.token, usableUntil: entry.usableUntil };
}

/** Keeps `issued` for later calls (when it has time left) and returns how long it may be used. */
export function cacheToken(key: string, version: string, issued: IssuedToken, nowSeconds = Date.now() / 1000): UsableToken {
  const usable = { token: issued.token, usableUntil: usableUntil(issued, nowSeconds) };
  if (usable.usableUntil > nowSeconds) {
    setBounded(entries, key, { ...usable, version }, MAX_ENTRIES);
  }
  return usable;
}

export function forgetToken(key: string) {
  entries.delete(key);
}

export function clearTokenCacheForTests() {
  entries.clear();
}
