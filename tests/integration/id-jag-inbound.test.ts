// Enterprise-managed authorization, inbound (SPEC §10): an agent platform signed in to the same SSO
// provider as the console gets an ID-JAG for the console from that provider (the test IdP, RFC 8693
// token exchange), redeems it at the console's own authorization server (an RFC 7523 jwt-bearer
// grant) and calls the gateway as the user — no consent screen — once a workspace admin allows it.
// All over HTTP against real parts: the test IdP, the console's authorization server on a socket,
// the gateway, a real MCP server behind a provider, this database.
import { randomUUID } from "node:crypto";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { flushToolCalls } from "@/lib/activity/tool-calls";
import { createApiToken } from "@/lib/auth/api-tokens";
import { linkSsoAccount } from "@/lib/auth/sso";
import { db } from "@/lib/db";
import { pruneExpiredOAuthRecords } from "@/lib/oauth/adapter";
import { startEverythingServer } from "../../e2e/support/everything-server";
import { ID_JAG_GRANT_PROFILE, ID_JAG_TOKEN_TYPE, ID_TOKEN_TYPE, JWT_BEARER_GRANT, TOKEN_EXCHANGE_GRANT } from "../../e2e/support/oauth-urns";
import { ssoLogin } from "../../e2e/support/sso-login";
import { startTestIdp, type IdJagFault, type TestIdp } from "../../e2e/support/test-idp";
import { setEnv } from "./identity-fixture";
import { call, createActor, fromAddress, ORIGIN, type Actor } from "./helpers";
import { consoleFetch, startOAuthHttp, stopOAuthHttp } from "./oauth-console";

const CONSOLE_AT_IDP = { client_id: "mcp-console", client_secret: "console-secret", redirect_uris: [`${ORIGIN}/api/auth/callback/oidc`] };
/** The agent platform as the IdP knows it (its SSO client there). */
const AGENT_AT_IDP = { client_id: "agent-platform", client_secret: "agent-platform-secret", redirect_uris: ["http://127.0.0.1:9/agent/callback"] };
const ISSUER = `${ORIGIN}/oidc`;
const tag = randomUUID().slice(0, 8);
const USERS = {
  alice: { sub: `alice-${tag}`, email: `alice-${tag}@corp.test`, name: "Alice", password: "pw" },
  // Known to the IdP, never signed in to the console.
  bob: { sub: `bob-${tag}`, email: `bob-${tag}@corp.test`, name: "Bob", password: "pw" },
  // Signed in to the console once, but not a member of the workspace that allows the agent.
  carol: { sub: `carol-${tag}`, email: `carol-${tag}@corp.test`, name: "Carol", password: "pw" },
};

type Registered = { client_id: string; client_secret?: string };
type TokenAnswer = { status: number; body: Record<string, unknown> };

let idp: TestIdp;
let everything: Awaited<ReturnType<typeof startEverythingServer>>;
let admin: Actor;
let alice: Actor;
let identifier: string;
/** The agent platform at the console: a confidential client registered there. */
let agent: Registered;
let idTokens: Record<keyof typeof USERS, string>;

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString("base64")}`;

async function form(url: string, body: Record<string, string>, authorization?: string): Promise<TokenAnswer> {
  const fetcher = url.startsWith(ORIGIN) ? consoleFetch() : fetch;
  const res = await fetcher(url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...(authorization ? { authorization } : {}) },
    body: new URLSearchParams(body),
  });
  return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, unknown> };
}

async function register(metadata: Record<string, unknown>): Promise<Registered> {
  const res = await consoleFetch()(`${ISSUER}/reg`, {
    method: "POST",
    headers: { "content-type": "application/json", ...fromAddress(`192.0.2.${Math.floor(Math.random() * 200) + 20}`) },
    body: JSON.stringify({ client_name: "Acme agent platform", grant_types: [JWT_BEARER_GRANT], response_types: [], redirect_uris: [], ...metadata }),
  });
  const body = (await res.json()) as Registered;
  expect(res.status, JSON.stringify(body)).toBe(201);
  return body;
}

/** What the agent platform does at the IdP: exchange the user's ID token for an ID-JAG for the console. */
async function idJagFor(user: keyof typeof USERS, resource = `${ORIGIN}/mcp`): Promise<string> {
  const res = await form(`${idp.issuer}/token`, {
    grant_type: TOKEN_EXCHANGE_GRANT,
    requested_token_type: ID_JAG_TOKEN_TYPE,
    subject_token: idTokens[user],
    subject_token_type: ID_TOKEN_TYPE,
    audience: ISSUER,
    resource,
  }, basic(AGENT_AT_IDP.client_id, AGENT_AT_IDP.client_secret));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return String(res.body.access_token);
}

/** What the agent platform does at the console: redeem the ID-JAG (RFC 7523), authenticated as its client there. */
function redeem(assertion: string, client: Registered = agent, extra: Record<string, string> = {}): Promise<TokenAnswer> {
  return form(`${ISSUER}/token`, { grant_type: JWT_BEARER_GRANT, assertion, ...extra }, client.client_secret ? basic(client.client_id, client.client_secret) : undefined);
}

function initialize(path: string, accessToken: string) {
  return consoleFetch()(new URL(path, ORIGIN), {
    method: "POST",
    headers: { authorization: `Bearer ${accessToken}`, "content-type": "application/json", accept: "application/json, text/event-stream" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "agent", version: "1" } } }),
  });
}

async function callEcho(path: string, accessToken: string, name: string) {
  const res = await consoleFetch()(new URL(path, ORIGIN), {
    method: "POST",
    headers: { authorization: `Bearer ${accessToken}`, "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": "2025-11-25" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name, arguments: { message: "from the agent" } } }),
  });
  return { status: res.status, text: await res.text() };
}

const allow = (actor: Actor, enabled: boolean, clientIds = [agent.client_id]) =>
  call(actor, "PATCH /api/v1/settings", { body: { enterprise_managed_authorization: { enabled, allowed_client_ids: clientIds } } });

async function linkSso(user: keyof typeof USERS): Promise<string> {
  const tokens = await ssoLogin({ issuer: idp.issuer, clientId: CONSOLE_AT_IDP.client_id, clientSecret: CONSOLE_AT_IDP.client_secret, redirectUri: CONSOLE_AT_IDP.redirect_uris[0], loginHint: USERS[user].sub });
  const claims = decodeJwt(tokens.id_token);
  const linked = await linkSsoAccount({ issuer: idp.issuer, subject: String(claims.sub), email: claims.email, emailVerified: claims.email_verified, name: USERS[user].name, refreshToken: tokens.refresh_token });
  if (!("userId" in linked)) throw new Error(`could not link ${user}: ${linked.refused}`);
  return linked.userId;
}

beforeAll(async () => {
  idp = await startTestIdp({ users: Object.values(USERS), clients: [CONSOLE_AT_IDP, AGENT_AT_IDP], resources: [], exchanges: ["id_jag"] });
  // Before the authorization server starts: a deployment with enterprise and SSO accepts ID-JAGs.
  setEnv({ ENTERPRISE_ENABLED: "true", OIDC_ISSUER: idp.issuer, OIDC_CLIENT_ID: CONSOLE_AT_IDP.client_id, OIDC_CLIENT_SECRET: CONSOLE_AT_IDP.client_secret });
  await startOAuthHttp();
  everything = await startEverythingServer();
  admin = await createActor("admin");
  identifier = `ema-${tag}`;
  const created = await call(admin, "POST /api/v1/mcp-providers", { body: { name: `Everything ${tag}`, server_identifier: identifier, server_url: everything.url } });
  expect(created.status, created.text).toBe(201);
  idp.allowResources([`${ORIGIN}/mcp`, `${ORIGIN}/mcp/${identifier}`]);

  // A first SSO sign-in joins the oldest workspace (lib/auth/sso.ts): whichever that is, alice is a
  // member of the admin's, carol is not.
  const aliceId = await linkSso("alice");
  const membership = { userId_workspaceId: { userId: aliceId, workspaceId: admin.workspaceId } };
  await db().membership.upsert({ where: membership, update: {}, create: { ...membership.userId_workspaceId, role: "member", createdAt: new Date() } });
  alice = { userId: aliceId, workspaceId: admin.workspaceId, token: (await createApiToken({ userId: aliceId, workspaceId: admin.workspaceId, name: "alice" })).token };
  await db().membership.deleteMany({ where: { userId: await linkSso("carol"), workspaceId: admin.workspaceId } });

  agent = await register({ token_endpoint_auth_method: "client_secret_basic" });
  // The IdP stamps the id the console knows the agent platform by into its ID-JAGs (mapped out of band).
  idp.allowIdJagAudience(ISSUER, { [AGENT_AT_IDP.client_id]: agent.client_id });
  const agentLogin = (user: keyof typeof USERS) =>
    ssoLogin({ issuer: idp.issuer, clientId: AGENT_AT_IDP.client_id, clientSecret: AGENT_AT_IDP.client_secret, redirectUri: AGENT_AT_IDP.redirect_uris[0], loginHint: USERS[user].sub }).then((t) => t.id_token);
  idTokens = { alice: await agentLogin("alice"), bob: await agentLogin("bob"), carol: await agentLogin("carol") };
}, 60_000);

afterAll(async () => {
  await everything.stop();
  await stopOAuthHttp();
  await idp.stop();
});

beforeEach(async () => {
  setEnv({ ENTERPRISE_ENABLED: "true" });
  idp.setIdJagFault(undefined);
  expect((await allow(admin, true)).status).toBe(200);
});

describe("the authorization server's metadata", () => {
  it("advertises the jwt-bearer grant and the ID-JAG grant profile", async () => {
    const res = await consoleFetch()(`${ORIGIN}/.well-known/oauth-authorization-server/oidc`);
    const metadata = (await res.json()) as { grant_types_supported: string[]; authorization_grant_profiles_supported?: string[] };
    expect(metadata.grant_types_supported).toContain(JWT_BEARER_GRANT);
    expect(metadata.authorization_grant_profiles_supported).toEqual([ID_JAG_GRANT_PROFILE]);
  });
});

describe("an ID-JAG from the SSO provider", () => {
  it("gets the agent platform a gateway token for the user, with no consent screen; the gateway acts as them and Connected apps shows it", async () => {
    const redeemed = await redeem(await idJagFor("alice"));
    expect(redeemed.status, JSON.stringify(redeemed.body)).toBe(200);
    expect(redeemed.body).toMatchObject({ token_type: "Bearer", scope: "mcp", expires_in: expect.any(Number) as number });
    expect(redeemed.body.refresh_token).toBeUndefined();
    const token = String(redeemed.body.access_token);

    const called = await callEcho("/mcp", token, `${identifier}__echo`);
    expect(called.status, called.text).toBe(200);
    expect(called.text).toContain("from the agent");
    await flushToolCalls();
    const record = await db().toolCall.findFirst({ where: { workspaceId: admin.workspaceId, tool: "echo" }, orderBy: { createdAt: "desc" } });
    expect(record).toMatchObject({ userId: alice.userId, via: "gateway" });
    // The token is for /mcp: every provider's endpoint takes it too, as with the authorization-code flow's.
    expect((await initialize(`/mcp/${identifier}`, token)).status).toBe(200);

    const apps = await call(alice, "GET /api/v1/connected-apps");
    const app = apps.json.data.find((entry) => entry.client_id === agent.client_id);
    expect(app).toMatchObject({ client_name: "Acme agent platform", source: "enterprise_idp", redirect_host: null, user: { id: alice.userId } });
  });

  it("binds the token to the resource the ID-JAG names, and adds later redemptions to the same connected app", async () => {
    const before = (await call(alice, "GET /api/v1/connected-apps")).json.data.filter((entry) => entry.client_id === agent.client_id).length;
    const redeemed = await redeem(await idJagFor("alice", `${ORIGIN}/mcp/${identifier}`));
    expect(redeemed.status, JSON.stringify(redeemed.body)).toBe(200);
    const token = String(redeemed.body.access_token);
    expect((await initialize(`/mcp/${identifier}`, token)).status).toBe(200);
    expect((await initialize("/mcp", token)).status).toBe(401);
    const after = (await call(alice, "GET /api/v1/connected-apps")).json.data.filter((entry) => entry.client_id === agent.client_id).length;
    expect(after).toBe(Math.max(before, 1));
  });

  it("revoking the connected app ends its token at once", async () => {
    const token = String((await redeem(await idJagFor("alice"))).body.access_token);
    expect((await initialize("/mcp", token)).status).toBe(200); // its caller is now cached on this instance
    const app = (await call(alice, "GET /api/v1/connected-apps")).json.data.find((entry) => entry.client_id === agent.client_id);
    expect((await call(alice, "DELETE /api/v1/connected-apps/{id}", { params: { id: app?.id ?? "" } })).status).toBe(204);
    expect((await initialize("/mcp", token)).status).toBe(401);
    expect((await call(alice, "GET /api/v1/connected-apps")).json.data.find((entry) => entry.client_id === agent.client_id)).toBeUndefined();
  });

  it("turning it off, or no longer allowing the client, ends the tokens it got at once", async () => {
    for (const disallow of [() => allow(admin, false), () => allow(admin, true, ["another-client"])]) {
      expect((await allow(admin, true)).status).toBe(200);
      const token = String((await redeem(await idJagFor("alice"))).body.access_token);
      expect((await initialize("/mcp", token)).status).toBe(200);
      expect((await disallow()).status).toBe(200);
      expect((await initialize("/mcp", token)).status).toBe(401);
      expect((await call(alice, "GET /api/v1/connected-apps")).json.data.find((entry) => entry.client_id === agent.client_id)).toBeUndefined();
    }
  });
});

describe("refusals: each an OAuth error (RFC 6749 §5.2) a developer can act on", () => {
  it("off for the workspace: unauthorized_client, saying an admin must turn it on", async () => {
    expect((await allow(admin, false)).status).toBe(200);
    const refused = await redeem(await idJagFor("alice"));
    expect(refused).toMatchObject({ status: 400, body: { error: "unauthorized_client" } });
    expect(refused.body.error_description).toMatch(/a workspace admin must turn it on and allow client_id/);
  });

  it("the client not among the allowed ones: unauthorized_client", async () => {
    expect((await allow(admin, true, ["another-client"])).status).toBe(200);
    expect((await redeem(await idJagFor("alice"))).body.error).toBe("unauthorized_client");
  });

  it("enterprise features off in the deployment: unauthorized_client naming ENTERPRISE_ENABLED", async () => {
    setEnv({ ENTERPRISE_ENABLED: "false" });
    const refused = await redeem(await idJagFor("alice"));
    expect(refused).toMatchObject({ status: 400, body: { error: "unauthorized_client" } });
    expect(refused.body.error_description).toMatch(/ENTERPRISE_ENABLED/);
  });

  it.each<[IdJagFault, string, RegExp]>([
    ["wrong_typ", "invalid_grant", /typ is jwt, not oauth-id-jag\+jwt/],
    ["expired", "invalid_grant", /has expired/],
    ["wrong_audience", "invalid_grant", /audience \(aud\) is not this authorization server/],
    ["wrong_resource", "invalid_target", /not an MCP endpoint of this console/],
    ["wrong_client", "invalid_grant", /issued to another client/],
    ["foreign_key", "invalid_grant", /signature doesn't verify/],
    ["unsigned", "invalid_grant", /algorithm the console doesn't accept|not a well-formed/],
  ])("a faulty ID-JAG (%s)", async (fault, error, description) => {
    idp.setIdJagFault(fault);
    const refused = await redeem(await idJagFor("alice"));
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe(error);
    expect(refused.body.error_description).toMatch(description);
  });

  it("a replayed ID-JAG (its jti is spent, in the database), until it is pruned after expiry", async () => {
    const assertion = await idJagFor("alice");
    expect((await redeem(assertion)).status).toBe(200);
    const replayed = await redeem(assertion);
    expect(replayed).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
    expect(replayed.body.error_description).toMatch(/already used \(jti\)/);
    const spent = await db().oAuthRecord.count({ where: { model: "IdJagJti" } });
    expect(spent).toBeGreaterThan(0);
    await pruneExpiredOAuthRecords(new Date(Date.now() + 3 * 3600 * 1000), 100_000);
    expect(await db().oAuthRecord.count({ where: { model: "IdJagJti", expiresAt: { lt: new Date(Date.now() + 3 * 3600 * 1000) } } })).toBe(0);
  });

  it("a user the console doesn't know (no linked SSO account), and one who isn't a member of the workspace", async () => {
    const unknown = await redeem(await idJagFor("bob"));
    expect(unknown).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
    expect(unknown.body.error_description).toMatch(/must sign in to the console with SSO once/);
    const outsider = await redeem(await idJagFor("carol"));
    expect(outsider).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
    expect(outsider.body.error_description).toMatch(/not a member of a workspace that allows this client/);
  });

  it("the identity provider unreachable: 503 temporarily_unavailable, worth retrying", async () => {
    const assertion = await idJagFor("alice");
    setEnv({ OIDC_ISSUER: "http://127.0.0.1:9" });
    try {
      const refused = await redeem(assertion);
      expect(refused).toMatchObject({ status: 503, body: { error: "temporarily_unavailable" } });
      expect(refused.body.error_description).toMatch(/try again shortly/);
    } finally {
      setEnv({ OIDC_ISSUER: idp.issuer });
    }
    expect((await redeem(assertion)).status).toBe(200);
  });

  it("a resource parameter that differs from the ID-JAG's, and a scope without mcp", async () => {
    expect((await redeem(await idJagFor("alice"), agent, { resource: `${ORIGIN}/mcp`, scope: "mcp" })).status).toBe(200);
    expect((await redeem(await idJagFor("alice"), agent, { resource: `${ORIGIN}/mcp/${identifier}` })).body.error).toBe("invalid_target");
    expect((await redeem(await idJagFor("alice"), agent, { scope: "admin" })).body.error).toBe("invalid_scope");
  });

  it("a public client, and a wrong client secret", async () => {
    const publicClient = await register({ token_endpoint_auth_method: "none" });
    expect((await allow(admin, true, [agent.client_id, publicClient.client_id])).status).toBe(200);
    const refused = await redeem(await idJagFor("alice"), publicClient, { client_id: publicClient.client_id });
    expect(refused.body.error).toBe("unauthorized_client");
    expect(refused.body.error_description).toMatch(/Only a confidential client/);
    expect((await redeem(await idJagFor("alice"), { ...agent, client_secret: "wrong" })).body.error).toBe("invalid_client");
  });

  it("malformed and oversized assertions: 4xx OAuth errors, never a 5xx", async () => {
    const garbage = ["", "x", "a.b.c", "eyJhbGciOiJub25lIn0.e30.", `${"eyJ".repeat(100)}.${"A".repeat(50)}.${"B".repeat(10)}`, "\u0000\u00ff\ud800", "a".repeat(9000), "{}", "...."];
    for (const assertion of garbage) {
      const refused = await redeem(assertion);
      expect(refused.status, assertion.slice(0, 20)).toBeGreaterThanOrEqual(400);
      expect(refused.status, assertion.slice(0, 20)).toBeLessThan(500);
      expect(typeof refused.body.error, assertion.slice(0, 20)).toBe("string");
    }
    const huge = await redeem("a".repeat(20_000));
    expect(huge.status).toBe(413);
    expect(huge.body.error).toBe("invalid_request");
  });
});

describe("the workspace setting", () => {
  it("is off by default, needs a client to go on, replaces the client list whole, and refuses unknown fields", async () => {
    const fresh = await createActor("admin");
    const initial = await call(fresh, "GET /api/v1/settings");
    expect(initial.json).toEqual({ enterprise_managed_authorization: { enabled: false, allowed_client_ids: [], active: false } });
    const empty = await call(fresh, "PATCH /api/v1/settings", { body: { enterprise_managed_authorization: { enabled: true } } });
    expect(empty.status).toBe(422);
    expect(JSON.stringify(empty.json)).toMatch(/Allow at least one OAuth client/);
    const on = await call(fresh, "PATCH /api/v1/settings", { body: { enterprise_managed_authorization: { enabled: true, allowed_client_ids: ["a", "b"] } } });
    expect(on.json).toEqual({ enterprise_managed_authorization: { enabled: true, allowed_client_ids: ["a", "b"], active: true } });
    const replaced = await call(fresh, "PATCH /api/v1/settings", { body: { enterprise_managed_authorization: { allowed_client_ids: ["c"] } } });
    expect(replaced.json.enterprise_managed_authorization).toMatchObject({ enabled: true, allowed_client_ids: ["c"] });
    expect((await call(fresh, "PATCH /api/v1/settings", { body: { enterprise_managed_authorization: { allowed_client_ids: ["c", "c"] } } })).status).toBe(422);
    expect((await call(fresh, "PATCH /api/v1/settings", { body: { other: true } })).status).toBe(422);
    // Stored either way, in effect only with enterprise on.
    setEnv({ ENTERPRISE_ENABLED: "false" });
    expect((await call(fresh, "GET /api/v1/settings")).json.enterprise_managed_authorization).toMatchObject({ enabled: true, active: false });
    const audit = await db().auditEvent.findMany({ where: { workspaceId: fresh.workspaceId, action: "workspace.settings_updated" } });
    expect(audit).toHaveLength(2);
  });
});
