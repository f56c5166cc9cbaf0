import { describe, expect, it } from "vitest";
import { createSessionPool, sessionKey } from "@/lib/mcp/session-pool";

const base = { userId: "alice", providerId: "p1", version: 3, url: "https://mcp.example.com/mcp", headers: { Authorization: "Bearer a", "X-Tenant": "acme" } };

describe("sessionKey", () => {
  it("differs for another user, token, header, version or provider — never shared", () => {
    const key = sessionKey(base);
    expect(sessionKey({ ...base, headers: { "x-tenant": "acme", authorization: "Bearer a" } })).toBe(key); // names are case-insensitive, order-free
    for (const other of [
      { ...base, userId: "bob" },
      { ...base, headers: { ...base.headers, Authorization: "Bearer b" } },
      { ...base, headers: { ...base.headers, "X-Tenant": "other" } },
      { ...base, version: 4 },
      { ...base, providerId: "p2" },
      { ...base, url: "https://mcp.example.com/other" },
      // A session declaring what one client can answer is never another client's.
      { ...base, capabilities: { elicitation: { form: {} } } },
    ]) {
      expect(sessionKey(other)).not.toBe(key);
    }
  });
});

describe("session pool", () => {
  function fakeSessions() {
    let opened = 0;
    const closed: number[] = [];
    const open = () => {
      const id = ++opened;
      return Promise.resolve({ session: id, close: () => {
        closed.push(id);
        return Promise.resolve();
      } });
    };
    return { open, opened: () => opened, closed };
  }

  it("reuses a warm session, and opens one only once for concurrent first calls", async () => {
    const pool = createSessionPool<number>();
    const fake = fakeSessions();
    const far = Date.now() + 60_000;
    const ids = await Promise.all([1, 2, 3].map(() => pool.use("k", far, fake.open, (id) => Promise.resolve(id))));
    expect(ids).toEqual([1, 1, 1]);
    expect(await pool.use("k", far, fake.open, (id) => Promise.resolve(id))).toBe(1);
    expect(fake.opened()).toBe(1);
    pool.clear();
  });

  it("never uses a session past its credentials' validity", async () => {
    const pool = createSessionPool<number>();
    const fake = fakeSessions();
    await pool.use("k", Date.now() + 5, fake.open, () => Promise.resolve(undefined));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await pool.use("k", Date.now() + 60_000, fake.open, (id) => Promise.resolve(id))).toBe(2);
    expect(fake.closed).toEqual([1]);
    pool.clear();
  });

  it("drops a session that failed, so the next call starts afresh", async () => {
    const pool = createSessionPool<number>();
    const fake = fakeSessions();
    const far = Date.now() + 60_000;
    await expect(pool.use("k", far, fake.open, () => Promise.reject(new Error("401")))).rejects.toThrow("401");
    expect(fake.closed).toEqual([1]);
    expect(await pool.use("k", far, fake.open, (id) => Promise.resolve(id))).toBe(2);
    pool.clear();
  });

  it("a failure on a busy session lets the other calls on it finish before it is closed; new calls get a fresh one", async () => {
    const pool = createSessionPool<number>();
    const fake = fakeSessions();
    const far = Date.now() + 60_000;
    let finish = () => undefined as unknown;
    const slow = pool.use("k", far, fake.open, (id) => new Promise<number>((resolve) => { finish = () => { resolve(id); }; }));
    await new Promise((resolve) => setTimeout(resolve, 0));
    await expect(pool.use("k", far, fake.open, () => Promise.reject(new Error("broken")))).rejects.toThrow("broken");
    expect(fake.closed).toEqual([]); // the slow call is still using session 1
    expect(await pool.use("k", far, fake.open, (id) => Promise.resolve(id))).toBe(2);
    finish();
    expect(await slow).toBe(1);
    expect(fake.closed).toEqual([1]);
    pool.clear();
  });

  it("keeps the session after a failure it calls harmless (an answer from the server, a cancelled call)", async () => {
    const pool = createSessionPool<number>();
    const fake = fakeSessions();
    const far = Date.now() + 60_000;
    const answer = new Error("Unknown tool");
    await expect(pool.use("k", far, fake.open, () => Promise.reject(answer), { harmless: (error) => error === answer })).rejects.toBe(answer);
    expect(await pool.use("k", far, fake.open, (id) => Promise.resolve(id))).toBe(1);
    expect(fake.closed).toEqual([]);
    pool.clear();
  });

  it("repeats the work once on a fresh session when a reused one has expired, and never otherwise", async () => {
    const pool = createSessionPool<number>();
    const fake = fakeSessions();
    const far = Date.now() + 60_000;
    const expired = Object.assign(new Error("session not found"), { code: 404 });
    const retryable = (error: unknown) => error === expired;
    await pool.use("k", far, fake.open, (id) => Promise.resolve(id));
    const runs: number[] = [];
    const result = await pool.use("k", far, fake.open, (id) => {
      runs.push(id);
      return id === 1 ? Promise.reject(expired) : Promise.resolve(id);
    }, { retryable });
    expect(result).toBe(2);
    expect(runs).toEqual([1, 2]);
    // A fresh session that fails is not retried, and neither is any other error.
    const failingOpen = fakeSessions();
    await expect(pool.use("fresh", far, failingOpen.open, () => Promise.reject(expired), { retryable })).rejects.toBe(expired);
    expect(failingOpen.opened()).toBe(1);
    await pool.use("other", far, fake.open, () => Promise.resolve(undefined));
    const attempts: number[] = [];
    await expect(pool.use("other", far, fake.open, (id) => {
      attempts.push(id);
      return Promise.reject(new Error("timeout"));
    }, { retryable })).rejects.toThrow("timeout");
    expect(attempts).toHaveLength(1);
    pool.clear();
  });

  it("keeps sessions of different keys apart", async () => {
    const pool = createSessionPool<number>();
    const fake = fakeSessions();
    const far = Date.now() + 60_000;
    expect(await pool.use("alice", far, fake.open, (id) => Promise.resolve(id))).toBe(1);
    expect(await pool.use("bob", far, fake.open, (id) => Promise.resolve(id))).toBe(2);
    expect(pool.size()).toBe(2);
    pool.clear();
    expect(fake.closed.sort()).toEqual([1, 2]);
  });
});
