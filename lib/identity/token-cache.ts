// Minted tokens, per (user, workspace, audience), until 30 s before they expire. Never shared
// between users: the user is part of every key. Losing this cache only costs a re-mint.
import type { IssuedToken } from "@/lib/identity/token-issuer";

export const EARLY_EXPIRY_SECONDS = 30;
const MAX_ENTRIES = 10_000;

const entries = new Map<string, IssuedToken>();

const keyOf = (userId: string, workspaceId: string, audience: string) => JSON.stringify([userId, workspaceId, audience]);

export function cachedToken(userId: string, workspaceId: string, audience: string, nowSeconds = Date.now() / 1000): IssuedToken | undefined {
  const key = keyOf(userId, workspaceId, audience);
  const entry = entries.get(key);
  if (!entry) return undefined;
  if (entry.expiresAt - EARLY_EXPIRY_SECONDS <= nowSeconds) {
    entries.delete(key);
    return undefined;
  }
  return entry;
}

export function cacheToken(userId: string, workspaceId: string, audience: string, issued: IssuedToken) {
  if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value!);
  entries.set(keyOf(userId, workspaceId, audience), issued);
}

export function forgetToken(userId: string, workspaceId: string, audience: string) {
  entries.delete(keyOf(userId, workspaceId, audience));
}

export function clearTokenCacheForTests() {
  entries.clear();
}
