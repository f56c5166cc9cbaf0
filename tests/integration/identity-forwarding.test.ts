// Identity forwarding end to end, through the route handlers, against a real OpenID Provider
// (oidc-provider) and real MCP servers (the SDK). For every fault: the error the user sees, and —
// from what the MCP server recorded — proof that no non-user credential reached it.
import http from "node:http";
import { decodeJwt } from "jose";
import { z } from "zod";
import { present } from "@/tests/support/present";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { backgroundTasksSettled } from "@/lib/background";
import { backfillMaskedColumns } from "@/lib/providers/backfill";
import { db } from "@/lib/db";
import { captureLogsForTests } from "@/lib/log";
import { clearTokenCacheForTests } from "@/lib/identity/token-cache";
import { setTokenIssuerForTests } from "@/lib/identity/token-issuer";
import { callProviderTool } from "@/lib/providers/tools";
import { POST as issueTokenRoute } from "@/app/inner/api/mcp/issue-token/route";
import { listenOnFreePort } from "../../e2e/support/ports";
import { call, callPath, createActor, cutShortBody, fromAddress, ORIGIN, sessionCookie, type Actor } from "./helpers";
import { startWhoamiServer, type WhoamiServer as WhoamiServerLike } from "../../e2e/support/whoami-server";
import { callWhoami, INNER_SECRET, onlyUserTokens, setEnv, startIdentityFixture, STATIC, type IdentityFixture } from "./identity-fixture";
import { aString, containing, matching, like } from "@/tests/support/matchers";

let f: IdentityFixture;
let admin: Actor & { email: string };

beforeAll(async () => {
  f = await startIdentityFixture();
});

afterAll(() => f.stop());

beforeEach(async () => {
  admin = await createActor("admin"); // a workspace of its own: providers here may reuse the servers' URLs
  f.reset();
});

describe("forwarding on: the happy path", () => {
  it("each user's call reaches the server with a token whose subject is that user and whose audience is the server", async () => {
    const p = await f.provider(admin, f.whoami.url);
    const alice = await f.ssoMember("alice-sub", admin.workspaceId);
    const bob = await f.ssoMember("bob-sub", admin.workspaceId);

    const asAlice = await callWhoami(alice, p.id);
    expect(asAlice.status, asAlice.text).toBe(200);
    expect(asAlice.json).toMatchObject({ is_error: false, content: [{ type: "text", text: "alice-sub" }], structured_content: { sub: "alice-sub", aud: f.whoami.url, via: "jwt" } });
    onlyUserTokens(f.whoami, "alice-sub");

    f.whoami.reset();
    const asBob = await callWhoami(bob, p.id);
    expect(asBob.json.content[0].text).toBe("bob-sub");
    onlyUserTokens(f.whoami, "bob-sub");
  });

  it("caches a user's token until shortly before expiry: one issuer call for many calls, none shared across users", async () => {
    const p = await f.provider(admin, f.whoami.url);
    const alice = await f.ssoMember("alice-sub", admin.workspaceId);
    const grantsBefore = f.idp.refreshGrants();
    for (let i = 0; i < 3; i++) expect((await callWhoami(alice, p.id)).json.content[0].text).toBe("alice-sub");
    expect(f.issuerCalls()).toBe(1);
    expect(f.idp.refreshGrants() - grantsBefore).toBe(1);
    expect(new Set(f.whoami.authorizations).size).toBe(1); // the same cached token, on every request of every session

    const bob = await f.ssoMember("bob-sub", admin.workspaceId);
    expect((await callWhoami(bob, p.id)).json.content[0].text).toBe("bob-sub");
    expect(f.issuerCalls()).toBe(2);
  });

  it("keeps a warm MCP session per user: repeated calls skip initialize, and users never share one", async () => {
    const p = await f.provider(admin, f.whoami.url);
    const alice = await f.ssoMember("alice-sub", admin.workspaceId);
    const bob = await f.ssoMember("bob-sub", admin.workspaceId);
    for (let i = 0; i < 3; i++) expect((await callWhoami(alice, p.id)).json.content[0].text).toBe("alice-sub");
    expect(f.whoami.methods.filter((m) => m === "initialize")).toHaveLength(1);
    expect(f.whoami.methods.filter((m) => m === "tools/call")).toHaveLength(3);
    onlyUserTokens(f.whoami, "alice-sub");

    f.whoami.reset();
    expect((await callWhoami(bob, p.id)).json.content[0].text).toBe("bob-sub");
    expect(f.whoami.methods.filter((m) => m === "initialize")).toHaveLength(1); // bob's own session
    onlyUserTokens(f.whoami, "bob-sub");

    // Changing the provider (here: forwarding off) retires the warm sessions made under the old settings.
    f.whoami.reset();
    await call(admin, "PATCH /api/v1/mcp-providers/{id}", { params: { id: p.id }, body: { identity_mode: "off" } });
    expect((await callWhoami(alice, p.id)).json.content[0].text).toBe("static");
    expect(f.whoami.authorizations.every((header) => header === STATIC)).toBe(true);
  });

  it("discovery runs as the caller: Refresh tools lists whoami, as the caller sees it", async () => {
    const p = await f.provider(admin, f.whoami.url);
    const alice = await f.ssoMember("alice-sub", admin.workspaceId);
    const refreshed = await call(alice, "POST /api/v1/mcp-providers/{id}/tools/refresh", { params: { id: p.id } });
    expect(refreshed.status, refreshed.text).toBe(200);
    expect(refreshed.json).toMatchObject({ authed: true, view: "yours", data: [like({ name: "whoami" })] });
    const tools = await call(alice, "GET /api/v1/mcp-providers/{id}/tools", { params: { id: p.id } });
    expect(tools.json.view).toBe("yours");
    expect(tools.json.data).toEqual([like({ name: "whoami", title: "Who am I?", input_schema: like({ type: "object" }) })]);
    onlyUserTokens(f.whoami, "alice-sub");
  });

  it("the remote issuer client, against the console's real /inner route, gives the same result", async () => {
    setEnv({ ENTERPRISE_API_URL: f.innerUrl, ENTERPRISE_API_SECRET: INNER_SECRET });
    setTokenIssuerForTests(undefined);
    const p = await f.provider(admin, f.whoami.url);
    const alice = await f.ssoMember("alice-sub", admin.workspaceId);
    const res = await callWhoami(alice, p.id);
    expect(res.status, res.text).toBe(200);
    expect(res.json.content[0].text).toBe("alice-sub");
    onlyUserTokens(f.whoami, "alice-sub");
  });
});

describe("the built-in issuer behind POST /inner/api/mcp/issue-token", () => {
  let address = 0;
  const issue = (body: object, secret = INNER_SECRET, from = `10.77.${Math.floor(address / 250)}.${address++ % 250}`) =>
    issueTokenRoute(
      new Request(`${f.innerUrl}/inner/api/mcp/issue-token`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-inner-api-secret": secret, ...fromAddress(from) },
        body: JSON.stringify(body),
      }),
    );

  beforeEach(() => { setEnv({ ENTERPRISE_API_SECRET: INNER_SECRET }); });

  it("mints an audience-bound token for the user and stores the rotated refresh token", async () => {
    const alice = await f.ssoMember("alice-sub", admin.workspaceId);
    const before = (await db().ssoAccount.findFirstOrThrow({ where: { userId: alice.userId } })).refreshTokenEncrypted;
    const res = await issue({ user_id: alice.userId, workspace_id: admin.workspaceId, audience: f.whoami.url, mode: "idp_token" });
    expect(res.status).toBe(200);
    const body = z.object({ token: z.string(), expires_at: z.number() }).parse(await res.json());
    expect(Number.isInteger(body.expires_at)).toBe(true);
    expect(decodeJwt(body.token)).toMatchObject({ sub: "alice-sub", aud: f.whoami.url, iss: f.idp.issuer });
    const after = (await db().ssoAccount.findFirstOrThrow({ where: { userId: alice.userId } })).refreshTokenEncrypted;
    expect(after).not.toBe(before); // the IdP rotated it, and the new one was kept
    const again = await issue({ user_id: alice.userId, workspace_id: admin.workspaceId, audience: f.whoami.url, mode: "idp_token" });
    expect(again.status).toBe(200); // …and it works: the old one would have been refused as reused
  });

  it.each([
    ["no refresh token", 428],
    ["the IdP refuses the refresh (invalid_grant)", 401],
    ["a user outside the workspace (policy)", 403],
    ["a wrong shared secret", 401],
    ["a malformed body", 400],
  ] as const)("answers %s with %i", async (scenario, status) => {
    const alice = await f.ssoMember("alice-sub", admin.workspaceId);
    const local = await createActor("member", admin.workspaceId);
    const outsider = await createActor("member");
    const body = { workspace_id: admin.workspaceId, audience: f.whoami.url, mode: "idp_token" };
    let res: Response;
    if (scenario === "no refresh token") res = await issue({ ...body, user_id: local.userId });
    else if (scenario === "the IdP refuses the refresh (invalid_grant)") {
      f.idp.setRefreshBehaviour("refuse");
      res = await issue({ ...body, user_id: alice.userId });
    } else if (scenario === "a user outside the workspace (policy)") res = await issue({ ...body, user_id: outsider.userId });
    else if (scenario === "a wrong shared secret") res = await issue({ ...body, user_id: alice.userId }, "wrong-secret");
    else res = await issue({ ...body, user_id: alice.userId, audience: "not a url", extra: 1 });
    expect(res.status).toBe(status);
    if (scenario === "a wrong shared secret") expect(await res.json()).toEqual({ error: "invalid_secret" });
  });

  it("answers a body too large with 413, and one its caller cut short as the malformed body it is (400)", async () => {
    const send = (body: BodyInit) => issueTokenRoute(new Request(`${f.innerUrl}/inner/api/mcp/issue-token`, { method: "POST", headers: { "content-type": "application/json", "x-inner-api-secret": INNER_SECRET, ...fromAddress(`10.79.0.${address++ % 250}`) }, body, duplex: "half" } as RequestInit));
    expect((await send(JSON.stringify({ padding: "x".repeat(20_000) }))).status).toBe(413);
    const res = await send(cutShortBody('{"user_id":"'));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: "invalid_request" });
  });

  it("answers a user over their rate limit with 429 and Retry-After, not 500", async () => {
    const busy = await createActor("member", admin.workspaceId); // the limit is counted before anything else
    const { hit, LIMITS } = await import("@/lib/rate-limit");
    for (let i = 0; i < LIMITS.identityTokenPerUser.max; i++) await hit(LIMITS.identityTokenPerUser, busy.userId);
    const res = await issue({ user_id: busy.userId, workspace_id: admin.workspaceId, audience: f.whoami.url, mode: "idp_token" });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("throttles wrong secrets before comparing them: after ten from one address, even the right one waits", async () => {
    const from = "10.78.0.1";
    const body = { user_id: "u", workspace_id: "w", audience: f.whoami.url, mode: "idp_token" };
    for (let i = 0; i < 10; i++) expect((await issue(body, `guess-${i}`, from)).status).toBe(401);
    const refused = await issue(body, "guess-11", from);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await issue(body, INNER_SECRET, from)).status).toBe(429);
    // Another address is not affected.
    expect((await issue(body, INNER_SECRET, "10.78.0.2")).status).not.toBe(429);
  });

  it("does not exist without enterprise or without a shared secret", async () => {
    setEnv({ ENTERPRISE_ENABLED: "false" });
    expect((await issue({ user_id: "u", workspace_id: "w", audience: f.whoami.url, mode: "idp_token" })).status).toBe(404);
    setEnv({ ENTERPRISE_ENABLED: "true", ENTERPRISE_API_SECRET: undefined });
    expect((await issue({ user_id: "u", workspace_id: "w", audience: f.whoami.url, mode: "idp_token" })).status).toBe(404);
  });
});

describe("secrets never reach logs or responses (canary)", () => {
  it("header values, client secrets, refresh tokens and minted tokens appear in no log line and no response", async () => {
    const lines: string[] = [];
    const stop = captureLogsForTests((line) => lines.push(line));
    const responses: string[] = [];
    try {
      const canary = `CANARY${Date.now()}`;
      const created = await call(admin, "POST /api/v1/mcp-providers", {
        body: {
          name: `Canary ${canary.slice(-6)}`,
          server_identifier: `c-${canary.slice(-8)}`,
          server_url: f.whoami.url,
          headers: { "X-Api-Key": `${canary}-header`, Authorization: `Bearer ${canary}-static` },
          authentication: { type: "oauth", connection: "shared", client_id: "canary-client", client_secret: `${canary}-client-secret` },
          identity_mode: "idp_token",
        },
      });
      responses.push(created.text);
      await backgroundTasksSettled();
      const alice = await f.ssoMember("alice-sub", admin.workspaceId);
      const account = await db().ssoAccount.findFirstOrThrow({ where: { userId: alice.userId } });
      const { secrets } = await import("@/lib/crypto");
      const { env: config } = await import("@/lib/env");
      const refreshTokenBefore = secrets(config().encryptionKey).decrypt(present(account.refreshTokenEncrypted, "a stored refresh token"));

      for (const [method, path, body] of [
        ["GET", `/api/v1/mcp-providers/${created.json.id}`],
        ["GET", "/api/v1/mcp-providers"],
        ["POST", `/api/v1/mcp-providers/${created.json.id}/tools/refresh`],
        ["POST", `/api/v1/mcp-providers/${created.json.id}/tools/whoami/call`, { arguments: {} }],
        ["PATCH", `/api/v1/mcp-providers/${created.json.id}`, { headers: { "X-Api-Key": `${canary}-rotated` } }],
        ["PATCH", `/api/v1/mcp-providers/${created.json.id}`, { server_url: "not a url" }],
      ] as const) {
        const res = await callPath(method === "PATCH" ? admin : alice, method, path, body ? { body } : {});
        responses.push(res.text);
      }
      const refreshTokenAfter = secrets(config().encryptionKey).decrypt(present((await db().ssoAccount.findUniqueOrThrow({ where: { id: account.id } })).refreshTokenEncrypted, "a stored refresh token"));
      f.idp.setRefreshBehaviour("refuse");
      clearTokenCacheForTests();
      responses.push((await callWhoami(alice, created.json.id)).text);

      const minted = f.whoami.authorizations.filter((header): header is string => Boolean(header)).map((header) => header.slice(7));
      expect(minted.length).toBeGreaterThan(0);
      const secretValues = [canary, refreshTokenBefore, refreshTokenAfter, ...minted];
      const everything = [...lines, ...responses].join("\n");
      expect(lines.length).toBeGreaterThan(5); // the logs are really captured
      expect(everything).toContain("canary-client"); // and the responses really are in there
      for (const secret of secretValues) expect(everything).not.toContain(secret);
      const parsed = lines.map((line) => z.object({ requestId: z.string().optional() }).loose().parse(JSON.parse(line)));
      expect(parsed.some((line) => line.requestId)).toBe(true);
    } finally {
      stop();
    }
  });
});

describe("forwarding on: the fault matrix", () => {
  it("no user: fails before any network I/O", async () => {
    const p = await f.provider(admin, f.whoami.url);
    const grantsBefore = f.idp.refreshGrants();
    await expect(callProviderTool({ workspaceId: admin.workspaceId, id: p.id, tool: "whoami", args: {}, user: undefined })).rejects.toMatchObject({
      code: "identity_required",
      detail: containing("has no end user"),
    });
    expect(f.issuerCalls()).toBe(0);
    expect(f.idp.refreshGrants()).toBe(grantsBefore);
    expect(f.whoami.authorizations).toEqual([]);
  });

  it("an admin without an SSO session creates a forwarding provider: the create stands, and the provider says it needs a sign-in", async () => {
    const res = await call(admin, "POST /api/v1/mcp-providers", {
      body: { name: `Needs SSO ${Math.random().toString(36).slice(2, 8)}`, server_identifier: `n-${Math.random().toString(36).slice(2, 10)}`, server_url: f.whoami.url, identity_mode: "idp_token" },
    });
    expect(res.json.discovery.status).toBe("pending");
    await backgroundTasksSettled();
    const read = await call(admin, "GET /api/v1/mcp-providers/{id}", { params: { id: res.json.id } });
    expect(read.json.discovery).toMatchObject({ status: "failed", failure: "identity", message: containing("Sign in with SSO again") });
    expect(f.whoami.authorizations).toEqual([]);
  });

  it("a locally signed-in user with no SSO session: 'sign in with SSO again', and the server receives nothing", async () => {
    const p = await f.provider(admin, f.whoami.url);
    const local = await createActor("member", admin.workspaceId);
    const cookie = await sessionCookie(local.userId);
    const res = await call({ cookie }, "POST /api/v1/mcp-providers/{id}/tools/{tool}/call", { params: { id: p.id, tool: "whoami" }, body: { arguments: {} }, headers: { origin: ORIGIN } });
    expect(res.status).toBe(424);
    expect(res.json).toMatchObject({ code: "identity_required", detail: `Sign in with SSO again to use ${p.name}: it needs your SSO identity, and you have no SSO session.` });
    expect(f.whoami.authorizations).toEqual([]);
  });

  it("the IdP refuses the refresh: 'identity refused', and the server receives nothing", async () => {
    const p = await f.provider(admin, f.whoami.url);
    const alice = await f.ssoMember("alice-sub", admin.workspaceId);
    f.idp.setRefreshBehaviour("refuse");
    const res = await callWhoami(alice, p.id);
    expect(res.status).toBe(424);
    expect(res.json.code).toBe("identity_refused");
    expect(res.json.detail).toContain("Sign in with SSO again");
    expect(f.whoami.authorizations).toEqual([]);
  });

  it("the IdP refuses a token for one server it doesn't know: that call is refused, and the user's SSO session goes on for the others", async () => {
    const known = await f.provider(admin, f.whoami.url);
    const stranger = await startWhoamiServer({ issuer: f.idp.issuer });
    try {
      const unknown = await f.provider(admin, stranger.url);
      const alice = await f.ssoMember("alice-sub", admin.workspaceId);
      const refused = await callWhoami(alice, unknown.id);
      expect(refused.status).toBe(424);
      expect(refused.json.code).toBe("identity_refused");
      expect(stranger.authorizations).toEqual([]);
      // The refusal was for that server alone: alice's session still mints for the one the IdP knows.
      const answered = await callWhoami(alice, known.id);
      expect(answered.status, answered.text).toBe(200);
      expect(answered.json.content[0]).toMatchObject({ text: "alice-sub" });
    } finally {
      await stranger.stop();
    }
  });

  it("the IdP is slower than the issuer's timeout: 'identity unavailable', and the server receives nothing", async () => {
    const p = await f.provider(admin, f.whoami.url);
    const alice = await f.ssoMember("alice-sub", admin.workspaceId);
    f.idp.setRefreshBehaviour("slow", 3000);
    const res = await callWhoami(alice, p.id);
    expect(res.status).toBe(503);
    expect(res.json).toMatchObject({ code: "identity_unavailable", detail: containing("did not answer in time") });
    expect(f.whoami.authorizations).toEqual([]);
  });

  it("the IdP can't be reached: 'identity unavailable', and the server receives nothing", async () => {
    const p = await f.provider(admin, f.whoami.url);
    const alice = await f.ssoMember("alice-sub", admin.workspaceId);
    f.idp.setRefreshBehaviour("unreachable");
    const res = await callWhoami(alice, p.id);
    expect(res.status).toBe(503);
    expect(res.json).toMatchObject({ code: "identity_unavailable", detail: containing("unreachable") });
    expect(f.whoami.authorizations).toEqual([]);
  });

  it.each([
    ["a boolean", { token: "t", expires_at: true }],
    ["a string", { token: "t", expires_at: "1700000000" }],
    ["missing", { token: "t" }],
    ["in the past", { token: "t", expires_at: Math.floor(Date.now() / 1000) - 60 }],
    ["zero", { token: "t", expires_at: 0 }],
    ["negative", { token: "t", expires_at: -1 }],
  ])("the issuer returns expires_at %s: 'identity unavailable', and the server receives nothing", async (_label, body) => {
    const bad = http.createServer((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body)));
    const port = await listenOnFreePort(bad);
    try {
      setEnv({ ENTERPRISE_API_URL: `http://127.0.0.1:${port}`, ENTERPRISE_API_SECRET: INNER_SECRET });
      setTokenIssuerForTests(undefined);
      const p = await f.provider(admin, f.whoami.url);
      const alice = await f.ssoMember("alice-sub", admin.workspaceId);
      const res = await callWhoami(alice, p.id);
      expect(res.status).toBe(503);
      expect(res.json).toMatchObject({ code: "identity_unavailable", detail: matching(/malformed|already expired/) });
      expect(f.whoami.authorizations).toEqual([]);
    } finally {
      await new Promise((resolve) => bad.close(resolve));
    }
  });

  it("the MCP server rejects the forwarded token with 401: an error, never a retry with the static credential", async () => {
    const p = await f.provider(admin, f.strict.url);
    const alice = await f.ssoMember("alice-sub", admin.workspaceId);
    const res = await callWhoami(alice, p.id);
    expect(res.status).toBe(502);
    expect(res.json).toMatchObject({ code: "upstream_unauthorized", detail: containing("Nothing was retried with other credentials") });
    onlyUserTokens(f.strict, "alice-sub");
    expect(f.strict.authorizations).toHaveLength(1); // one attempt, no retry of any kind
  });

  it("a 401 on Refresh tools with forwarding: the user's error, the user's token only, and nothing marked for others", async () => {
    const p = await f.provider(admin, f.strict.url);
    const before = (await call(admin, "GET /api/v1/mcp-providers/{id}", { params: { id: p.id } })).json;
    const alice = await f.ssoMember("alice-sub", admin.workspaceId);
    const res = await call(alice, "POST /api/v1/mcp-providers/{id}/tools/refresh", { params: { id: p.id } });
    expect(res.status).toBe(502);
    expect(res.json.code).toBe("upstream_unauthorized");
    onlyUserTokens(f.strict, "alice-sub");
    expect(f.strict.authorizations).toHaveLength(1);
    const after = (await call(admin, "GET /api/v1/mcp-providers/{id}", { params: { id: p.id } })).json;
    expect(after).toMatchObject({ authed: before.authed, tools_fetched_at: before.tools_fetched_at });
    expect((await call(alice, "GET /api/v1/mcp-providers/{id}/tools", { params: { id: p.id } })).json).toMatchObject({ view: "yours", authed: false });
  });

  it("a 401 at discovery after create, with forwarding and an SSO admin: the admin's token only, once; the create stands", async () => {
    const ssoAdmin = await f.ssoMember("alice-sub", admin.workspaceId, "admin");
    const res = await call(ssoAdmin, "POST /api/v1/mcp-providers", {
      body: { name: `Strict ${Math.random().toString(36).slice(2, 8)}`, server_identifier: `s-${Math.random().toString(36).slice(2, 10)}`, server_url: f.strict.url, headers: { "X-Api-Key": "static-api-key" }, identity_mode: "idp_token" },
    });
    expect(res.status).toBe(201);
    await backgroundTasksSettled();
    onlyUserTokens(f.strict, "alice-sub");
    expect(f.strict.authorizations).toHaveLength(1);
    expect((await call(ssoAdmin, "GET /api/v1/mcp-providers/{id}", { params: { id: res.json.id } })).json).toMatchObject({ authed: false, tools_fetched_at: aString(), discovery: { status: "failed", failure: "unauthorized" } });
  });

  it("a 401 at discovery without forwarding stores authed=false and does not fail the create", async () => {
    const res = await call(admin, "POST /api/v1/mcp-providers", {
      body: { name: `Strict ${Math.random().toString(36).slice(2, 8)}`, server_identifier: `s-${Math.random().toString(36).slice(2, 10)}`, server_url: f.strict.url, identity_mode: "off" },
    });
    expect(res.status).toBe(201);
    await backgroundTasksSettled();
    expect((await call(admin, "GET /api/v1/mcp-providers/{id}", { params: { id: res.json.id } })).json).toMatchObject({
      authed: false,
      tools_fetched_at: aString(),
      discovery: { status: "failed", failure: "unauthorized", message: containing("refused the provider's credentials"), checked_at: aString() },
    });
    expect(f.strict.authorizations).toEqual([undefined]); // it had no credentials of its own to send
  });

  it("a warm session whose token the server starts refusing: an error, no retry with anything else, and the token is dropped", async () => {
    const p = await f.provider(admin, f.whoami.url);
    const alice = await f.ssoMember("alice-sub", admin.workspaceId);
    expect((await callWhoami(alice, p.id)).json.content[0].text).toBe("alice-sub"); // opens the warm session
    f.whoami.reset();
    f.whoami.setRefusing(true);
    const refused = await callWhoami(alice, p.id);
    expect(refused.status).toBe(502);
    expect(refused.json.code).toBe("upstream_unauthorized");
    expect(f.whoami.authorizations).toHaveLength(1); // one attempt on the warm session, nothing after it
    onlyUserTokens(f.whoami, "alice-sub");
    f.whoami.setRefusing(false);
    f.whoami.reset();
    const issuerCallsBefore = f.issuerCalls();
    expect((await callWhoami(alice, p.id)).json.content[0].text).toBe("alice-sub");
    expect(f.issuerCalls() - issuerCallsBefore).toBe(1); // the refused token was not reused
  });

  it("a legacy SSE server that refuses the user's token: the user's error, only their token sent, nothing retried with anything else", async () => {
    // No Streamable HTTP here (405 to POST): the console falls back to SSE, whose stream is refused.
    const seen: Pick<WhoamiServerLike, "authorizations" | "requests"> = { authorizations: [], requests: [] };
    const legacy = http.createServer((req, res) => {
      seen.authorizations.push(req.headers.authorization);
      seen.requests.push(req.headers);
      if (req.method === "POST") return void res.writeHead(405, { allow: "GET" }).end();
      res.writeHead(401, { "www-authenticate": 'Bearer error="invalid_token"' }).end();
    });
    const port = await listenOnFreePort(legacy);
    const url = `http://127.0.0.1:${port}/sse`;
    f.idp.allowResources([url]);
    try {
      const p = await f.provider(admin, url);
      const alice = await f.ssoMember("alice-sub", admin.workspaceId);
      seen.authorizations.splice(0);
      seen.requests.splice(0);
      const refused = await callWhoami(alice, p.id);
      expect(refused.status).toBe(502);
      expect(refused.json.code).toBe("upstream_unauthorized");
      expect(seen.requests.map((headers) => headers.accept?.includes("text/event-stream"))).toContain(true); // it did try SSE
      onlyUserTokens(seen, "alice-sub");
    } finally {
      await new Promise((resolve) => legacy.close(resolve));
    }
  });

  it("enterprise disabled with a stored idp_token mode: the issuer is never called and the static headers are used", async () => {
    const p = await f.provider(admin, f.whoami.url);
    const alice = await f.ssoMember("alice-sub", admin.workspaceId);
    setEnv({ ENTERPRISE_ENABLED: "false" });
    const grantsBefore = f.idp.refreshGrants();
    const res = await callWhoami(alice, p.id);
    expect(res.status, res.text).toBe(200);
    expect(res.json.content[0].text).toBe("static");
    expect(f.issuerCalls()).toBe(0);
    expect(f.idp.refreshGrants()).toBe(grantsBefore);
    expect(f.whoami.authorizations.every((header) => header === STATIC)).toBe(true);
  });

  it("forwarding drops the provider's credential headers and keeps the others", async () => {
    const p = await f.provider(admin, f.whoami.url);
    const alice = await f.ssoMember("alice-sub", admin.workspaceId);
    expect((await callWhoami(alice, p.id)).status).toBe(200);
    onlyUserTokens(f.whoami, "alice-sub"); // no static Authorization, no X-Api-Key
    expect(f.whoami.requests.length).toBeGreaterThan(0);
    expect(f.whoami.requests.every((headers) => headers["x-tenant"] === "acme")).toBe(true);
  });

  it("forwarding leaves the URL's credential parameters behind and keeps the others", async () => {
    const p = await f.provider(admin, `${f.whoami.url}?tenant=acme&api_key=shared-key-in-url`);
    const alice = await f.ssoMember("alice-sub", admin.workspaceId);
    expect((await callWhoami(alice, p.id)).json.content[0].text).toBe("alice-sub");
    expect(f.whoami.urls.length).toBeGreaterThan(0);
    for (const url of f.whoami.urls) expect(url).toBe("/mcp?tenant=acme");
    // Without forwarding the URL is the provider's own.
    await call(admin, "PATCH /api/v1/mcp-providers/{id}", { params: { id: p.id }, body: { identity_mode: "off" } });
    f.whoami.reset();
    await callWhoami(alice, p.id);
    expect(f.whoami.urls[0]).toBe("/mcp?tenant=acme&api_key=shared-key-in-url");
  });

  it("headers stored before today's rules are read without the refused ones, which go at the next write", async () => {
    const p = await f.provider(admin, f.whoami.url, "off");
    const { secrets } = await import("@/lib/crypto");
    const { env: config } = await import("@/lib/env");
    const legacy = { Authorization: STATIC, "Mcp-Session-Id": "everyone-in-one-session", "X-Tenant": "acme" };
    // As an earlier version left it: the encrypted headers only, no masked columns yet.
    await db().mcpProvider.update({ where: { id: p.id }, data: { headersEncrypted: secrets(config().encryptionKey).encrypt(JSON.stringify(legacy)), headersMasked: null, serverUrlMasked: null } });
    expect(await backfillMaskedColumns()).toBeGreaterThanOrEqual(1);
    expect(Object.keys((await call(admin, "GET /api/v1/mcp-providers/{id}", { params: { id: p.id } })).json.headers)).toEqual(["Authorization", "X-Tenant"]);
    const alice = await f.ssoMember("alice-sub", admin.workspaceId);
    expect((await callWhoami(alice, p.id)).json.content[0].text).toBe("static");
    expect(f.whoami.requests.some((headers) => headers["mcp-session-id"] === "everyone-in-one-session")).toBe(false);
    expect((await call(admin, "PATCH /api/v1/mcp-providers/{id}", { params: { id: p.id }, body: { name: `${p.name} renamed` } })).status).toBe(200);
  });

  it("a stored identity mode this version doesn't know fails closed: reported as unsupported, no call, no static credential", async () => {
    const p = await f.provider(admin, f.whoami.url);
    await db().mcpProvider.update({ where: { id: p.id }, data: { identityMode: "id_jag_v9" } });
    const alice = await f.ssoMember("alice-sub", admin.workspaceId);
    const read = await call(admin, "GET /api/v1/mcp-providers/{id}", { params: { id: p.id } });
    expect(read.json).toMatchObject({ identity_mode: "unsupported", identity_forwarding_active: true });
    expect((await call(admin, "PATCH /api/v1/mcp-providers/{id}", { params: { id: p.id }, body: {} })).status).toBe(200);
    expect((await call(admin, "PATCH /api/v1/mcp-providers/{id}", { params: { id: p.id }, body: { name: `${p.name} renamed` } })).status).toBe(200);
    expect((await db().mcpProvider.findUniqueOrThrow({ where: { id: p.id } })).identityMode).toBe("id_jag_v9");
    const res = await callWhoami(alice, p.id);
    expect(res.status).toBe(503);
    expect(res.json).toMatchObject({ code: "identity_unavailable", detail: containing("identity mode") });
    expect(f.whoami.authorizations).toEqual([]);
    expect(f.issuerCalls()).toBe(0);
    // An admin picks a mode, and it works again.
    expect((await call(admin, "PATCH /api/v1/mcp-providers/{id}", { params: { id: p.id }, body: { identity_mode: "idp_token" } })).json.identity_mode).toBe("idp_token");
    expect((await callWhoami(alice, p.id)).json.content[0].text).toBe("alice-sub");
  });
});
