// Identity forwarding end to end, through the route handlers, against a real OpenID Provider
// (oidc-provider) and real MCP servers (the SDK). For every fault: the error the user sees, and —
// from what the MCP server recorded — proof that no non-user credential reached it.
import http from "node:http";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { linkSsoAccount } from "@/lib/auth/sso";
import { resetEnvForTests } from "@/lib/env";
import { captureLogsForTests } from "@/lib/log";
import { BuiltinIssuer } from "@/lib/identity/builtin-issuer";
import { clearTokenCacheForTests } from "@/lib/identity/token-cache";
import { setTokenIssuerForTests, type TokenIssuer } from "@/lib/identity/token-issuer";
import { callProviderTool } from "@/lib/providers/tools";
import { closeWarmSessionsForTests } from "@/lib/mcp/client";
import { POST as issueTokenRoute } from "@/app/inner/api/mcp/issue-token/route";
import { freePort } from "../../e2e/support/ports";
import { ssoLogin } from "../../e2e/support/sso-login";
import { startTestIdp, type TestIdp } from "../../e2e/support/test-idp";
import { startWhoamiServer, type WhoamiServer } from "../../e2e/support/whoami-server";
import { call, createActor, ORIGIN, sessionCookie, type Actor } from "./helpers";

const CLIENT = { client_id: "mcp-console", client_secret: "console-client-secret", redirect_uris: [`${ORIGIN}/api/auth/callback/oidc`] };
const STATIC = "Bearer static-shared-secret";

let idp: TestIdp;
let whoami: WhoamiServer;
let strict: WhoamiServer; // expects another audience: refuses every forwarded token with 401
let innerIssuer: http.Server;
let innerIssuerUrl: string;
let issuerCalls = 0;
let admin: Actor & { email: string };

const env = (overrides: Record<string, string | undefined>) => {
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  resetEnvForTests();
};

/** Counts every call the runtime makes to the issuer, whichever issuer is configured. */
function countingIssuer(inner: () => TokenIssuer): TokenIssuer {
  return { issue: (request) => { issuerCalls++; return inner().issue(request); } };
}

beforeAll(async () => {
  const [idpPort, whoamiPort, strictPort, innerPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const whoamiUrl = `http://127.0.0.1:${whoamiPort}/mcp`;
  const strictUrl = `http://127.0.0.1:${strictPort}/mcp`;
  idp = await startTestIdp({
    port: idpPort,
    clients: [CLIENT],
    users: [
      { sub: "alice-sub", email: "alice@sso.test", name: "Alice", password: "alice-pw" },
      { sub: "bob-sub", email: "bob@sso.test", name: "Bob", password: "bob-pw" },
    ],
    resources: [whoamiUrl, strictUrl],
  });
  whoami = await startWhoamiServer({ port: whoamiPort, issuer: idp.issuer, staticToken: "static-shared-secret" });
  strict = await startWhoamiServer({ port: strictPort, issuer: idp.issuer, audience: "https://some-other-server.example/mcp" });
  innerIssuerUrl = `http://127.0.0.1:${innerPort}`;
  innerIssuer = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const response = await issueTokenRoute(new Request(`${innerIssuerUrl}${req.url}`, { method: req.method, headers: req.headers as Record<string, string>, body: Buffer.concat(chunks) }));
    res.writeHead(response.status, { "content-type": "application/json" }).end(await response.text());
  });
  await new Promise<void>((resolve) => innerIssuer.listen(innerPort, "127.0.0.1", resolve));

  env({ ENTERPRISE_ENABLED: "true", OIDC_ISSUER: idp.issuer, OIDC_CLIENT_ID: CLIENT.client_id, OIDC_CLIENT_SECRET: CLIENT.client_secret });
});

afterAll(async () => {
  setTokenIssuerForTests(undefined);
  await Promise.all([whoami.stop(), strict.stop(), new Promise((resolve) => innerIssuer.close(resolve))]);
  await idp.stop().catch(() => undefined);
});

beforeEach(async () => {
  admin = await createActor("admin"); // a workspace of its own: providers here may reuse the servers' URLs
  env({ ENTERPRISE_ENABLED: "true", ENTERPRISE_API_URL: undefined, ENTERPRISE_API_SECRET: undefined });
  clearTokenCacheForTests();
  closeWarmSessionsForTests();
  idp.setRefreshBehaviour("normal");
  issuerCalls = 0;
  setTokenIssuerForTests(countingIssuer(() => new BuiltinIssuer(1500)));
  whoami.reset();
  strict.reset();
});

/** A workspace member who signed in with SSO at the IdP: their refresh token is stored. */
async function ssoMember(loginHint: "alice-sub" | "bob-sub", workspaceId: string): Promise<Actor> {
  const tokens = await ssoLogin({ issuer: idp.issuer, clientId: CLIENT.client_id, clientSecret: CLIENT.client_secret, redirectUri: CLIENT.redirect_uris[0], loginHint });
  const claims = decodeJwt(tokens.id_token);
  const member = await createActor("member", workspaceId);
  const userId = await linkSsoAccount({ issuer: idp.issuer, subject: String(claims.sub), email: `${loginHint}-${member.userId.slice(0, 6)}@sso.test`, name: loginHint, refreshToken: tokens.refresh_token });
  // linkSsoAccount created a user for this identity; give it the member's workspace and a token.
  const { db } = await import("@/lib/db");
  await db().membership.upsert({ where: { userId_workspaceId: { userId, workspaceId } }, update: {}, create: { userId, workspaceId, role: "member", createdAt: new Date() } });
  const { createApiToken } = await import("@/lib/auth/api-tokens");
  const { token } = await createApiToken({ userId, workspaceId, name: "sso" });
  return { token, userId, workspaceId };
}

async function provider(serverUrl: string, identityMode: "idp_token" | "off" = "idp_token") {
  const res = await call(admin, "POST", "/api/v1/mcp-providers", {
    body: {
      name: `Whoami ${Math.random().toString(36).slice(2, 8)}`,
      server_identifier: `w-${Math.random().toString(36).slice(2, 10)}`,
      server_url: serverUrl,
      headers: { Authorization: STATIC, "X-Tenant": "acme" },
      identity_mode: identityMode,
    },
  });
  expect(res.status, res.text).toBe(201);
  // Creating ran discovery as the admin; the tests count from here.
  whoami.reset();
  strict.reset();
  issuerCalls = 0;
  return res.json as { id: string; name: string };
}

const callWhoami = (actor: Partial<Actor>, id: string) => call(actor, "POST", `/api/v1/mcp-providers/${id}/tools/whoami/call`, { body: { arguments: {} } });

/** Only the user's own IdP tokens ever reached the server: never the static header, never nothing. */
function onlyUserTokens(server: WhoamiServer, sub: string) {
  expect(server.authorizations.length).toBeGreaterThan(0);
  for (const header of server.authorizations) {
    expect(header).not.toBe(STATIC);
    expect(header).toMatch(/^Bearer /);
    expect(decodeJwt(header!.slice(7)).sub).toBe(sub);
  }
}

describe("forwarding on: the happy path", () => {
  it("each user's call reaches the server with a token whose subject is that user and whose audience is the server", async () => {
    const p = await provider(whoami.url);
    const alice = await ssoMember("alice-sub", admin.workspaceId);
    const bob = await ssoMember("bob-sub", admin.workspaceId);

    const asAlice = await callWhoami(alice, p.id);
    expect(asAlice.status, asAlice.text).toBe(200);
    expect(asAlice.json).toMatchObject({ is_error: false, content: [{ type: "text", text: "alice-sub" }], structured_content: { sub: "alice-sub", aud: whoami.url, via: "jwt" } });
    onlyUserTokens(whoami, "alice-sub");

    whoami.reset();
    const asBob = await callWhoami(bob, p.id);
    expect(asBob.json.content[0].text).toBe("bob-sub");
    onlyUserTokens(whoami, "bob-sub");
  });

  it("caches a user's token until shortly before expiry: one issuer call for many calls, none shared across users", async () => {
    const p = await provider(whoami.url);
    const alice = await ssoMember("alice-sub", admin.workspaceId);
    const grantsBefore = idp.refreshGrants();
    for (let i = 0; i < 3; i++) expect((await callWhoami(alice, p.id)).json.content[0].text).toBe("alice-sub");
    expect(issuerCalls).toBe(1);
    expect(idp.refreshGrants() - grantsBefore).toBe(1);
    expect(new Set(whoami.authorizations).size).toBe(1); // the same cached token, on every request of every session

    const bob = await ssoMember("bob-sub", admin.workspaceId);
    expect((await callWhoami(bob, p.id)).json.content[0].text).toBe("bob-sub");
    expect(issuerCalls).toBe(2);
  });

  it("keeps a warm MCP session per user: repeated calls skip initialize, and users never share one", async () => {
    const p = await provider(whoami.url);
    const alice = await ssoMember("alice-sub", admin.workspaceId);
    const bob = await ssoMember("bob-sub", admin.workspaceId);
    for (let i = 0; i < 3; i++) expect((await callWhoami(alice, p.id)).json.content[0].text).toBe("alice-sub");
    expect(whoami.methods.filter((m) => m === "initialize")).toHaveLength(1);
    expect(whoami.methods.filter((m) => m === "tools/call")).toHaveLength(3);
    onlyUserTokens(whoami, "alice-sub");

    whoami.reset();
    expect((await callWhoami(bob, p.id)).json.content[0].text).toBe("bob-sub");
    expect(whoami.methods.filter((m) => m === "initialize")).toHaveLength(1); // bob's own session
    onlyUserTokens(whoami, "bob-sub");

    // Changing the provider (here: forwarding off) retires the warm sessions made under the old settings.
    whoami.reset();
    await call(admin, "PATCH", `/api/v1/mcp-providers/${p.id}`, { body: { identity_mode: "off" } });
    expect((await callWhoami(alice, p.id)).json.content[0].text).toBe("static");
    expect(whoami.authorizations.every((header) => header === STATIC)).toBe(true);
  });

  it("discovery runs as the caller: Refresh tools lists whoami", async () => {
    const p = await provider(whoami.url);
    const alice = await ssoMember("alice-sub", admin.workspaceId);
    const refreshed = await call(alice, "POST", `/api/v1/mcp-providers/${p.id}/tools/refresh`);
    expect(refreshed.status, refreshed.text).toBe(200);
    expect(refreshed.json).toMatchObject({ authed: true, tools_count: 1 });
    const tools = await call(alice, "GET", `/api/v1/mcp-providers/${p.id}/tools`);
    expect(tools.json.data).toEqual([expect.objectContaining({ name: "whoami", title: "Who am I?", input_schema: expect.objectContaining({ type: "object" }) })]);
    onlyUserTokens(whoami, "alice-sub");
  });

  it("the remote issuer client, against the console's real /inner route, gives the same result", async () => {
    env({ ENTERPRISE_API_URL: innerIssuerUrl, ENTERPRISE_API_SECRET: "inner-secret-123" });
    setTokenIssuerForTests(undefined);
    const p = await provider(whoami.url);
    const alice = await ssoMember("alice-sub", admin.workspaceId);
    const res = await callWhoami(alice, p.id);
    expect(res.status, res.text).toBe(200);
    expect(res.json.content[0].text).toBe("alice-sub");
    onlyUserTokens(whoami, "alice-sub");
  });
});

describe("the built-in issuer behind POST /inner/api/mcp/issue-token", () => {
  const issue = (body: object, secret = "inner-secret-123") =>
    issueTokenRoute(
      new Request(`${innerIssuerUrl}/inner/api/mcp/issue-token`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-inner-api-secret": secret },
        body: JSON.stringify(body),
      }),
    );

  beforeEach(() => env({ ENTERPRISE_API_SECRET: "inner-secret-123" }));

  it("mints an audience-bound token for the user and stores the rotated refresh token", async () => {
    const alice = await ssoMember("alice-sub", admin.workspaceId);
    const { db } = await import("@/lib/db");
    const before = (await db().ssoAccount.findFirstOrThrow({ where: { userId: alice.userId } })).refreshTokenEncrypted;
    const res = await issue({ user_id: alice.userId, workspace_id: admin.workspaceId, audience: whoami.url, mode: "idp_token" });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(Number.isInteger(body.expires_at)).toBe(true);
    expect(decodeJwt(body.token)).toMatchObject({ sub: "alice-sub", aud: whoami.url, iss: idp.issuer });
    const after = (await db().ssoAccount.findFirstOrThrow({ where: { userId: alice.userId } })).refreshTokenEncrypted;
    expect(after).not.toBe(before); // the IdP rotated it, and the new one was kept
    const again = await issue({ user_id: alice.userId, workspace_id: admin.workspaceId, audience: whoami.url, mode: "idp_token" });
    expect(again.status).toBe(200); // …and it works: the old one would have been refused as reused
  });

  it.each([
    ["no refresh token", 428],
    ["the IdP refuses the refresh (invalid_grant)", 401],
    ["a user outside the workspace (policy)", 403],
    ["a wrong shared secret", 401],
    ["a malformed body", 400],
  ] as const)("answers %s with %i", async (scenario, status) => {
    const alice = await ssoMember("alice-sub", admin.workspaceId);
    const local = await createActor("member", admin.workspaceId);
    const outsider = await createActor("member");
    const body = { workspace_id: admin.workspaceId, audience: whoami.url, mode: "idp_token" };
    let res: Response;
    if (scenario === "no refresh token") res = await issue({ ...body, user_id: local.userId });
    else if (scenario === "the IdP refuses the refresh (invalid_grant)") {
      idp.setRefreshBehaviour("refuse");
      res = await issue({ ...body, user_id: alice.userId });
    } else if (scenario === "a user outside the workspace (policy)") res = await issue({ ...body, user_id: outsider.userId });
    else if (scenario === "a wrong shared secret") res = await issue({ ...body, user_id: alice.userId }, "wrong-secret");
    else res = await issue({ ...body, user_id: alice.userId, audience: "not a url", extra: 1 });
    expect(res.status).toBe(status);
  });

  it("does not exist without enterprise or without a shared secret", async () => {
    env({ ENTERPRISE_ENABLED: "false" });
    expect((await issue({ user_id: "u", workspace_id: "w", audience: whoami.url, mode: "idp_token" })).status).toBe(404);
    env({ ENTERPRISE_ENABLED: "true", ENTERPRISE_API_SECRET: undefined });
    expect((await issue({ user_id: "u", workspace_id: "w", audience: whoami.url, mode: "idp_token" })).status).toBe(404);
  });
});

describe("secrets never reach logs or responses (canary)", () => {
  it("header values, client secrets, refresh tokens and minted tokens appear in no log line and no response", async () => {
    const lines: string[] = [];
    const stop = captureLogsForTests((line) => lines.push(line));
    const responses: string[] = [];
    try {
      const canary = `CANARY${Date.now()}`;
      const created = await call(admin, "POST", "/api/v1/mcp-providers", {
        body: {
          name: `Canary ${canary.slice(-6)}`,
          server_identifier: `c-${canary.slice(-8)}`,
          server_url: `${whoami.url}`,
          headers: { "X-Api-Key": `${canary}-header`, Authorization: `Bearer ${canary}-static` },
          authentication: { client_id: "canary-client", client_secret: `${canary}-client-secret` },
          identity_mode: "idp_token",
        },
      });
      responses.push(created.text);
      const alice = await ssoMember("alice-sub", admin.workspaceId);
      const account = await (await import("@/lib/db")).db().ssoAccount.findFirstOrThrow({ where: { user: { memberships: { some: { workspaceId: admin.workspaceId } } }, subject: "alice-sub" }, orderBy: { updatedAt: "desc" } });
      const { secrets } = await import("@/lib/crypto");
      const { env: config } = await import("@/lib/env");
      const refreshTokenBefore = secrets(config().encryptionKey).decrypt(account.refreshTokenEncrypted!);

      for (const [method, path, body] of [
        ["GET", `/api/v1/mcp-providers/${created.json.id}`],
        ["GET", "/api/v1/mcp-providers"],
        ["POST", `/api/v1/mcp-providers/${created.json.id}/tools/refresh`],
        ["POST", `/api/v1/mcp-providers/${created.json.id}/tools/whoami/call`, { arguments: {} }],
        ["PATCH", `/api/v1/mcp-providers/${created.json.id}`, { headers: { "X-Api-Key": `${canary}-rotated` } }],
        ["PATCH", `/api/v1/mcp-providers/${created.json.id}`, { server_url: "not a url" }],
      ] as const) {
        const res = await call(method === "PATCH" ? admin : alice, method, path, body ? { body } : {});
        responses.push(res.text);
      }
      idp.setRefreshBehaviour("refuse");
      clearTokenCacheForTests();
      responses.push((await callWhoami(alice, created.json.id)).text);

      const minted = whoami.authorizations.filter((header): header is string => Boolean(header)).map((header) => header.slice(7));
      expect(minted.length).toBeGreaterThan(0);
      const refreshTokenAfter = secrets(config().encryptionKey).decrypt(
        (await (await import("@/lib/db")).db().ssoAccount.findUniqueOrThrow({ where: { id: account.id } })).refreshTokenEncrypted!,
      );
      const secretValues = [canary, refreshTokenBefore, refreshTokenAfter, ...minted];
      const everything = [...lines, ...responses].join("\n");
      expect(lines.length).toBeGreaterThan(5); // the logs are really captured
      expect(everything).toContain("canary-client"); // and the responses really are in there
      for (const secret of secretValues) expect(everything).not.toContain(secret);
      for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
      expect(lines.some((line) => JSON.parse(line).requestId)).toBe(true);
    } finally {
      stop();
    }
  });
});

describe("forwarding on: the fault matrix", () => {
  it("no user: fails before any network I/O", async () => {
    const p = await provider(whoami.url);
    const grantsBefore = idp.refreshGrants();
    await expect(callProviderTool({ workspaceId: admin.workspaceId, id: p.id, tool: "whoami", args: {}, user: undefined })).rejects.toMatchObject({
      code: "identity_required",
      detail: expect.stringContaining("has no end user"),
    });
    expect(issuerCalls).toBe(0);
    expect(idp.refreshGrants()).toBe(grantsBefore);
    expect(whoami.authorizations).toEqual([]);
  });

  it("a locally signed-in user with no SSO session: 'sign in with SSO again', and the server receives nothing", async () => {
    const p = await provider(whoami.url);
    const local = await createActor("member", admin.workspaceId);
    const cookie = await sessionCookie(local.userId);
    const res = await call({ cookie }, "POST", `/api/v1/mcp-providers/${p.id}/tools/whoami/call`, { body: { arguments: {} }, headers: { origin: ORIGIN } });
    expect(res.status).toBe(424);
    expect(res.json).toMatchObject({ code: "identity_required", detail: `Sign in with SSO again to use ${p.name}: it needs your SSO identity, and you have no SSO session.` });
    expect(whoami.authorizations).toEqual([]);
  });

  it("the IdP refuses the refresh: 'identity refused', and the server receives nothing", async () => {
    const p = await provider(whoami.url);
    const alice = await ssoMember("alice-sub", admin.workspaceId);
    idp.setRefreshBehaviour("refuse");
    const res = await callWhoami(alice, p.id);
    expect(res.status).toBe(424);
    expect(res.json.code).toBe("identity_refused");
    expect(res.json.detail).toContain("Sign in with SSO again");
    expect(whoami.authorizations).toEqual([]);
  });

  it("the IdP is slower than the issuer's timeout: 'identity unavailable', and the server receives nothing", async () => {
    const p = await provider(whoami.url);
    const alice = await ssoMember("alice-sub", admin.workspaceId);
    idp.setRefreshBehaviour("slow", 3000);
    const res = await callWhoami(alice, p.id);
    expect(res.status).toBe(503);
    expect(res.json).toMatchObject({ code: "identity_unavailable", detail: expect.stringContaining("did not answer in time") });
    expect(whoami.authorizations).toEqual([]);
  });

  it.each([
    ["a boolean", { token: "t", expires_at: true }],
    ["a string", { token: "t", expires_at: "1700000000" }],
    ["missing", { token: "t" }],
  ])("the issuer returns expires_at as %s: 'identity unavailable', and the server receives nothing", async (_label, body) => {
    const bad = http.createServer((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body)));
    const port = await freePort();
    await new Promise<void>((resolve) => bad.listen(port, "127.0.0.1", resolve));
    try {
      env({ ENTERPRISE_API_URL: `http://127.0.0.1:${port}`, ENTERPRISE_API_SECRET: "s" });
      setTokenIssuerForTests(undefined);
      const p = await provider(whoami.url);
      const alice = await ssoMember("alice-sub", admin.workspaceId);
      const res = await callWhoami(alice, p.id);
      expect(res.status).toBe(503);
      expect(res.json).toMatchObject({ code: "identity_unavailable", detail: expect.stringContaining("malformed") });
      expect(whoami.authorizations).toEqual([]);
    } finally {
      await new Promise((resolve) => bad.close(resolve));
    }
  });

  it("the MCP server rejects the forwarded token with 401: an error, never a retry with the static credential", async () => {
    const p = await provider(strict.url);
    const alice = await ssoMember("alice-sub", admin.workspaceId);
    const res = await callWhoami(alice, p.id);
    expect(res.status).toBe(502);
    expect(res.json).toMatchObject({ code: "upstream_unauthorized", detail: expect.stringContaining("Nothing was retried with other credentials") });
    onlyUserTokens(strict, "alice-sub");
    expect(strict.authorizations).toHaveLength(1); // one attempt, no retry of any kind
  });

  it("a 401 at discovery stores authed=false and does not fail the create", async () => {
    const res = await call(admin, "POST", "/api/v1/mcp-providers", {
      body: { name: `Strict ${Date.now()}`, server_identifier: `s-${Date.now().toString(36)}`, server_url: strict.url, identity_mode: "off" },
    });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ authed: false, tools_fetched_at: expect.any(String) });
    expect(strict.authorizations).toEqual([undefined]); // it had no credentials of its own to send
  });

  it("enterprise disabled with a stored idp_token mode: the issuer is never called and the static header is used", async () => {
    const p = await provider(whoami.url);
    const alice = await ssoMember("alice-sub", admin.workspaceId);
    env({ ENTERPRISE_ENABLED: "false" });
    const grantsBefore = idp.refreshGrants();
    const res = await callWhoami(alice, p.id);
    expect(res.status, res.text).toBe(200);
    expect(res.json.content[0].text).toBe("static");
    expect(issuerCalls).toBe(0);
    expect(idp.refreshGrants()).toBe(grantsBefore);
    expect(whoami.authorizations.every((header) => header === STATIC)).toBe(true);
  });

  it("forwarding keeps the provider's other headers and replaces only Authorization", async () => {
    const p = await provider(whoami.url);
    const alice = await ssoMember("alice-sub", admin.workspaceId);
    expect((await callWhoami(alice, p.id)).status).toBe(200);
    onlyUserTokens(whoami, "alice-sub");
    expect(whoami.requests.length).toBeGreaterThan(0);
    expect(whoami.requests.every((headers) => headers["x-tenant"] === "acme")).toBe(true);
  });

  it("the IdP is down: 'identity unavailable', and the server receives nothing (runs last: it stops the IdP)", async () => {
    const p = await provider(whoami.url);
    const alice = await ssoMember("alice-sub", admin.workspaceId);
    await idp.stop();
    const res = await callWhoami(alice, p.id);
    expect(res.status).toBe(503);
    expect(res.json.code).toBe("identity_unavailable");
    expect(whoami.authorizations).toEqual([]);
  });
});
