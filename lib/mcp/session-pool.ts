// Warm MCP sessions for tool calls, so a repeated call is one request instead of four
// (initialize, initialized, stream probe, call). A session belongs to exactly one caller and one
// set of credentials: the key holds the user, the provider and its version, the URL, a hash of
// every header sent (the forwarded token included) and what the session declares the client can
// answer. It never outlives `validUntil` (the token's expiry less a margin), idles out after a
// minute, and is dropped on any error that may have broken it (not on an answer the server gave,
// nor on a call its caller cancelled). A dropped session takes no new work and is closed once the
// calls still running on it have ended.
import "server-only";
import { createHash } from "node:crypto";

export type PooledSession<T> = { session: T; close: () => Promise<void> };

type Entry<T> = PooledSession<T> & { key: string; expiresAt: number; idleTimer?: NodeJS.Timeout; busy: number; dropped?: boolean };

const IDLE_MS = 60_000;
const MAX_LIFETIME_MS = 5 * 60_000;
const MAX_SESSIONS = 500;

export function sessionKey(parts: { userId: string; providerId: string; version: number; url: string; headers: Record<string, string>; capabilities?: unknown }): string {
  const headers = Object.entries(parts.headers).map(([name, value]) => [name.toLowerCase(), value]).sort();
  return createHash("sha256").update(JSON.stringify([parts.userId, parts.providerId, parts.version, parts.url, headers, parts.capabilities ?? {}])).digest("hex");
}

export function createSessionPool<T>() {
  const entries = new Map<string, Entry<T>>();
  const opening = new Map<string, Promise<Entry<T>>>();

  function close(entry: Entry<T>) {
    void entry.close().catch(() => undefined);
  }

  function drop(entry: Entry<T>) {
    if (entries.get(entry.key) === entry) entries.delete(entry.key);
    clearTimeout(entry.idleTimer);
    if (entry.dropped) return;
    entry.dropped = true;
    if (entry.busy === 0) close(entry);
  }

  function armIdle(entry: Entry<T>) {
    clearTimeout(entry.idleTimer);
    entry.idleTimer = setTimeout(() => {
      if (entry.busy === 0) drop(entry);
    }, IDLE_MS);
    entry.idleTimer.unref();
  }

  async function acquire(key: string, validUntil: number, open: () => Promise<PooledSession<T>>): Promise<Entry<T>> {
    const now = Date.now();
    const existing = entries.get(key);
    if (existing && existing.expiresAt > now) return existing;
    if (existing) drop(existing);
    let pending = opening.get(key);
    if (!pending) {
      pending = open().then((opened) => {
        const entry: Entry<T> = { ...opened, key, busy: 0, expiresAt: Math.min(validUntil, Date.now() + MAX_LIFETIME_MS) };
        const oldest = entries.values().next();
        if (entries.size >= MAX_SESSIONS && !oldest.done) drop(oldest.value);
        entries.set(key, entry);
        return entry;
      });
      opening.set(key, pending);
      pending.finally(() => opening.delete(key)).catch(() => undefined);
    }
    return pending;
  }

  return {
    /**
     * Runs `work` on the warm session for `key`, opening one if needed. A failure drops the session
     * unless `harmless` says it left the session sound (an error the server answered, a call its
     * caller cancelled). When a reused session fails in a way `retryable` says the server never
     * acted on (an expired session), the work runs once more on a fresh session.
     */
    async use<R>(
      key: string,
      validUntil: number,
      open: () => Promise<PooledSession<T>>,
      work: (session: T) => Promise<R>,
      options: { retryable?: (error: unknown) => boolean; harmless?: (error: unknown) => boolean } = {},
    ): Promise<R> {
      const reused = entries.has(key);
      const entry = await acquire(key, validUntil, open);
      entry.busy++;
      try {
        return await work(entry.session);
      } catch (error) {
        if (options.harmless?.(error)) throw error;
        drop(entry);
        if (reused && options.retryable?.(error)) return await this.use(key, validUntil, open, work, options);
        throw error;
      } finally {
        entry.busy--;
        if (entry.dropped) {
          if (entry.busy === 0) close(entry);
        } else if (entries.get(key) === entry) {
          armIdle(entry);
        }
      }
    },
    size: () => entries.size,
    clear: () => { [...entries.values()].forEach(drop); },
  };
}
