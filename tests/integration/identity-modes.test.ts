// token_exchange (RFC 8693 and Entra on-behalf-of) and id_jag (Enterprise-Managed Authorization)
// end to end against real parts: oidc-provider as the SSO provider with the exchange grants, a
// second oidc-provider as the MCP server's own authorization server redeeming ID-JAGs, and MCP
// servers that accept only tokens for themselves from one issuer and record each caller. Each mode
// through the REST tool call and the gateway's relay; each fault fails closed with the user's
// message, and the server's record shows no credential that isn't the user's.
import http from "node:http";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { preflightCredential } from "@/lib/credentials/preflight";
import { decodeJwt, SignJWT } from "jose";
import { secrets } from "@/lib/crypto";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { clearTokenCacheForTests } from "@/lib/identity/token-cache";
import { BuiltinIssuer } from "@/lib/identity/builtin-issuer";
import { RemoteIssuer } from "@/lib/identity/remote-issuer";
import { startMcpAuthServer, type McpAuthServer } from "../../e2e/support/mcp-auth-server";
import { ACCESS_TOKEN_TYPE, ID_TOKEN_TYPE, JWT_BEARER_GRANT, TOKEN_EXCHANGE_GRANT } from "../../e2e/support/oauth-urns";
import { listenOnFreePort } from "../../e2e/support/ports";
import type { IdJagFault } from "../../e2e/support/test-idp";
import { startWhoamiServer, type WhoamiServer } from "../../e2e/support/whoami-server";
import { connectGateway } from "./gateway-client";
import { call, type Actor } from "./helpers";
import { containing, like } from "@/tests/support/matchers";
import { callWhoami, createActor, INNER_SECRET, onlyUserTokens, setEnv, STATIC, startIdentityFixture, type IdentityFixture } from "./identity-fixture";

/** How the MCP server's authorization server knows the console (the IdP maps its client to this one in ID-JAGs). */
const CONSOLE_AT_AS = { client_id: "console-at-guarded-as", client_secret: "console-at-guarded-as-secret" };

let f: IdentityFixture;
let as: McpAuthServer;
/** Accepts only its own authorization server's tokens for itself: reachable only through an ID-JAG. */
let guarded: WhoamiServer;
/** Publishes no metadata at all: no authorization server to redeem an ID-JAG at. */
let bare: { url: string; requests: string[]; stop: () => Promise<void> };
let admin: Actor & { email: string };
let alice: Actor;
// The IdP and the authorization server keep every request they saw: each test counts from its start.
let exchangesBefore = 0;
let grantsBefore = 0;
const exchanges = (kind?: Parameters<IdentityFixture["idp"]["exchanges"]>[0]) => f.idp.exchanges().slice(exchangesBefore).filter((exchange) => !kind || exchange.kind === kind);
const grants = () => as.grants().slice(grantsBefore);

beforeAll(async () => {
  f = await startIdentityFixture({ exchanges: ["token_exchange", "on_behalf_of", "id_jag"] });
  as = await startMcpAuthServer({ trustedIssuer: f.idp.issuer, clients: [CONSOLE_AT_AS], resources: [] });
  guarded = await startWhoamiServer({ issuer: as.issuer });
  as.allowResources([guarded.url]);
  f.idp.allowResources([guarded.url]);
  f.idp.allowIdJagAudience(as.issuer, { "mcp-console": CONSOLE_AT_AS.client_id });
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    res.writeHead(404).end();
  });
  bare = { url: `http://127.0.0.1:${await listenOnFreePort(server)}/mcp`, requests, stop: () => new Promise((resolve) => { server.close(() => { resolve(); }); }) };
});

afterAll(async () => {
  await Promise.all([guarded.stop(), bare.stop(), as.stop()]);
  await f.stop();
});

beforeEach(async () => {
  f.reset();
  guarded.reset();
  as.setRefusal(undefined);
  bare.requests.splice(0);
  admin = await createActor("admin");
  alice = await f.ssoMember("alice-sub", admin.workspaceId);
  exchangesBefore = f.idp.exchanges().length;
  grantsBefore = as.grants().length;
});

type Mode = { identity_mode: "token_exchange" | "id_jag"; identity_settings?: Record<string, string> };

const EXCHANGE: Mode = { identity_mode: "token_exchange" };
const EXCHANGE_ID_TOKEN: Mode = { identity_mode: "token_exchange", identity_settings: { subject_token_type: "id_token" } };
const ON_BEHALF_OF = (server: string): Mode => ({ identity_mode: "token_exchange", identity_settings: { profile: "entra_obo", scope: `api://${server.replace(/^http:\/\//, "")}/.default` } });
const ID_JAG: Mode = { identity_mode: "id_jag", identity_settings: { client_id: CONSOLE_AT_AS.client_id, client_secret: CONSOLE_AT_AS.client_secret } };

/** A provider with a static Authorization and API key that must never reach the server, in one of the modes. */
async function provider(serverUrl: string, mode: Mode) {
  const created = await f.provider(admin, serverUrl, mode.identity_mode, mode.identity_settings);
  guarded.reset();
  bare.requests.splice(0);
  exchangesBefore = f.idp.exchanges().length;
  grantsBefore = as.grants().length;
  return created;
}

async function relayCall(actor: Actor, identifier: string): Promise<CallToolResult> {
  const client = await connectGateway(actor.token, `/mcp/${identifier}`);
  try {
    return (await client.callTool({ name: "whoami", arguments: {} })) as CallToolResult;
  } finally {
    await client.close();
  }
}

const textOf = (result: CallToolResult) => (result.content[0] as { text: string }).text;

describe("token_exchange", () => {
  it.each([
    ["RFC 8693 of the user's access token", () => EXCHANGE, ACCESS_TOKEN_TYPE],
    ["RFC 8693 of the user's ID token", () => EXCHANGE_ID_TOKEN, ID_TOKEN_TYPE],
  ])("%s: REST and the relay reach the server with the user's token for that server, and nothing else", async (_what, mode, subjectType) => {
    const p = await provider(f.whoami.url, mode());
    const rest = await callWhoami(alice, p.id);
    expect(rest.json).toMatchObject({ is_error: false, content: [{ type: "text", text: "alice-sub" }] });
    expect(textOf(await relayCall(alice, p.server_identifier))).toBe("alice-sub");
    onlyUserTokens(f.whoami, "alice-sub");
    for (const claims of f.whoami.claims) expect(claims).toMatchObject({ iss: f.idp.issuer, sub: "alice-sub", aud: f.whoami.url });
    for (const headers of f.whoami.requests) expect(headers["x-tenant"]).toBe("acme");
    // One exchange, asked the way RFC 8693 says, for this server; the token was cached for the relay's calls.
    expect(exchanges("token_exchange")).toEqual([
      like({ grantType: TOKEN_EXCHANGE_GRANT, clientId: "mcp-console", audience: [f.whoami.url], resource: [f.whoami.url], subjectTokenType: subjectType, requestedTokenType: ACCESS_TOKEN_TYPE }),
    ]);
  });

  it("entra_obo: an on-behalf-of grant for the server's scope reaches the server as the user", async () => {
    const p = await provider(f.whoami.url, ON_BEHALF_OF(f.whoami.url));
    expect((await callWhoami(alice, p.id)).json.content[0].text).toBe("alice-sub");
    expect(textOf(await relayCall(alice, p.server_identifier))).toBe("alice-sub");
    onlyUserTokens(f.whoami, "alice-sub");
    expect(exchanges("on_behalf_of")).toEqual([
      like({ grantType: JWT_BEARER_GRANT, clientId: "mcp-console", requestedTokenUse: "on_behalf_of", scope: ON_BEHALF_OF(f.whoami.url).identity_settings?.scope }),
    ]);
  });

  it("entra_obo: with OIDC_API_SCOPE set, the user's token is refreshed for the console's own API first (the only assertion Entra takes)", async () => {
    setEnv({ OIDC_API_SCOPE: "openid profile" });
    try {
      const before = f.idp.refreshScopes().length;
      const p = await provider(f.whoami.url, ON_BEHALF_OF(f.whoami.url));
      expect((await callWhoami(alice, p.id)).json.content[0].text).toBe("alice-sub");
      expect(f.idp.refreshScopes().slice(before)).toEqual(["openid profile"]);
    } finally {
      setEnv({ OIDC_API_SCOPE: undefined });
    }
  });

  it("through a remote issuer (the SPEC §5 contract): the client passes what the mode needs, and the same token reaches the server", async () => {
    setEnv({ ENTERPRISE_API_URL: f.innerUrl, ENTERPRISE_API_SECRET: INNER_SECRET });
    f.useCountingIssuer(() => new RemoteIssuer(f.innerUrl, INNER_SECRET, 5000));
    const p = await provider(f.whoami.url, EXCHANGE_ID_TOKEN);
    expect((await callWhoami(alice, p.id)).json.content[0].text).toBe("alice-sub");
    onlyUserTokens(f.whoami, "alice-sub");
    expect(exchanges("token_exchange")).toEqual([like({ resource: [f.whoami.url], subjectTokenType: ID_TOKEN_TYPE })]);
  });
});

describe("id_jag", () => {
  it("REST and the relay: an ID-JAG from the IdP, redeemed at the server's authorization server, and only that server's token for the user reaches it", async () => {
    const p = await provider(guarded.url, ID_JAG);
    expect((await callWhoami(alice, p.id)).json).toMatchObject({ is_error: false, content: [{ text: "alice-sub" }] });
    expect(textOf(await relayCall(alice, p.server_identifier))).toBe("alice-sub");
    onlyUserTokens(guarded, "alice-sub");
    for (const claims of guarded.claims) expect(claims).toMatchObject({ iss: as.issuer, sub: "alice-sub", aud: guarded.url });
    expect(exchanges("id_jag")).toEqual([like({ clientId: "mcp-console", audience: [as.issuer], resource: [guarded.url], subjectTokenType: ID_TOKEN_TYPE })]);
    // Redeemed once, by the client registered for the console there; the access token served both paths.
    expect(grants()).toEqual([like({ clientId: CONSOLE_AT_AS.client_id, outcome: "issued", header: like({ typ: "oauth-id-jag+jwt" }) })]);
  });

  it("discovery, Test connection and the workspace endpoint (/mcp) carry the user's token too", async () => {
    const p = await provider(guarded.url, ID_JAG);
    const ssoAdmin = await f.ssoMember("bob-sub", admin.workspaceId, "admin");
    const refreshed = await call(alice, "POST /api/v1/mcp-providers/{id}/tools/refresh", { params: { id: p.id } });
    expect(refreshed.status, refreshed.text).toBe(200);
    expect(refreshed.json.data.map((tool: { name: string }) => tool.name)).toContain("whoami");
    const checked = await call(ssoAdmin, "POST /api/v1/mcp-providers/{id}/check", { params: { id: p.id }, body: {} });
    expect(checked.json).toMatchObject({ ok: true, failure: null });
    const client = await connectGateway(alice.token, "/mcp");
    try {
      expect(textOf((await client.callTool({ name: `${p.server_identifier}__whoami`, arguments: {} })) as CallToolResult)).toBe("alice-sub");
    } finally {
      await client.close();
    }
    expect(new Set(guarded.claims.map((claims) => claims.sub))).toEqual(new Set(["alice-sub", "bob-sub"]));
    for (const claims of guarded.claims) expect(claims).toMatchObject({ iss: as.issuer, aud: guarded.url });
    for (const header of guarded.authorizations) expect(header).not.toBe(STATIC);
  });

  it("exchanges the ID token of the user's sign-in while it lasts (SEP-990), with no refresh; an expired one is replaced from a refresh", async () => {
    const p = await provider(guarded.url, ID_JAG);
    const refreshesBefore = f.idp.refreshGrants();
    expect((await callWhoami(alice, p.id)).json.content[0].text).toBe("alice-sub");
    expect(f.idp.refreshGrants()).toBe(refreshesBefore);
    expect(exchanges("id_jag")).toEqual([like({ subjectTokenType: ID_TOKEN_TYPE })]);

    // The sign-in was long ago: its ID token has expired.
    const box = secrets(env().encryptionKey);
    const expired = await new SignJWT({ sub: "alice-sub" }).setProtectedHeader({ alg: "HS256" }).setExpirationTime(Math.floor(Date.now() / 1000) - 60).sign(new Uint8Array(32));
    const account = await db().ssoAccount.findFirstOrThrow({ where: { userId: alice.userId } });
    await db().ssoAccount.update({ where: { id: account.id }, data: { idTokenEncrypted: box.encrypt(expired) } });
    clearTokenCacheForTests();
    expect((await callWhoami(alice, p.id)).json.content[0].text).toBe("alice-sub");
    expect(f.idp.refreshGrants()).toBe(refreshesBefore + 1);
    expect(exchanges("id_jag")).toHaveLength(2);
    // The refresh's ID token is kept for the next exchanges.
    const kept = box.decrypt((await db().ssoAccount.findUniqueOrThrow({ where: { id: account.id } })).idTokenEncrypted ?? "");
    expect(decodeJwt(kept)).toMatchObject({ iss: f.idp.issuer, sub: "alice-sub" });
  });

  it("through a remote issuer: the ID-JAG comes over the contract, the console redeems it", async () => {
    setEnv({ ENTERPRISE_API_URL: f.innerUrl, ENTERPRISE_API_SECRET: INNER_SECRET });
    f.useCountingIssuer(() => new RemoteIssuer(f.innerUrl, INNER_SECRET, 5000));
    const p = await provider(guarded.url, ID_JAG);
    expect((await callWhoami(alice, p.id)).json.content[0].text).toBe("alice-sub");
    onlyUserTokens(guarded, "alice-sub");
    expect(grants().map((grant) => grant.outcome)).toEqual(["issued"]);
  });

  it("a preflight shows the strategy, the audience and the claims the next call would carry, and nothing reaches the server", async () => {
    const p = await provider(guarded.url, ID_JAG);
    const row = await db().mcpProvider.findUniqueOrThrow({ where: { id: p.id } });
    const preflight = await preflightCredential(row, alice);
    expect(preflight).toMatchObject({ strategy: "id_jag", audience: guarded.url, error: null, claims: { iss: as.issuer, sub: "alice-sub", aud: guarded.url } });
    expect(JSON.stringify(preflight)).not.toMatch(/eyJ/);
    expect(guarded.authorizations).toEqual([]);
    const local = await createActor("member", admin.workspaceId);
    expect(await preflightCredential(row, local)).toMatchObject({ strategy: "id_jag", claims: null, error: { code: "identity_required", message: containing("Sign in with SSO again") } });
  });
});

describe("faults fail closed, with the user's message, and nothing but the user's token reaches the server", () => {
  async function refusedBoth(p: { id: string; server_identifier: string }, status: number, code: string, words: string) {
    const rest = await callWhoami(alice, p.id);
    expect([rest.status, rest.json.code], rest.text).toEqual([status, code]);
    expect(rest.json.detail).toContain(words);
    const relayed = await relayCall(alice, p.server_identifier);
    expect(relayed.isError).toBe(true);
    expect(textOf(relayed)).toBe(rest.json.detail);
  }

  it.each([
    ["token exchange", () => EXCHANGE, "token_exchange" as const],
    ["on-behalf-of", () => ON_BEHALF_OF(f.whoami.url), "on_behalf_of" as const],
  ])("the IdP refuses the %s: identity_refused, and the server receives nothing", async (_what, mode, kind) => {
    const p = await provider(f.whoami.url, mode());
    f.idp.setExchangeRefusal(kind, "access_denied");
    await refusedBoth(p, 424, "identity_refused", "refused to exchange your sign-in");
    expect(f.whoami.authorizations).toEqual([]);
  });

  it("the IdP refuses the ID-JAG: identity_refused, and neither the authorization server nor the server hears from the console", async () => {
    const p = await provider(guarded.url, ID_JAG);
    f.idp.setExchangeRefusal("id_jag", "access_denied");
    await refusedBoth(p, 424, "identity_refused", "refused to exchange your sign-in");
    expect(grants()).toEqual([]);
    expect(guarded.authorizations).toEqual([]);
  });

  it.each<[string, IdJagFault | undefined]>([
    ["refuses the assertion", undefined],
    ["gets an expired ID-JAG", "expired"],
    ["gets an ID-JAG that isn't typed as one", "wrong_typ"],
    ["gets an ID-JAG for another client", "wrong_client"],
    ["gets an ID-JAG signed with a foreign key", "foreign_key"],
  ])("the server's authorization server %s: identity_refused, the server receives nothing", async (_what, fault) => {
    const p = await provider(guarded.url, ID_JAG);
    if (fault) f.idp.setIdJagFault(fault);
    else as.setRefusal("invalid_grant");
    await refusedBoth(p, 424, "identity_refused", "authorization server refused your identity assertion (it answered invalid_grant)");
    expect(grants().every((grant) => grant.outcome === "invalid_grant")).toBe(true);
    expect(guarded.authorizations).toEqual([]);
  });

  it("the server names no authorization server: identity_unavailable saying so, and no MCP request reaches it", async () => {
    const p = await provider(bare.url, ID_JAG);
    await refusedBoth(p, 503, "identity_unavailable", "publishes no OAuth protected-resource metadata");
    expect(bare.requests.every((request) => request.startsWith("GET /.well-known/"))).toBe(true);
    expect(exchanges("id_jag")).toEqual([]);
  });

  it.each([
    ["token_exchange", () => ({ mode: EXCHANGE, server: f.whoami })],
    ["id_jag", () => ({ mode: ID_JAG, server: guarded })],
  ])("%s for a user with no SSO session: Sign in with SSO again, and the server receives nothing", async (_mode, setup) => {
    const { mode, server } = setup();
    const p = await provider(server.url, mode);
    const local = await createActor("member", admin.workspaceId);
    const rest = await callWhoami(local, p.id);
    expect([rest.status, rest.json.code]).toEqual([424, "identity_required"]);
    expect(rest.json.detail).toContain("Sign in with SSO again");
    expect(server.authorizations).toEqual([]);
  });

  it("the server refuses the exchanged token: upstream_unauthorized, never retried with the provider's credentials", async () => {
    const p = await provider(f.whoami.url, EXCHANGE);
    f.whoami.setRefusing(true);
    const rest = await callWhoami(alice, p.id);
    expect([rest.status, rest.json.code]).toEqual([502, "upstream_unauthorized"]);
    expect(rest.json.detail).toContain("refused your identity token");
    expect(f.whoami.authorizations.length).toBeGreaterThan(0);
    for (const header of f.whoami.authorizations) expect(header).not.toBe(STATIC);
    for (const headers of f.whoami.requests) expect(headers["x-api-key"]).toBeUndefined();
  });
});

describe("the provider's identity settings", () => {
  it("keep the id_jag client's secret encrypted at rest and masked in every response", async () => {
    const p = await provider(guarded.url, ID_JAG);
    const shown = await call(admin, "GET /api/v1/mcp-providers/{id}", { params: { id: p.id } });
    expect(shown.json.identity_settings).toEqual({ subject_token_type: null, profile: null, scope: null, client_id: CONSOLE_AT_AS.client_id, client_secret: "co******et" });
    expect(shown.text).not.toContain(CONSOLE_AT_AS.client_secret);
    const row = await db().mcpProvider.findUniqueOrThrow({ where: { id: p.id } });
    expect(JSON.stringify(row)).not.toContain(CONSOLE_AT_AS.client_secret);
    const patched = await call(admin, "PATCH /api/v1/mcp-providers/{id}", { params: { id: p.id }, body: { identity_settings: { subject_token_type: "access_token" } } });
    expect(patched.json.identity_settings).toMatchObject({ subject_token_type: "access_token", client_id: CONSOLE_AT_AS.client_id, client_secret: "co******et" });
  });

  it("the built-in issuer refuses a mode's grant for a non-member before asking the IdP", async () => {
    const outsider = await createActor("member");
    const error = await new BuiltinIssuer().issue({ userId: outsider.userId, workspaceId: admin.workspaceId, audience: f.whoami.url, mode: "token_exchange" }).catch((e: unknown) => e);
    expect(error).toMatchObject({ failure: "refused" });
    expect(exchanges()).toEqual([]);
  });
});
