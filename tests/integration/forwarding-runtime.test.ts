// The forwarding runtime with the issuer stubbed at its interface (the boundary under test is the
// runtime: the strategy chosen, headers, URL, cache, coalescing); the real issuers are in
// identity-forwarding.test.ts.
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { strategyFor } from "@/lib/credentials/connection";
import type { EndUser } from "@/lib/credentials/types";
import { resetEnvForTests } from "@/lib/env";
import { IdentityError } from "@/lib/identity/errors";
import type { StoredIdentityMode } from "@/lib/identity/modes";
import { clearTokenCacheForTests } from "@/lib/identity/token-cache";
import { setTokenIssuerForTests } from "@/lib/identity/token-issuer";
import type { IssuedToken, IssueTokenRequest } from "@/lib/identity/types";
import { clearResourceCacheForTests } from "@/lib/mcp/resource";
import { toColumns, type ProviderRow } from "@/lib/providers/record";
import { createProviderSchema } from "@/lib/providers/schemas";
import { createActor } from "./helpers";

const calls: IssueTokenRequest[] = [];
const nowSeconds = () => Math.floor(Date.now() / 1000);

function stubIssuer(mint: (request: IssueTokenRequest) => Promise<IssuedToken> | IssuedToken) {
  setTokenIssuerForTests({ issue: async (request) => { calls.push(request); return mint(request); } });
}

beforeEach(() => {
  process.env.ENTERPRISE_ENABLED = "true";
  resetEnvForTests();
  clearTokenCacheForTests();
  clearResourceCacheForTests();
  calls.splice(0);
  stubIssuer((request) => ({ token: `token-for-${request.userId}`, expiresAt: nowSeconds() + 300 }));
});

afterEach(() => {
  setTokenIssuerForTests(undefined);
  delete process.env.ENTERPRISE_ENABLED;
  resetEnvForTests();
});

// A loopback server the address policy refuses: resource discovery fails at once and the URL is the audience.
const SERVER = "http://127.0.0.1:9/mcp";
const base = {
  identityMode: "idp_token" as const,
  serverUrl: `${SERVER}?api_key=in-the-query`,
  headers: { authorization: "Bearer shared", "X-Api-Key": "shared-key", "X-Upstream-Authorization": "shared", "X-Tenant": "acme" },
};
let alice: { userId: string; workspaceId: string };
let bob: { userId: string; workspaceId: string };

/** What a call to a provider with these settings carries for `user`, as the runtime decides it. */
function connectionCredentials(options: { identityMode: StoredIdentityMode; serverUrl: string; headers: Record<string, string>; user: EndUser | undefined }) {
  const doc = createProviderSchema.parse({ name: "Runtime", server_identifier: "runtime", server_url: options.serverUrl, headers: options.headers });
  const row = { id: "provider", ...toColumns({ ...doc, identity_mode: "off" }), identityMode: options.identityMode } as ProviderRow;
  return strategyFor(row).credential(options.user);
}

beforeAll(async () => {
  const a = await createActor("member");
  const b = await createActor("member", a.workspaceId);
  alice = { userId: a.userId, workspaceId: a.workspaceId };
  bob = { userId: b.userId, workspaceId: a.workspaceId };
});

describe("what a call carries with forwarding", () => {
  it("sends only the user's token: Authorization replaced, other credential headers dropped, the rest kept", async () => {
    const result = await connectionCredentials({ ...base, user: alice });
    expect(result.forwarded).toBe(true);
    expect(result.headers).toEqual({ "X-Tenant": "acme", Authorization: `Bearer token-for-${alice.userId}` });
    // …and the URL's credential parameters stay behind too; other parameters are kept.
    expect(result.url).toBe(SERVER);
    // Usable until 30 s before the token expires (the stub mints 300 s tokens).
    expect(result.validUntil).toBeGreaterThan(Date.now() + 260_000);
    expect(result.validUntil).toBeLessThanOrEqual(Date.now() + 270_000);
  });

  it("keeps query parameters that carry no credential", async () => {
    const result = await connectionCredentials({ ...base, serverUrl: `${SERVER}?tenant=acme&api_key=k&sig=s&access_token=t`, user: alice });
    expect(result.url).toBe(`${SERVER}?tenant=acme`);
  });

  it("binds the token to the server without its query string (which often holds a key)", async () => {
    await connectionCredentials({ ...base, user: alice });
    expect(calls).toEqual([{ userId: alice.userId, workspaceId: alice.workspaceId, audience: SERVER, mode: "idp_token" }]);
  });

  it("fails without a user, and for a mode it doesn't know, before calling the issuer", async () => {
    await expect(connectionCredentials({ ...base, user: undefined })).rejects.toMatchObject({ failure: "no_user" });
    await expect(connectionCredentials({ ...base, identityMode: "unsupported", user: alice })).rejects.toMatchObject({ failure: "unsupported_mode" });
    expect(calls).toEqual([]);
  });

  it("uses the provider's own headers and never the issuer when forwarding is off or enterprise is disabled", async () => {
    const unchanged = { url: base.serverUrl, forwarded: false, mode: "off", headers: base.headers, validUntil: Number.POSITIVE_INFINITY };
    expect(await connectionCredentials({ ...base, identityMode: "off", user: alice })).toEqual(unchanged);
    process.env.ENTERPRISE_ENABLED = "false";
    resetEnvForTests();
    expect(await connectionCredentials({ ...base, user: alice })).toEqual(unchanged);
    expect(calls).toEqual([]);
  });

  it("caches per user and audience, never across users", async () => {
    await connectionCredentials({ ...base, user: alice });
    await connectionCredentials({ ...base, user: alice });
    const asBob = await connectionCredentials({ ...base, user: bob });
    await connectionCredentials({ ...base, serverUrl: "http://127.0.0.1:9/other", user: alice });
    expect(asBob.headers.Authorization).toBe(`Bearer token-for-${bob.userId}`);
    expect(calls.map((c) => [c.userId, c.audience])).toEqual([[alice.userId, SERVER], [bob.userId, SERVER], [alice.userId, "http://127.0.0.1:9/other"]]);
  });

  it("mints once for concurrent calls that find no cached token", async () => {
    stubIssuer(async (request) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return { token: `token-for-${request.userId}`, expiresAt: nowSeconds() + 300 };
    });
    const results = await Promise.all(Array.from({ length: 8 }, () => connectionCredentials({ ...base, user: alice })));
    expect(calls).toHaveLength(1);
    expect(new Set(results.map((r) => r.headers.Authorization))).toEqual(new Set([`Bearer token-for-${alice.userId}`]));
  });

  it("re-mints a token 30 seconds before it expires", async () => {
    stubIssuer(() => ({ token: "short", expiresAt: nowSeconds() + 29 }));
    await connectionCredentials({ ...base, user: alice });
    await connectionCredentials({ ...base, user: alice });
    expect(calls).toHaveLength(2);
  });

  it("keeps a token an hour at most, whatever expiry the issuer claims", async () => {
    stubIssuer(() => ({ token: "forever", expiresAt: nowSeconds() + 10 * 365 * 24 * 3600 }));
    const result = await connectionCredentials({ ...base, user: alice });
    expect(result.validUntil).toBeLessThanOrEqual(Date.now() + 3600_000);
  });

  it("turns an unexpected issuer failure into a token error, never a fallback", async () => {
    stubIssuer(() => {
      throw new Error("database is on fire");
    });
    const error = await connectionCredentials({ ...base, user: alice }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IdentityError);
    expect((error as IdentityError).failure).toBe("token_error");
  });
});
