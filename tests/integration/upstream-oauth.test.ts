// OAuth to an upstream MCP server (SPEC §9) against real parts: an oidc-provider instance plays
// the server's authorization server (dynamic registration, refresh rotation, revocation), and an
// SDK MCP server accepts only its JWTs for its own audience and publishes RFC 9728 metadata. The
// user's browser is played by following redirects and submitting the authorization server's
// sign-in form; the console's callback route finishes the connection.
import { execFile } from "node:child_process";
import http from "node:http";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { flushToolCalls } from "@/lib/activity/tool-calls";
import { backgroundTasksSettled } from "@/lib/background";
import { db } from "@/lib/db";
import { closeWarmSessionsForTests } from "@/lib/mcp/client";
import { serveGateway } from "@/lib/gateway/http";
import { listenOnFreePort } from "../../e2e/support/ports";
import { startTestIdp, type IdpUser, type TestIdp } from "../../e2e/support/test-idp";
import { startWhoamiServer, type WhoamiServer } from "../../e2e/support/whoami-server";
import { call, createActor, ORIGIN, type Actor } from "./helpers";
import { ageToken, browserOf, connect, returnToConsole, signInAtServer, storedState } from "./upstream-connect";

const ALICE: IdpUser = { sub: "alice-at-tracker", email: "alice@tracker.test", name: "Alice", password: "alice-password" };
const BOB: IdpUser = { sub: "bob-at-tracker", email: "bob@tracker.test", name: "Bob", password: "bob-password" };
const ADMIN: IdpUser = { sub: "admin-at-tracker", email: "admin@tracker.test", name: "Admin", password: "admin-password" };

let idp: TestIdp;
let tracker: WhoamiServer;
let admin: Actor & { email: string };
let alice: Actor & { email: string };
let bob: Actor & { email: string };

beforeAll(async () => {
  idp = await startTestIdp({ users: [ALICE, BOB, ADMIN], clients: [], resources: [], registration: true, accessTokenTtlSeconds: 600 });
  tracker = await startWhoamiServer({ issuer: idp.issuer, scopesSupported: ["mcp"] });
  idp.allowResources([tracker.url]);
  admin = await createActor("admin");
  alice = await createActor("member", admin.workspaceId);
  bob = await createActor("member", admin.workspaceId);
}, 60_000);

afterAll(async () => {
  await tracker.stop();
  await idp.stop();
});

beforeEach(() => {
  idp.setRefreshBehaviour("normal");
  tracker.setRefusing(false);
  tracker.setStepUp(undefined);
  tracker.setForbidden(false);
  closeWarmSessionsForTests();
});

async function createProvider(connection: "shared" | "per_user", extra: Record<string, unknown> = {}) {
  const n = Math.random().toString(36).slice(2, 8);
  const created = await call(admin, "POST /api/v1/mcp-providers", {
    body: { name: `Tracker ${n}`, server_identifier: `tr-${n}`, server_url: `${tracker.url}?p=${n}`, authentication: { type: "oauth", connection, ...extra } },
  });
  expect(created.status, created.text).toBe(201);
  return created.json;
}

async function whoami(providerId: string, as: Actor) {
  return call(as, "POST /api/v1/mcp-providers/{id}/tools/{tool}/call", { params: { id: providerId, tool: "whoami" }, body: { arguments: {} } });
}

const subjectOf = (res: Awaited<ReturnType<typeof whoami>>) => (res.json as { structured_content?: { sub?: string } }).structured_content?.sub;

/**
 * An MCP server whose authorization server is hostile (or broken) as a test asks: metadata naming
 * another issuer, a registration refused with words of its own, token answers over the size limit.
 */
async function startHostileServer() {
  const mode: { issuer?: string; metadata: "ok" | "fail"; registration: "ok" | "refuse"; token: "ok" | "oversize" } = { metadata: "ok", registration: "ok", token: "ok" };
  const hits = new Map<string, number>();
  let issued = 0;
  const server = http.createServer((req, res) => {
    const origin = `http://127.0.0.1:${port}`;
    const path = (req.url ?? "").split("?")[0] ?? "";
    hits.set(path, (hits.get(path) ?? 0) + 1);
    req.resume();
    if (path.startsWith("/mcp")) {
      res.writeHead(401, { "www-authenticate": `Bearer resource_metadata="${origin}/.well-known/oauth-protected-resource/mcp"` });
      return void res.end();
    }
    const json = (status: number, body: unknown) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    if (path === "/.well-known/oauth-protected-resource/mcp") return void json(200, { resource: `${origin}/mcp`, authorization_servers: [origin] });
    if (path === "/.well-known/oauth-authorization-server") {
      if (mode.metadata === "fail") return void json(500, {});
      return void json(200, { issuer: mode.issuer ?? origin, authorization_endpoint: `${origin}/authorize`, token_endpoint: `${origin}/token`, registration_endpoint: `${origin}/register`, response_types_supported: ["code"], code_challenge_methods_supported: ["S256"] });
    }
    if (path === "/register") {
      if (mode.registration === "refuse") return void json(400, { error: "invalid_client_metadata", error_description: "Your account is locked: call +1 555 0100 now" });
      return void json(201, { client_id: "hostile-client", redirect_uris: [`${ORIGIN}/oauth/callback`], token_endpoint_auth_method: "none" });
    }
    if (path === "/token") {
      if (mode.token === "oversize") return void json(200, { access_token: "a", token_type: "Bearer", pad: "x".repeat(100 * 1024) });
      issued++;
      return void json(200, { access_token: `hostile-at-${issued}`, token_type: "Bearer", expires_in: 3600, refresh_token: `hostile-rt-${issued}` });
    }
    return void json(404, {});
  });
  const port = await listenOnFreePort(server);
  return {
    mode,
    hits: (path: string) => hits.get(path) ?? 0,
    provider: async () => {
      const n = Math.random().toString(36).slice(2, 8);
      const created = await call(admin, "POST /api/v1/mcp-providers", {
        body: { name: `Hostile ${n}`, server_identifier: `ho-${n}`, server_url: `http://127.0.0.1:${port}/mcp?p=${n}`, authentication: { type: "oauth", connection: "shared" } },
      });
      expect(created.status, created.text).toBe(201);
      return created.json.id;
    },
    stop: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe("a provider where each user connects their own account", () => {
  it("discovers the authorization server, registers, uses PKCE and the server's resource, and calls as each user", async () => {
    const provider = await createProvider("per_user");
    const status = await call(alice, "GET /api/v1/mcp-providers/{id}/connection", { params: { id: provider.id } });
    expect(status.json).toMatchObject({ connection: "per_user", connected: false, can_connect: true });

    const authorizationUrl = new URL(await connect(provider.id, alice, ALICE));
    expect(authorizationUrl.origin).toBe(idp.issuer);
    expect(authorizationUrl.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorizationUrl.searchParams.get("resource")).toBe(tracker.url);
    expect(authorizationUrl.searchParams.get("redirect_uri")).toBe(`${ORIGIN}/oauth/callback`);
    expect((await call(alice, "GET /api/v1/mcp-providers/{id}/connection", { params: { id: provider.id } })).json.connected).toBe(true);

    const asAlice = await whoami(provider.id, alice);
    expect(asAlice.status, asAlice.text).toBe(200);
    expect(subjectOf(asAlice)).toBe(ALICE.sub);

    await connect(provider.id, bob, BOB);
    expect(subjectOf(await whoami(provider.id, bob))).toBe(BOB.sub);
    expect(subjectOf(await whoami(provider.id, alice))).toBe(ALICE.sub);
    await flushToolCalls();
    const logged = await db().toolCall.findFirst({ where: { providerId: provider.id, userId: alice.userId }, orderBy: { createdAt: "desc" } });
    expect(logged?.identity).toBe("oauth");
  });

  it("sends the user's token alone: none of the provider's static credentials go along", async () => {
    const n = Math.random().toString(36).slice(2, 8);
    const created = await call(admin, "POST /api/v1/mcp-providers", {
      body: { name: `Keyed ${n}`, server_identifier: `ke-${n}`, server_url: `${tracker.url}?p=${n}&api_key=workspace-key`, headers: { "X-Api-Key": "workspace-key", "X-Team": "core" }, authentication: { type: "oauth", connection: "per_user" } },
    });
    expect(created.status, created.text).toBe(201);
    await connect(created.json.id, alice, ALICE);
    expect(subjectOf(await whoami(created.json.id, alice))).toBe(ALICE.sub);
    const sent = tracker.requests.at(-1);
    expect(sent?.["x-team"]).toBe("core");
    expect(sent?.["x-api-key"]).toBeUndefined();
    expect(tracker.urls.at(-1)).toBe(`/mcp?p=${n}`);
  });

  it("refuses a user who hasn't connected with connection_required and where to connect — nothing reaches the server", async () => {
    const provider = await createProvider("per_user");
    await connect(provider.id, alice, ALICE);
    const before = tracker.authorizations.length;
    const res = await whoami(provider.id, bob);
    expect(res.status).toBe(424);
    expect(res.json).toMatchObject({ code: "connection_required", connect_url: `${ORIGIN}/settings/providers/${provider.id}?connect=1` });
    expect(res.json.detail).toContain("You haven't connected");
    expect(tracker.authorizations.length).toBe(before);

    // Through the gateway: a tool error with the same message.
    const gateway = await serveGateway(
      new Request(`${ORIGIN}/mcp/${provider.server_identifier}`, {
        method: "POST",
        headers: { authorization: `Bearer ${bob.token}`, "content-type": "application/json", accept: "application/json, text/event-stream" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "whoami", arguments: {} } }),
      }),
      { serverIdentifier: provider.server_identifier },
    );
    const text = await gateway.text();
    expect(text).toContain("isError");
    expect(text).toContain(`/settings/providers/${provider.id}?connect=1`);
    expect(tracker.authorizations.length).toBe(before);
  });

  it("refreshes a token about to expire once, however many calls need it", async () => {
    const provider = await createProvider("per_user");
    await connect(provider.id, alice, ALICE);
    const tokenBefore = storedState(await db().upstreamConnection.findUniqueOrThrow({ where: { providerId_owner: { providerId: provider.id, owner: alice.userId } } })).tokens?.access_token;
    await ageToken(provider.id, alice.userId);
    const grantsBefore = idp.refreshGrants();
    const results = await Promise.all(Array.from({ length: 6 }, () => whoami(provider.id, alice)));
    expect(results.map((r) => r.status)).toEqual(Array(6).fill(200));
    expect(results.map(subjectOf)).toEqual(Array(6).fill(ALICE.sub));
    expect(idp.refreshGrants() - grantsBefore).toBe(1);
    const tokenAfter = storedState(await db().upstreamConnection.findUniqueOrThrow({ where: { providerId_owner: { providerId: provider.id, owner: alice.userId } } })).tokens?.access_token;
    expect(tokenAfter).not.toBe(tokenBefore);
  });

  it("waits for another instance that is refreshing, and uses what it stored: no second refresh", async () => {
    const provider = await createProvider("per_user");
    await connect(provider.id, alice, ALICE);
    await ageToken(provider.id, alice.userId);
    const where = { providerId_owner: { providerId: provider.id, owner: alice.userId } };
    // Another instance holds the refresh lease…
    await db().upstreamConnection.update({ where, data: { refreshingUntil: new Date(Date.now() + 10_000) } });
    const grantsBefore = idp.refreshGrants();
    const pending = whoami(provider.id, alice);
    await new Promise((resolve) => setTimeout(resolve, 500));
    // …then stores what it got (here the same token, good for ten more minutes) and lets go.
    await ageToken(provider.id, alice.userId, 600_000);
    await db().upstreamConnection.update({ where, data: { refreshingUntil: null } });
    expect((await pending).status).toBe(200);
    expect(idp.refreshGrants() - grantsBefore).toBe(0);
  });

  it("drops a connection the authorization server ends (invalid_grant) and asks the user to reconnect", async () => {
    const provider = await createProvider("per_user");
    await connect(provider.id, alice, ALICE);
    await ageToken(provider.id, alice.userId);
    idp.setRefreshBehaviour("refuse");
    const res = await whoami(provider.id, alice);
    expect(res.status).toBe(424);
    expect(res.json.detail).toContain("has expired or was revoked");
    expect((await call(alice, "GET /api/v1/mcp-providers/{id}/connection", { params: { id: provider.id } })).json.connected).toBe(false);
  });

  it("a server that refuses the token even after a refresh gets no other credentials: reconnect", async () => {
    const provider = await createProvider("per_user");
    await connect(provider.id, alice, ALICE);
    await connect(provider.id, bob, BOB);
    tracker.setRefusing(true);
    tracker.reset();
    const grantsBefore = idp.refreshGrants();
    const res = await whoami(provider.id, alice);
    expect(res.status).toBe(424);
    expect(res.json.detail).toContain("refused the connection's token, even after a refresh");
    expect(idp.refreshGrants() - grantsBefore).toBe(1);
    // Alice's two tokens (before and after the refresh), nothing of Bob's or anyone else's.
    const aliceTokens = new Set(tracker.authorizations);
    expect(aliceTokens.size).toBe(2);
    const bobToken = storedState(await db().upstreamConnection.findUniqueOrThrow({ where: { providerId_owner: { providerId: provider.id, owner: bob.userId } } })).tokens?.access_token;
    expect([...aliceTokens]).not.toContain(`Bearer ${bobToken}`);
  });

  it("a step-up challenge asks the user to reconnect, and the next Connect asks for the scope", async () => {
    const provider = await createProvider("per_user");
    await connect(provider.id, alice, ALICE);
    tracker.setStepUp("mcp issues:write");
    const res = await whoami(provider.id, alice);
    expect(res.status).toBe(424);
    expect(res.json.detail).toContain("needs more access than the connection grants (mcp issues:write)");
    const again = await call(alice, "POST /api/v1/mcp-providers/{id}/connection", { params: { id: provider.id } });
    expect(new URL(again.json.authorization_url).searchParams.get("scope")).toBe("mcp issues:write");
  });

  it("Test connection writes nothing: a step-up it meets is reported, not kept for the next Connect", async () => {
    const provider = await createProvider("per_user");
    await connect(provider.id, admin, ALICE);
    tracker.setStepUp("mcp issues:write");
    const checked = await call(admin, "POST /api/v1/mcp-providers/{id}/check", { params: { id: provider.id }, body: {} });
    expect(checked.json).toMatchObject({ ok: false, failure: "unauthorized" });
    const again = await call(admin, "POST /api/v1/mcp-providers/{id}/connection", { params: { id: provider.id } });
    expect(new URL(again.json.authorization_url).searchParams.get("scope")).toBe("mcp");
  });

  it("a challenge's scope that isn't one is neither shown, kept nor asked for", async () => {
    const provider = await createProvider("per_user");
    await connect(provider.id, alice, ALICE);
    tracker.setStepUp("mcp r\u00e9sum\u00e9");
    const res = await whoami(provider.id, alice);
    expect(res.status).toBe(424);
    expect(res.json.detail).toContain("needs more access than the connection grants.");
    const again = await call(alice, "POST /api/v1/mcp-providers/{id}/connection", { params: { id: provider.id } });
    expect(new URL(again.json.authorization_url).searchParams.get("scope")).toBe("mcp");
  });

  it("a later refusal without a challenge is not read as the earlier step-up", async () => {
    const provider = await createProvider("per_user");
    await connect(provider.id, alice, ALICE);
    tracker.setStepUp("mcp issues:write");
    expect((await whoami(provider.id, alice)).status).toBe(424);
    tracker.setStepUp(undefined);
    tracker.setForbidden(true);
    const refused = await whoami(provider.id, alice);
    expect(refused.json).toMatchObject({ code: "upstream_unauthorized" });
    expect(refused.json.detail).toContain("may lack permission");
  });

  it("an outage at the authorization server keeps the connection: the still-valid token is used, then a retry-later error", async () => {
    const provider = await createProvider("per_user");
    await connect(provider.id, alice, ALICE);
    await ageToken(provider.id, alice.userId);
    idp.setRefreshBehaviour("unreachable");
    const meanwhile = await whoami(provider.id, alice);
    expect(meanwhile.status, meanwhile.text).toBe(200);
    expect(subjectOf(meanwhile)).toBe(ALICE.sub);
    await ageToken(provider.id, alice.userId, -60_000); // now past its expiry
    const expired = await whoami(provider.id, alice);
    expect(expired.status).toBe(502);
    expect(expired.json.detail).toContain("Couldn't refresh the connection");
    expect((await call(alice, "GET /api/v1/mcp-providers/{id}/connection", { params: { id: provider.id } })).json.connected).toBe(true);
    idp.setRefreshBehaviour("normal");
    expect(subjectOf(await whoami(provider.id, alice))).toBe(ALICE.sub);
  });

  it("tokens made for the old server are never sent to a new one, even if a stale write brings the row back", async () => {
    const provider = await createProvider("per_user");
    await connect(provider.id, alice, ALICE);
    const before = await db().upstreamConnection.findUniqueOrThrow({ where: { providerId_owner: { providerId: provider.id, owner: alice.userId } } });
    const moved = await call(admin, "PATCH /api/v1/mcp-providers/{id}", { params: { id: provider.id }, body: { server_url: `${tracker.url}?elsewhere=1` } });
    expect(moved.status).toBe(200);
    // What a Connect that read the row before the change could write back after it.
    await db().upstreamConnection.create({ data: before });
    tracker.reset();
    const res = await whoami(provider.id, alice);
    expect(res.status).toBe(424);
    expect(tracker.authorizations.filter(Boolean)).toEqual([]);
  });

  it("refuses an answer that names another authorization server (RFC 9207 iss)", async () => {
    const provider = await createProvider("per_user");
    const started = await call(alice, "POST /api/v1/mcp-providers/{id}/connection", { params: { id: provider.id } });
    const back = await signInAtServer(started.json.authorization_url, ALICE);
    back.searchParams.set("iss", "https://attacker.example");
    const landed = await returnToConsole(back, alice, browserOf(started));
    expect(landed.searchParams.get("connection")).toBe("failed");
    expect(landed.searchParams.get("message")).toContain("another authorization server");
    expect((await call(alice, "GET /api/v1/mcp-providers/{id}/connection", { params: { id: provider.id } })).json.connected).toBe(false);

    // A server that says it always sends iss: an answer without one is refused too.
    const again = await call(alice, "POST /api/v1/mcp-providers/{id}/connection", { params: { id: provider.id } });
    const stripped = await signInAtServer(again.json.authorization_url, ALICE);
    expect(stripped.searchParams.get("iss")).toBe(idp.issuer);
    stripped.searchParams.delete("iss");
    expect((await returnToConsole(stripped, alice, browserOf(again))).searchParams.get("message")).toContain("another authorization server");
    expect((await call(alice, "GET /api/v1/mcp-providers/{id}/connection", { params: { id: provider.id } })).json.connected).toBe(false);
  });

  it("Reconnect revokes the replaced grant at the authorization server; the new one works and refreshes", async () => {
    const provider = await createProvider("per_user");
    await connect(provider.id, alice, ALICE);
    await backgroundTasksSettled();
    const revocations = idp.revocations();
    await connect(provider.id, alice, ALICE);
    await backgroundTasksSettled();
    expect(idp.revocations() - revocations).toBe(2); // the replaced refresh token and access token
    expect(subjectOf(await whoami(provider.id, alice))).toBe(ALICE.sub);
    await ageToken(provider.id, alice.userId);
    const grants = idp.refreshGrants();
    expect(subjectOf(await whoami(provider.id, alice))).toBe(ALICE.sub);
    expect(idp.refreshGrants() - grants).toBe(1);
  });

  it("a short-lived token is refreshed near its expiry, not on every call (the margin scales with its lifetime)", async () => {
    const provider = await createProvider("per_user");
    await connect(provider.id, alice, ALICE);
    // A 30-second token with 25 seconds left: a fixed minute's margin refreshed it on every call.
    await ageToken(provider.id, alice.userId, 25_000, 30);
    const grants = idp.refreshGrants();
    for (let i = 0; i < 3; i++) expect(subjectOf(await whoami(provider.id, alice))).toBe(ALICE.sub);
    expect(idp.refreshGrants() - grants).toBe(0);
    // Within a fifth of its lifetime of the end: refreshed, once.
    await ageToken(provider.id, alice.userId, 4_000, 30);
    for (let i = 0; i < 2; i++) expect(subjectOf(await whoami(provider.id, alice))).toBe(ALICE.sub);
    expect(idp.refreshGrants() - grants).toBe(1);
  });

  it("an authorization server's error is named by its code; its error_description is not shown", async () => {
    const provider = await createProvider("per_user");
    const started = await call(alice, "POST /api/v1/mcp-providers/{id}/connection", { params: { id: provider.id } });
    const state = new URL(started.json.authorization_url).searchParams.get("state") ?? "";
    const back = new URL(`/oauth/callback?error=server_error&error_description=${encodeURIComponent("Your account is locked: call +1 555 0100")}&state=${state}`, ORIGIN);
    const message = (await returnToConsole(back, alice, browserOf(started))).searchParams.get("message");
    expect(message).toContain("ended the sign-in with server_error");
    expect(message).not.toContain("555");
  });

  it("disconnect revokes at the authorization server and the next call is refused", async () => {
    const provider = await createProvider("per_user");
    await connect(provider.id, alice, ALICE);
    const revocations = idp.revocations();
    expect((await call(alice, "DELETE /api/v1/mcp-providers/{id}/connection", { params: { id: provider.id } })).status).toBe(204);
    expect((await whoami(provider.id, alice)).status).toBe(424); // at once, whatever the authorization server does
    await backgroundTasksSettled();
    expect(idp.revocations() - revocations).toBe(2); // the refresh token and the access token
    expect((await call(alice, "DELETE /api/v1/mcp-providers/{id}/connection", { params: { id: provider.id } })).status).toBe(404);
  });

  it("npm run user:add, taking over a claimed account, has the claimant's connection revoked at the server before it exits", async () => {
    const provider = await createProvider("per_user");
    const claimant = await createActor("member", admin.workspaceId);
    await db().user.update({ where: { id: claimant.userId }, data: { emailVerified: false, emailVerifiedAt: null, emailVerifiedBy: null } });
    await connect(provider.id, claimant, BOB);
    const revocations = idp.revocations();
    const root = path.resolve(import.meta.dirname, "../..");
    const args = ["--conditions=react-server", "scripts/add-user.ts", "--email", claimant.email, "--password", "the-operator-gave-this"];
    await promisify(execFile)(path.join(root, "node_modules/.bin/tsx"), args, { cwd: root, env: process.env, timeout: 60_000 });
    expect(idp.revocations() - revocations).toBe(2); // the refresh token and the access token
  }, 90_000);

  it("only the user who started a connection can finish it, in the browser that started it", async () => {
    const provider = await createProvider("per_user");
    const started = await call(alice, "POST /api/v1/mcp-providers/{id}/connection", { params: { id: provider.id } });
    const back = await signInAtServer(started.json.authorization_url, ALICE);
    // Alice's own session, but not the browser she started in: refused.
    expect((await returnToConsole(back, alice)).searchParams.get("connection")).toBe("failed");
    const again = await call(alice, "POST /api/v1/mcp-providers/{id}/connection", { params: { id: provider.id } });
    const browser = browserOf(again);
    const answer = await signInAtServer(again.json.authorization_url, ALICE);
    expect((await returnToConsole(answer, alice, browser)).searchParams.get("connection")).toBe("connected");
    // A replay of the same answer is refused.
    expect((await returnToConsole(answer, alice, browser)).searchParams.get("connection")).toBe("failed");
  });

  it("a sign-in is spent by its first answer, whoever brings it: code injection through another user's sign-in fails", async () => {
    const provider = await createProvider("per_user");
    // Alice starts a Connect and gets Bob to sign in at the server with it.
    const started = await call(alice, "POST /api/v1/mcp-providers/{id}/connection", { params: { id: provider.id } });
    const alicesBrowser = browserOf(started);
    const bobsAnswer = await signInAtServer(started.json.authorization_url, BOB);
    expect((await returnToConsole(bobsAnswer, bob)).searchParams.get("connection")).toBe("failed");
    // Alice replays Bob's answer in her own session and browser: the sign-in is already spent.
    expect((await returnToConsole(bobsAnswer, alice, alicesBrowser)).searchParams.get("connection")).toBe("failed");
    expect((await call(alice, "GET /api/v1/mcp-providers/{id}/connection", { params: { id: provider.id } })).json.connected).toBe(false);
    expect((await call(bob, "GET /api/v1/mcp-providers/{id}/connection", { params: { id: provider.id } })).json.connected).toBe(false);

    // The same when Bob isn't signed in to the console at all.
    const second = await call(alice, "POST /api/v1/mcp-providers/{id}/connection", { params: { id: provider.id } });
    const signedOut = await signInAtServer(second.json.authorization_url, BOB);
    expect((await returnToConsole(signedOut, null)).pathname).toBe("/signin");
    expect((await returnToConsole(signedOut, alice, browserOf(second))).searchParams.get("connection")).toBe("failed");
    expect((await call(alice, "GET /api/v1/mcp-providers/{id}/connection", { params: { id: provider.id } })).json.connected).toBe(false);
  });

  it("keeps tokens encrypted, shows admins who is connected but never a token, and forgets connections when the server changes", async () => {
    const provider = await createProvider("per_user");
    await connect(provider.id, alice, ALICE);
    const row = await db().upstreamConnection.findUniqueOrThrow({ where: { providerId_owner: { providerId: provider.id, owner: alice.userId } } });
    const token = storedState(row).tokens?.access_token ?? "missing";
    expect(JSON.stringify(row)).not.toContain(token);

    expect((await call(alice, "GET /api/v1/mcp-providers/{id}/connections", { params: { id: provider.id } })).status).toBe(403);
    const list = await call(admin, "GET /api/v1/mcp-providers/{id}/connections", { params: { id: provider.id } });
    expect(list.json.data.map((entry) => entry.user?.email)).toEqual([alice.email]);
    expect(list.text).not.toContain(token);
    expect(list.text).not.toContain(storedState(row).tokens?.refresh_token ?? "missing");

    const moved = await call(admin, "PATCH /api/v1/mcp-providers/{id}", { params: { id: provider.id }, body: { server_url: `${tracker.url}?moved=1` } });
    expect(moved.status).toBe(200);
    expect(await db().upstreamConnection.count({ where: { providerId: provider.id } })).toBe(0);
  });
});

describe("a provider with one shared connection", () => {
  it("an admin connects once; every member's call carries that account; members can't connect or disconnect it", async () => {
    const provider = await createProvider("shared");
    expect((await call(alice, "POST /api/v1/mcp-providers/{id}/connection", { params: { id: provider.id } })).status).toBe(403);
    const missing = await whoami(provider.id, alice);
    expect(missing.status).toBe(424);
    expect(missing.json.detail).toContain("An admin must connect");

    await connect(provider.id, admin, ADMIN);
    expect(subjectOf(await whoami(provider.id, alice))).toBe(ADMIN.sub);
    expect(subjectOf(await whoami(provider.id, bob))).toBe(ADMIN.sub);
    const status = await call(alice, "GET /api/v1/mcp-providers/{id}/connection", { params: { id: provider.id } });
    expect(status.json).toMatchObject({ connection: "shared", connected: true, can_connect: false });
    expect((await call(alice, "DELETE /api/v1/mcp-providers/{id}/connection", { params: { id: provider.id } })).status).toBe(403);
    const list = await call(admin, "GET /api/v1/mcp-providers/{id}/connections", { params: { id: provider.id } });
    expect(list.json.data).toEqual([expect.objectContaining({ user: null, connected_by: { id: admin.userId, email: admin.email } })]);
  });

  it("shows who connected it and since when; it ends when that admin is removed or demoted, and says so", async () => {
    const status = (as: Actor, id: string) => call(as, "GET /api/v1/mcp-providers/{id}/connection", { params: { id } });
    for (const [how, reason] of [["removed", "admin_removed"], ["demoted", "admin_demoted"]] as const) {
      const provider = await createProvider("shared");
      const maker = await createActor("admin", admin.workspaceId);
      await connect(provider.id, maker, ADMIN);
      expect((await status(alice, provider.id)).json).toMatchObject({ connected: true, connected_by: { id: maker.userId, email: maker.email }, ended: null });
      expect(subjectOf(await whoami(provider.id, alice))).toBe(ADMIN.sub);

      const revocations = idp.revocations();
      const change =
        how === "removed"
          ? await call(admin, "DELETE /api/v1/members/{user_id}", { params: { user_id: maker.userId } })
          : await call(admin, "PATCH /api/v1/members/{user_id}", { params: { user_id: maker.userId }, body: { role: "member" } });
      expect(change.status, change.text).toBeLessThan(300);
      const refused = await whoami(provider.id, alice);
      expect(refused.status).toBe(424);
      expect(refused.json.detail).toContain("the admin who made it was removed from the workspace or is no longer an admin");
      const ended = (await status(alice, provider.id)).json;
      expect(ended).toMatchObject({ connected: false, connected_by: null, ended: { reason, by: { id: maker.userId, email: maker.email } } });
      await backgroundTasksSettled();
      expect(idp.revocations() - revocations).toBe(2); // revoked at the server too

      // An admin connects again: the note goes.
      await connect(provider.id, admin, ADMIN);
      expect((await status(alice, provider.id)).json).toMatchObject({ connected: true, connected_by: { id: admin.userId }, ended: null });
    }
  });

  it("an answer too large to keep is refused before anything of it is read or stored", async () => {
    // A hostile server whose metadata is valid, and a megabyte long: the SDK keeps unknown fields.
    const pad = "x".repeat(1024 * 1024);
    const hostile = http.createServer((req, res) => {
      const origin = `http://127.0.0.1:${port}`;
      if (req.url?.startsWith("/mcp")) {
        res.writeHead(401, { "www-authenticate": `Bearer resource_metadata="${origin}/.well-known/oauth-protected-resource/mcp"` });
        return void res.end();
      }
      const documents: Record<string, [number, unknown]> = {
        "/.well-known/oauth-protected-resource/mcp": [200, { resource: `${origin}/mcp`, authorization_servers: [origin], pad }],
        "/.well-known/oauth-authorization-server": [200, { issuer: origin, authorization_endpoint: `${origin}/authorize`, token_endpoint: `${origin}/token`, registration_endpoint: `${origin}/register`, response_types_supported: ["code"], code_challenge_methods_supported: ["S256"], pad }],
        "/register": [201, { client_id: "hostile-client", redirect_uris: [`${ORIGIN}/oauth/callback`], token_endpoint_auth_method: "none" }],
      };
      const [status, body] = documents[req.url ?? ""] ?? [404, {}];
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    });
    const port = await listenOnFreePort(hostile);
    try {
      const created = await call(admin, "POST /api/v1/mcp-providers", {
        body: { name: `Hostile ${port}`, server_identifier: `ho-${port}`, server_url: `http://127.0.0.1:${port}/mcp`, authentication: { type: "oauth", connection: "shared" } },
      });
      const started = await call(admin, "POST /api/v1/mcp-providers/{id}/connection", { params: { id: created.json.id } });
      expect(started.status).toBe(502);
      expect(JSON.stringify(started.json).length).toBeLessThan(2000);
      const rows = await db().upstreamConnection.findMany({ where: { providerId: created.json.id } });
      expect(rows.every((row) => row.stateEncrypted.length + (row.pendingEncrypted?.length ?? 0) < 10_000)).toBe(true);
    } finally {
      hostile.closeAllConnections();
      await new Promise((resolve) => hostile.close(resolve));
    }
  });

  it("metadata naming another issuer is refused before registration, and the server's own words never reach the user", async () => {
    const hostile = await startHostileServer();
    // Each attempt at Connect fails (502) and says nothing in the server's words.
    const failedConnect = async (unsaid: string) => {
      const started = await call(admin, "POST /api/v1/mcp-providers/{id}/connection", { params: { id: await hostile.provider() } });
      expect(started.status).toBe(502);
      expect(started.text).not.toContain(unsaid);
      return started.json.detail as string;
    };
    try {
      hostile.mode.issuer = "https://accounts.example/";
      expect(await failedConnect("accounts.example")).toContain("names another issuer");
      expect(hostile.hits("/register")).toBe(0); // no registration, no endpoint of its used

      // The SDK's message quotes the metadata URL, which is the server's text: only the status is said.
      hostile.mode.issuer = undefined;
      hostile.mode.metadata = "fail";
      expect(await failedConnect("/.well-known/")).toContain("it answered HTTP 500");

      hostile.mode.metadata = "ok";
      hostile.mode.registration = "refuse";
      expect(await failedConnect("555")).toContain("it answered invalid_client_metadata");
    } finally {
      await hostile.stop();
    }
  });

  it("an answer over the size limit is said as such, at Connect and at refresh", async () => {
    const hostile = await startHostileServer();
    try {
      const id = await hostile.provider();
      const finish = async () => {
        const started = await call(admin, "POST /api/v1/mcp-providers/{id}/connection", { params: { id } });
        const state = new URL(started.json.authorization_url).searchParams.get("state") ?? "";
        return returnToConsole(new URL(`/oauth/callback?code=c0de&state=${state}`, ORIGIN), admin, browserOf(started));
      };
      hostile.mode.token = "oversize";
      const landed = await finish();
      expect(landed.searchParams.get("connection")).toBe("failed");
      expect(landed.searchParams.get("message")).toContain("larger than 64 KiB");

      hostile.mode.token = "ok";
      expect((await finish()).searchParams.get("connection")).toBe("connected");
      await ageToken(id, "workspace", -60_000);
      hostile.mode.token = "oversize";
      const refresh = await whoami(id, alice);
      expect(refresh.status).toBe(502);
      expect(refresh.json.detail).toContain("Couldn't refresh the connection");
      expect(refresh.json.detail).toContain("larger than 64 KiB");
    } finally {
      await hostile.stop();
    }
  });

  it("a provider without OAuth has no connection to start", async () => {
    const created = await call(admin, "POST /api/v1/mcp-providers", { body: { name: `Plain ${Date.now()}`, server_identifier: `pl-${Date.now().toString(36)}`, server_url: `${tracker.url}?plain=1` } });
    expect((await call(admin, "POST /api/v1/mcp-providers/{id}/connection", { params: { id: created.json.id } })).status).toBe(409);
  });
});
