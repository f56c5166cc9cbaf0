// Who an API token acts as, kept a few seconds in each process, so a busy token costs no database
// query per request. Whatever changes that answer drops the entries it affects at once, on every
// instance (lib/change-bus.ts): revoking a token, changing a member's role or removing them — each
// announced by the code that makes the change. An entry never outlives CACHE_MS anyway.
import "server-only";
import type { Caller } from "@/lib/auth/request-auth";
import { setBounded } from "@/lib/bounded-map";
import { announce, onChange } from "@/lib/change-bus";
import { processWide } from "@/lib/process-wide";

const CACHE_MS = 15_000;
const MAX_ENTRIES = 10_000;

/** `tokenId` is an API token's id, or an OAuth grant's; `audience` the resource an OAuth token is bound to. */
export type CachedCaller = { caller: Caller; tokenId: string; lastUsedAt: number; until: number; audience?: string };

const cache = processWide("caller-cache", () => {
  const state = {
    entries: new Map<string, CachedCaller>(),
    /** Moves on with every change: a caller read before one is not cached after it. */
    epoch: 0,
  };
  const evictWhere = (matches: (entry: CachedCaller) => boolean) => {
    state.epoch += 1;
    for (const [hash, entry] of state.entries) if (matches(entry)) state.entries.delete(hash);
  };
  const forgetAll = () => {
    state.epoch += 1;
    state.entries.clear();
  };
  onChange("token", (tokenId) => { evictWhere((entry) => entry.tokenId === tokenId); }, forgetAll);
  onChange("user", (userId) => { evictWhere((entry) => entry.caller.userId === userId); }, forgetAll);
  return state;
});

export function cachedCaller(tokenHash: string, now = Date.now()): CachedCaller | undefined {
  const entry = cache.entries.get(tokenHash);
  if (entry && entry.until > now) return entry;
  if (entry) cache.entries.delete(tokenHash);
  return undefined;
}

/** Where changes stand now: take it before reading a caller, and hand it to cacheCaller. */
export function callerCacheEpoch(): number {
  return cache.epoch;
}

/** Remembers a caller read at `epoch` — unless something changed while it was being read. */
export function cacheCaller(tokenHash: string, entry: Omit<CachedCaller, "until">, epoch: number, expiresAt = Infinity) {
  if (epoch !== cache.epoch) return;
  setBounded(cache.entries, tokenHash, { ...entry, until: Math.min(Date.now() + CACHE_MS, expiresAt) }, MAX_ENTRIES);
}

/** A token or a connected app was revoked, or a member's role or membership changed: every instance forgets them now. */
export async function announceAuthChange(change: { kind: "token" | "user"; id: string }) {
  await announce(change.kind, change.id);
}

export function clearCallerCacheForTests() {
  cache.entries.clear();
}
