import { describe, expect, it } from "vitest";
import { announceAuthChange, cacheCaller, cachedCaller, callerCacheEpoch } from "@/lib/auth/caller-cache";
import type { Caller } from "@/lib/auth/request-auth";

const caller: Caller = { userId: "u1", email: "a@example.com", name: "A", workspaceId: "w1", workspaceName: "W", role: "admin", via: "token", viaSso: false };

describe("the caller cache", () => {
  it("forgets a token the moment it is revoked, and a user the moment they change", async () => {
    cacheCaller("h1", { caller, tokenId: "t1", lastUsedAt: 0 }, callerCacheEpoch());
    cacheCaller("h2", { caller: { ...caller, userId: "u2" }, tokenId: "t2", lastUsedAt: 0 }, callerCacheEpoch());
    expect(cachedCaller("h1")?.caller.userId).toBe("u1");
    await announceAuthChange({ kind: "token", id: "t1" });
    expect(cachedCaller("h1")).toBeUndefined();
    expect(cachedCaller("h2")).toBeDefined();
    await announceAuthChange({ kind: "user", id: "u2" });
    expect(cachedCaller("h2")).toBeUndefined();
  });

  it("doesn't keep a caller read before a change that landed while it was being read", async () => {
    const epoch = callerCacheEpoch(); // the read starts…
    await announceAuthChange({ kind: "token", id: "t3" }); // …the token is revoked meanwhile…
    cacheCaller("h3", { caller, tokenId: "t3", lastUsedAt: 0 }, epoch); // …and the read ends
    expect(cachedCaller("h3")).toBeUndefined();
  });

  it("lets an entry expire on its own", () => {
    cacheCaller("h4", { caller, tokenId: "t4", lastUsedAt: 0 }, callerCacheEpoch());
    expect(cachedCaller("h4", Date.now() + 16_000)).toBeUndefined();
  });
});
