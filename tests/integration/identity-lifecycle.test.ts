// The life of a forwarded identity: refreshes that rotate the refresh token stay single-flight
// across instances; concurrent cold calls share one grant; sign-out, unlinking and a refused
// refresh end forwarding at once; the token's audience is the server's canonical resource; and
// with forwarding, each user's view of a server's tools is their own.
import http from "node:http";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { authOptions } from "@/lib/auth/options";
import { present } from "@/tests/support/present";
import { backgroundTasksSettled } from "@/lib/background";
import { db } from "@/lib/db";
import { BuiltinIssuer } from "@/lib/identity/builtin-issuer";
import { clearResourceCacheForTests } from "@/lib/mcp/resource";
import { listenOnFreePort } from "../../e2e/support/ports";
import { call, createActor, type Actor } from "./helpers";
import { startRecordingProxy } from "../../e2e/support/recording-proxy";
import { setTokenIssuerForTests } from "@/lib/identity/token-issuer";
import { callWhoami, INNER_SECRET, setEnv, startIdentityFixture, STATIC, type IdentityFixture } from "./identity-fixture";
import { aString, containing, like } from "@/tests/support/matchers";

let f: IdentityFixture;
let admin: Actor & { email: string };

/** next-auth's sign-out event, as it fires for this user's session. */
async function signOut(userId: string) {
  await present(authOptions().events?.signOut, "a signOut event")({ token: { sub: userId, sid: "a-session" }, session: { user: {}, expires: "" } });
}

beforeAll(async () => {
  f = await startIdentityFixture();
});

afterAll(() => f.stop());

beforeEach(async () => {
  admin = await createActor("admin");
  f.reset();
});

describe("refreshing a rotating refresh token", () => {
  it("is single-flight per identity: concurrent refreshes for several servers all succeed, one grant at a time", async () => {
    const alice = await f.ssoMember("alice-sub", admin.workspaceId);
    // Two issuers stand for two console instances: they share nothing but the database.
    const instances = [new BuiltinIssuer(5000), new BuiltinIssuer(5000)];
    const audiences = [f.whoami.url, f.strict.url, f.publishedResource];
    const grantsBefore = f.idp.refreshGrants();
    const requests: [BuiltinIssuer, string][] = [[instances[0], audiences[0]], [instances[1], audiences[0]], [instances[0], audiences[1]], [instances[1], audiences[2]]];
    const results = await Promise.allSettled(requests.map(([issuer, audience]) => issuer.issue({ userId: alice.userId, workspaceId: admin.workspaceId, audience, mode: "idp_token" })));
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "fulfilled", "fulfilled"]);
    expect(f.idp.refreshGrants() - grantsBefore).toBe(4);
    // The grant survived: one more refresh still works.
    await expect(instances[0].issue({ userId: alice.userId, workspaceId: admin.workspaceId, audience: f.whoami.url, mode: "idp_token" })).resolves.toMatchObject({ token: aString() });
    expect((await db().ssoAccount.findFirstOrThrow({ where: { userId: alice.userId } })).refreshLeaseId).toBeNull();
  });

  it("coalesces concurrent calls that find no cached token into one grant", async () => {
    const p = await f.provider(admin, f.whoami.url);
    const alice = await f.ssoMember("alice-sub", admin.workspaceId);
    const grantsBefore = f.idp.refreshGrants();
    const answers = await Promise.all(Array.from({ length: 8 }, () => callWhoami(alice, p.id)));
    expect(answers.map((a) => a.json.content[0]?.text)).toEqual(Array<string>(8).fill("alice-sub"));
    expect(f.idp.refreshGrants() - grantsBefore).toBe(1);
    expect(f.issuerCalls()).toBe(1);
  });
});

describe("what ends forwarding, at once", () => {
  it("signing out: the stored refresh token is dropped and revoked, and the user's API token no longer forwards", async () => {
    const p = await f.provider(admin, f.whoami.url);
    const alice = await f.ssoMember("alice-sub", admin.workspaceId);
    expect((await callWhoami(alice, p.id)).json.content[0].text).toBe("alice-sub"); // a cached token now
    const revocationsBefore = f.idp.revocations();
    await signOut(alice.userId);
    await backgroundTasksSettled();
    expect(f.idp.revocations() - revocationsBefore).toBe(1);
    expect((await db().ssoAccount.findFirstOrThrow({ where: { userId: alice.userId } })).refreshTokenEncrypted).toBeNull();
    f.whoami.reset();
    const res = await callWhoami(alice, p.id);
    expect(res.status).toBe(424);
    expect(res.json).toMatchObject({ code: "identity_required", detail: containing("Sign in with SSO again") });
    expect(f.whoami.authorizations).toEqual([]); // the cached token was not used
  });

  it("signing out with a remote issuer: every instance's cached tokens are retired, and the issuer asked again", async () => {
    setEnv({ ENTERPRISE_API_URL: f.innerUrl, ENTERPRISE_API_SECRET: INNER_SECRET });
    setTokenIssuerForTests(undefined);
    const p = await f.provider(admin, f.whoami.url);
    const alice = await f.ssoMember("alice-sub", admin.workspaceId);
    expect((await callWhoami(alice, p.id)).json.content[0].text).toBe("alice-sub");
    await signOut(alice.userId);
    f.whoami.reset();
    const res = await callWhoami(alice, p.id);
    expect(res.json.code).toBe("identity_required"); // the issuer behind the inner route has no refresh token now
    expect(f.whoami.authorizations).toEqual([]);
  });

  it("unlinking the SSO identity: the cached token is never sent again", async () => {
    const p = await f.provider(admin, f.whoami.url);
    const alice = await f.ssoMember("alice-sub", admin.workspaceId);
    expect((await callWhoami(alice, p.id)).json.content[0].text).toBe("alice-sub");
    await db().ssoAccount.deleteMany({ where: { userId: alice.userId } });
    f.whoami.reset();
    expect((await callWhoami(alice, p.id)).json.code).toBe("identity_required");
    expect(f.whoami.authorizations).toEqual([]);
  });

  it("a refused refresh: tokens cached for every other server are dropped too", async () => {
    const forWhoami = await f.provider(admin, f.whoami.url);
    const forPublished = await f.provider(admin, f.published.url);
    const alice = await f.ssoMember("alice-sub", admin.workspaceId);
    expect((await callWhoami(alice, forWhoami.id)).json.content[0].text).toBe("alice-sub"); // cached for whoami
    f.idp.setRefreshBehaviour("refuse");
    expect((await callWhoami(alice, forPublished.id)).json.code).toBe("identity_refused");
    f.whoami.reset();
    expect((await callWhoami(alice, forWhoami.id)).json.code).toBe("identity_required");
    expect(f.whoami.authorizations).toEqual([]);
  });

  it("on another instance: a new identity version drops this instance's cached token on its next use", async () => {
    const p = await f.provider(admin, f.whoami.url);
    const alice = await f.ssoMember("alice-sub", admin.workspaceId);
    expect((await callWhoami(alice, p.id)).json.content[0].text).toBe("alice-sub");
    const grantsBefore = f.idp.refreshGrants();
    // What sign-out or a refusal on another instance leaves in the shared database.
    await db().ssoAccount.updateMany({ where: { userId: alice.userId }, data: { version: { increment: 1 } } });
    expect((await callWhoami(alice, p.id)).json.content[0].text).toBe("alice-sub");
    expect(f.idp.refreshGrants() - grantsBefore).toBe(1); // minted again, not served from the cache
  });
});

describe("the token's audience", () => {
  it("is the server's URL without its query string, which never reaches the identity provider", async () => {
    const p = await f.provider(admin, `${f.whoami.url}?api_key=query-secret-123`);
    const alice = await f.ssoMember("alice-sub", admin.workspaceId);
    const res = await callWhoami(alice, p.id);
    expect(res.status, res.text).toBe(200);
    expect(decodeJwt(present(f.whoami.authorizations[0], "a forwarded token").slice(7)).aud).toBe(f.whoami.url);
    expect(f.idp.resourcesRequested().join(" ")).not.toContain("query-secret-123");
  });

  it("is the resource the server publishes in its RFC 9728 metadata", async () => {
    clearResourceCacheForTests();
    const p = await f.provider(admin, `${f.published.url}?tenant=acme`);
    const alice = await f.ssoMember("alice-sub", admin.workspaceId);
    const res = await callWhoami(alice, p.id);
    expect(res.status, res.text).toBe(200);
    expect(decodeJwt(present(f.published.authorizations[0], "a forwarded token").slice(7)).aud).toBe(f.publishedResource);
    expect(f.published.metadataRequests()).toBeGreaterThan(0);
  });

  it("ignores a published resource on another origin", async () => {
    const liar = http.createServer((req, res) => {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ resource: f.whoami.url, authorization_servers: [f.idp.issuer] }));
    });
    const port = await listenOnFreePort(liar);
    try {
      const { canonicalResource } = await import("@/lib/mcp/resource");
      expect(await canonicalResource(`http://127.0.0.1:${port}/mcp?k=1`)).toBe(`http://127.0.0.1:${port}/mcp`);
    } finally {
      await new Promise((resolve) => liar.close(resolve));
    }
  });
});

describe("tools as each user sees them", () => {
  it("a member's refresh with forwarding is their own view: the shared record is the admin's", async () => {
    const ssoAdmin = await f.ssoMember("bob-sub", admin.workspaceId, "admin");
    const p = await f.provider(ssoAdmin, f.whoami.url);
    const shared = (await call(ssoAdmin, "GET /api/v1/mcp-providers/{id}", { params: { id: p.id } })).json;
    expect(shared).toMatchObject({ authed: true, tools_count: 1 }); // the admin's discovery after create
    const alice = await f.ssoMember("alice-sub", admin.workspaceId);
    await db().mcpProvider.update({ where: { id: p.id }, data: { tools: "[]", toolsCount: 0 } }); // make any overwrite visible
    const refreshed = await call(alice, "POST /api/v1/mcp-providers/{id}/tools/refresh", { params: { id: p.id } });
    expect(refreshed.json).toMatchObject({ view: "yours", data: [like({ name: "whoami" })] });
    expect((await call(ssoAdmin, "GET /api/v1/mcp-providers/{id}", { params: { id: p.id } })).json.tools_count).toBe(0); // untouched
    expect((await call(alice, "GET /api/v1/mcp-providers/{id}/tools", { params: { id: p.id } })).json).toMatchObject({ view: "yours", data: [like({ name: "whoami" })] });
    const member = await createActor("member", admin.workspaceId);
    expect((await call(member, "GET /api/v1/mcp-providers/{id}/tools", { params: { id: p.id } })).json).toMatchObject({ view: "shared", data: [] });
  });

  it("a user's own view outlives edits that don't move the server", async () => {
    const p = await f.provider(admin, f.whoami.url);
    const alice = await f.ssoMember("alice-sub", admin.workspaceId);
    await call(alice, "POST /api/v1/mcp-providers/{id}/tools/refresh", { params: { id: p.id } });
    await call(admin, "PATCH /api/v1/mcp-providers/{id}", { params: { id: p.id }, body: { name: `${p.name} renamed`, configuration: { timeout: 20 } } });
    expect((await call(alice, "GET /api/v1/mcp-providers/{id}/tools", { params: { id: p.id } })).json).toMatchObject({ view: "yours", data: [like({ name: "whoami" })] });
    await call(admin, "PATCH /api/v1/mcp-providers/{id}", { params: { id: p.id }, body: { server_url: `${f.whoami.url}?moved=1` } });
    expect((await call(alice, "GET /api/v1/mcp-providers/{id}/tools", { params: { id: p.id } })).json.view).toBe("shared");
  });

  it("a discovery that started before a URL change does not overwrite the new server's state", async () => {
    let release!: () => void;
    const proxy = await startRecordingProxy(f.whoami.url);
    proxy.holdUntil(new Promise<void>((resolve) => (release = resolve)));
    try {
      const created = await call(admin, "POST /api/v1/mcp-providers", {
        body: { name: `Slow ${Math.random().toString(36).slice(2, 8)}`, server_identifier: `sl-${Math.random().toString(36).slice(2, 9)}`, server_url: proxy.url, headers: { Authorization: STATIC } },
      });
      expect(created.status).toBe(201); // answered while the server is still silent
      expect(created.json).toMatchObject({ tools_fetched_at: null, discovery: { status: "pending" } });
      const moved = await call(admin, "PATCH /api/v1/mcp-providers/{id}", { params: { id: created.json.id }, body: { server_url: proxy.url.replace(/\/mcp$/, "/elsewhere") } });
      expect(moved.status).toBe(200);
      release(); // the first discovery now lists whoami — for a version that is gone
      await backgroundTasksSettled();
      const row = await db().mcpProvider.findUniqueOrThrow({ where: { id: created.json.id } });
      expect(row.version).toBe(2);
      expect(row.tools).toBe("[]");
      expect(row.toolsFetchedAt).toBeNull();
    } finally {
      release();
      await proxy.stop();
    }
  });
});
