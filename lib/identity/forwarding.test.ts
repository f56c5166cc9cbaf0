// The forwarding runtime with the issuer stubbed at its interface (a unit boundary); the real
// issuers are exercised in tests/integration/identity-forwarding.test.ts.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { resetEnvForTests } from "@/lib/env";
import { IdentityError } from "@/lib/identity/errors";
import { connectionCredentials } from "@/lib/identity/forwarding";
import { cachedToken, clearTokenCacheForTests } from "@/lib/identity/token-cache";
import { setTokenIssuerForTests, type IssueTokenRequest } from "@/lib/identity/token-issuer";

const calls: IssueTokenRequest[] = [];
const nowSeconds = () => Math.floor(Date.now() / 1000);

beforeEach(() => {
  process.env.ENTERPRISE_ENABLED = "true";
  resetEnvForTests();
  clearTokenCacheForTests();
  calls.splice(0);
  setTokenIssuerForTests({ issue: async (request) => { calls.push(request); return { token: `token-for-${request.userId}`, expiresAt: nowSeconds() + 300 }; } });
});

afterEach(() => {
  setTokenIssuerForTests(undefined);
  delete process.env.ENTERPRISE_ENABLED;
  resetEnvForTests();
});

const base = { identityMode: "idp_token", serverUrl: "https://mcp.example.com/mcp", headers: { authorization: "Bearer shared", "X-Tenant": "acme" } };
const alice = { userId: "alice", workspaceId: "w" };

describe("connectionCredentials", () => {
  it("replaces Authorization (whatever its case) with the user's token and keeps the other headers", async () => {
    const result = await connectionCredentials({ ...base, user: alice });
    expect(result).toMatchObject({ forwarded: true, headers: { "X-Tenant": "acme", Authorization: "Bearer token-for-alice" } });
    expect(Object.keys(result.headers)).toEqual(["X-Tenant", "Authorization"]);
    // Usable until 30 s before the token expires (the issuer stub mints 300 s tokens).
    expect(result.validUntil).toBeGreaterThan(Date.now() + 260_000);
    expect(result.validUntil).toBeLessThanOrEqual(Date.now() + 270_000);
    expect(calls).toEqual([{ userId: "alice", workspaceId: "w", audience: "https://mcp.example.com/mcp", mode: "idp_token" }]);
  });

  it("fails without a user, before calling the issuer", async () => {
    await expect(connectionCredentials({ ...base, user: undefined })).rejects.toMatchObject({ failure: "no_user" });
    expect(calls).toEqual([]);
  });

  it("uses the provider's own headers and never the issuer when forwarding is off or enterprise is disabled", async () => {
    expect(await connectionCredentials({ ...base, identityMode: "off", user: alice })).toEqual({ forwarded: false, headers: base.headers, validUntil: Number.POSITIVE_INFINITY });
    process.env.ENTERPRISE_ENABLED = "false";
    resetEnvForTests();
    expect(await connectionCredentials({ ...base, user: alice })).toEqual({ forwarded: false, headers: base.headers, validUntil: Number.POSITIVE_INFINITY });
    expect(calls).toEqual([]);
  });

  it("caches per user and audience, never across users", async () => {
    await connectionCredentials({ ...base, user: alice });
    await connectionCredentials({ ...base, user: alice });
    const bob = await connectionCredentials({ ...base, user: { userId: "bob", workspaceId: "w" } });
    await connectionCredentials({ ...base, serverUrl: "https://other.example.com/mcp", user: alice });
    expect(bob.headers.Authorization).toBe("Bearer token-for-bob");
    expect(calls.map((c) => `${c.userId}@${c.audience}`)).toEqual([
      "alice@https://mcp.example.com/mcp",
      "bob@https://mcp.example.com/mcp",
      "alice@https://other.example.com/mcp",
    ]);
  });

  it("re-mints a token 30 seconds before it expires", async () => {
    setTokenIssuerForTests({ issue: async (request) => { calls.push(request); return { token: "short", expiresAt: nowSeconds() + 29 }; } });
    await connectionCredentials({ ...base, user: alice });
    expect(cachedToken("alice", "w", base.serverUrl)).toBeUndefined();
    await connectionCredentials({ ...base, user: alice });
    expect(calls).toHaveLength(2);
  });

  it("turns an unexpected issuer failure into a token error, never a fallback", async () => {
    setTokenIssuerForTests({ issue: async () => { throw new Error("database is on fire"); } });
    const error = await connectionCredentials({ ...base, user: alice }).catch((e) => e);
    expect(error).toBeInstanceOf(IdentityError);
    expect(error.failure).toBe("token_error");
  });
});
