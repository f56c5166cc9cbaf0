// Pages of a workspace's provider list, kept a few seconds per process (LIST_CACHE_SECONDS): a
// client that lists the same page again and again costs no query. Every write to a workspace's
// providers — create, update, delete, the result of a discovery — moves that workspace's generation
// on, here and on every instance (lib/change-bus.ts); a page is only served at the generation it was
// read at, and a read that a change overtook is not kept. The cache holds at most MAX_HELD
// providers across all pages, oldest dropped first.
import "server-only";
import { announce, onChange } from "@/lib/change-bus";
import { env } from "@/lib/env";
import { processWide } from "@/lib/process-wide";

const MAX_HELD = 20_000;
// A workspace's last change is remembered as long as a page read before it could still be alive.
const LONGEST_LIFETIME_MS = 60_000;

type Page = { value: { data: readonly unknown[] }; generation: string; size: number; until: number };

const cache = processWide("provider-list-cache", () => {
  const state = {
    pages: new Map<string, Page>(),
    held: 0,
    changes: new Map<string, { generation: number; at: number }>(),
    lastGeneration: 0,
    /** Moves on when changes may have been missed: no page read before then is served. */
    era: 0,
  };
  onChange(
    "providers",
    (workspaceId) => {
      const now = Date.now();
      state.changes.delete(workspaceId); // re-inserted last: the map stays in order of change
      state.changes.set(workspaceId, { generation: ++state.lastGeneration, at: now });
      for (const [id, change] of state.changes) {
        if (change.at > now - LONGEST_LIFETIME_MS) break;
        state.changes.delete(id);
      }
    },
    () => {
      state.era += 1;
      state.pages.clear();
      state.held = 0;
    },
  );
  return state;
});

function generationOf(workspaceId: string): string {
  return `${cache.era}.${cache.changes.get(workspaceId)?.generation ?? 0}`;
}

function drop(key: string) {
  const page = cache.pages.get(key);
  if (!page) return;
  cache.pages.delete(key);
  cache.held -= page.size;
}

function keep(key: string, page: Page) {
  drop(key);
  cache.pages.set(key, page);
  cache.held += page.size;
  // Oldest first (pages all live equally long): the expired, then whatever is over the bound.
  const now = Date.now();
  for (const [oldKey, old] of cache.pages) {
    if (old.until > now && cache.held <= MAX_HELD) break;
    drop(oldKey);
  }
}

/** The page for `request` in `workspaceId`, from memory when it was read since the last change. */
export async function cachedPage<T extends { data: readonly unknown[] }>(workspaceId: string, request: unknown, read: () => Promise<T>): Promise<T> {
  const lifetimeMs = env().LIST_CACHE_SECONDS * 1000;
  if (lifetimeMs === 0) return read();
  const kept = keptPage(workspaceId, request);
  if (kept) return kept as T;
  const key = JSON.stringify([workspaceId, request]);
  const generation = generationOf(workspaceId);
  const value = await read();
  if (generationOf(workspaceId) === generation) keep(key, { value, generation, size: value.data.length + 1, until: Date.now() + lifetimeMs });
  return value;
}

/** The page for `request`, if one read since the workspace's last change is kept (no wait); undefined when cachedPage must read it. */
export function keptPage(workspaceId: string, request: unknown): { data: readonly unknown[] } | undefined {
  if (env().LIST_CACHE_SECONDS === 0) return undefined;
  const hit = cache.pages.get(JSON.stringify([workspaceId, request]));
  return hit && hit.generation === generationOf(workspaceId) && hit.until > Date.now() ? hit.value : undefined;
}

/** Something every list of this workspace shows has changed. */
export async function providersChanged(workspaceId: string) {
  await announce("providers", workspaceId);
}

export function providerListCacheSizeForTests() {
  return { pages: cache.pages.size, held: cache.held };
}
