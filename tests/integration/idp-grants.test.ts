// The identity-provider parts the token_exchange and id_jag modes run against, driven over HTTP the
// way the console drives them (form posts to token endpoints): the test IdP's RFC 8693 token
// exchange, Entra-style on-behalf-of and ID-JAG issuance; the MCP server's own authorization server
// redeeming ID-JAGs; and whoami servers accepting only their own issuer's tokens for themselves.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setTimeout as sleep } from "node:timers/promises";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from "jose";
import { startMcpAuthServer, type McpAuthServer } from "../../e2e/support/mcp-auth-server";
import { ACCESS_TOKEN_TYPE, ID_JAG_GRANT_PROFILE, ID_JAG_TOKEN_TYPE, ID_JAG_TYP, ID_TOKEN_TYPE, JWT_BEARER_GRANT, TOKEN_EXCHANGE_GRANT } from "../../e2e/support/oauth-urns";
import { ssoLogin } from "../../e2e/support/sso-login";
import { startTestIdp, type IdJagFault, type TestIdp } from "../../e2e/support/test-idp";
import { startWhoamiServer, type WhoamiServer } from "../../e2e/support/whoami-server";
import { aNumber, aString, containing, including, like, matching } from "@/tests/support/matchers";

const CONSOLE = { client_id: "mcp-console", client_secret: "console-secret", redirect_uris: ["http://127.0.0.1:3000/api/auth/callback/oidc"] };
const OTHER_APP = { client_id: "other-app", client_secret: "other-app-secret", redirect_uris: ["http://127.0.0.1:3001/callback"] };
/** How the MCP server's authorization server knows the console. */
const CONSOLE_AT_AS = { client_id: "console-at-whoami-as", client_secret: "console-at-whoami-as-secret" };
const ALICE = { sub: "alice-sub", email: "alice@idp.test", name: "Alice", password: "alice-pw" };

type ClientCredentials = { client_id: string; client_secret: string };
type Tokens = { access_token: string; id_token: string; refresh_token: string };

let idp: TestIdp;
let as: McpAuthServer;
/** Trusts the IdP's tokens. */
let whoami: WhoamiServer;
/** Trusts only its authorization server's tokens; `neighbour` is another server of that authorization server. */
let guarded: WhoamiServer;
let neighbour: WhoamiServer;
let alice: Tokens;

beforeAll(async () => {
  idp = await startTestIdp({ users: [ALICE], clients: [CONSOLE, OTHER_APP], resources: [], exchanges: ["token_exchange", "on_behalf_of", "id_jag"] });
  as = await startMcpAuthServer({ trustedIssuer: idp.issuer, clients: [CONSOLE_AT_AS], resources: [] });
  whoami = await startWhoamiServer({ issuer: idp.issuer });
  guarded = await startWhoamiServer({ issuer: as.issuer });
  neighbour = await startWhoamiServer({ issuer: as.issuer });
  idp.allowResources([whoami.url, guarded.url]);
  as.allowResources([guarded.url, neighbour.url]);
  idp.allowIdJagAudience(as.issuer, { [CONSOLE.client_id]: CONSOLE_AT_AS.client_id });
  alice = await signIn(idp, CONSOLE);
});

afterAll(async () => {
  await Promise.all([whoami.stop(), guarded.stop(), neighbour.stop()]);
  await as.stop();
  await idp.stop();
});

describe("RFC 8693 token exchange at the IdP", () => {
  it("exchanges the user's access token or ID token for a JWT access token bound to one MCP server, which that server accepts", async () => {
    for (const [subjectToken, subjectTokenType] of [[alice.access_token, ACCESS_TOKEN_TYPE], [alice.id_token, ID_TOKEN_TYPE]]) {
      const res = await tokenRequest(idp.issuer, CONSOLE, { grant_type: TOKEN_EXCHANGE_GRANT, subject_token: subjectToken, subject_token_type: subjectTokenType, resource: whoami.url });
      expect(res.body).toMatchObject({ issued_token_type: ACCESS_TOKEN_TYPE, token_type: "Bearer", expires_in: aNumber() });
      expect(decodeJwt(String(res.body.access_token))).toMatchObject({ iss: idp.issuer, sub: ALICE.sub, aud: whoami.url, client_id: CONSOLE.client_id });
      expect(await whoamiAs(whoami, String(res.body.access_token))).toBe(ALICE.sub);
    }
    expect(idp.exchanges("token_exchange").slice(-2)).toEqual([
      like({ grantType: TOKEN_EXCHANGE_GRANT, clientId: CONSOLE.client_id, resource: [whoami.url], audience: [], subjectTokenType: ACCESS_TOKEN_TYPE, requestedTokenType: undefined }),
      like({ subjectTokenType: ID_TOKEN_TYPE }),
    ]);
  });

  it("exchanges the tokens a refresh grant returns, as the console gets fresh ones", async () => {
    const refreshed = await tokenRequest(idp.issuer, CONSOLE, { grant_type: "refresh_token", refresh_token: alice.refresh_token });
    expect(refreshed.status, JSON.stringify(refreshed.body)).toBe(200);
    alice = { ...alice, ...(refreshed.body as Partial<Tokens>) };
    expect(decodeJwt(await exchange(alice.access_token, ACCESS_TOKEN_TYPE, whoami.url)).sub).toBe(ALICE.sub);
    expect(decodeJwt(await exchange(alice.id_token, ID_TOKEN_TYPE, whoami.url)).sub).toBe(ALICE.sub);
  });

  it("takes the server from audience as well as resource, as long as both name the same one", async () => {
    const byAudience = await tokenRequest(idp.issuer, CONSOLE, { grant_type: TOKEN_EXCHANGE_GRANT, subject_token: alice.id_token, subject_token_type: ID_TOKEN_TYPE, audience: whoami.url, requested_token_type: ACCESS_TOKEN_TYPE });
    expect(decodeJwt(String(byAudience.body.access_token)).aud).toBe(whoami.url);
    const both = await tokenRequest(idp.issuer, CONSOLE, { grant_type: TOKEN_EXCHANGE_GRANT, subject_token: alice.id_token, subject_token_type: ID_TOKEN_TYPE, audience: guarded.url, resource: whoami.url });
    expect(both).toMatchObject({ status: 400, body: { error: "invalid_target" } });
  });

  it("refuses a server it does not issue tokens for", async () => {
    const res = await tokenRequest(idp.issuer, CONSOLE, { grant_type: TOKEN_EXCHANGE_GRANT, subject_token: alice.id_token, subject_token_type: ID_TOKEN_TYPE, resource: neighbour.url });
    expect(res).toMatchObject({ status: 400, body: { error: "invalid_target" } });
  });

  it("refuses subject tokens that are unknown, another client's, or not what their type says", async () => {
    const elsewhere = await signIn(idp, OTHER_APP);
    const forWhoami = await exchange(alice.id_token, ID_TOKEN_TYPE, whoami.url);
    for (const [subjectToken, subjectTokenType, why] of <[string, string, RegExp][]>[
      ["not-a-token-this-idp-issued", ACCESS_TOKEN_TYPE, /unknown/],
      [elsewhere.id_token, ID_TOKEN_TYPE, /another client/],
      [elsewhere.access_token, ACCESS_TOKEN_TYPE, /another client/],
      [forWhoami, ID_TOKEN_TYPE, /another client/],
      [alice.id_token, ACCESS_TOKEN_TYPE, /typ/],
    ]) {
      const res = await tokenRequest(idp.issuer, CONSOLE, { grant_type: TOKEN_EXCHANGE_GRANT, subject_token: subjectToken, subject_token_type: subjectTokenType, resource: whoami.url });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: "invalid_grant", error_description: matching(why) });
    }
    const saml = await tokenRequest(idp.issuer, CONSOLE, { grant_type: TOKEN_EXCHANGE_GRANT, subject_token: alice.id_token, subject_token_type: "urn:ietf:params:oauth:token-type:saml2", resource: whoami.url });
    expect(saml.body.error).toBe("invalid_request");
  });

  it("refuses a client that fails authentication, and exchanges its policy refuses", async () => {
    const wrongSecret = await tokenRequest(idp.issuer, { ...CONSOLE, client_secret: "wrong" }, { grant_type: TOKEN_EXCHANGE_GRANT, subject_token: alice.id_token, subject_token_type: ID_TOKEN_TYPE, resource: whoami.url });
    expect(wrongSecret).toMatchObject({ status: 401, body: { error: "invalid_client" } });
    idp.setExchangeRefusal("token_exchange", "invalid_grant");
    try {
      const refused = await tokenRequest(idp.issuer, CONSOLE, { grant_type: TOKEN_EXCHANGE_GRANT, subject_token: alice.id_token, subject_token_type: ID_TOKEN_TYPE, resource: whoami.url });
      expect(refused.body).toMatchObject({ error: "invalid_grant", error_description: containing("policy") });
      // Only the kind named is refused.
      expect((await tokenRequest(idp.issuer, CONSOLE, idJagRequest(alice.id_token))).status).toBe(200);
    } finally {
      idp.setExchangeRefusal("token_exchange", undefined);
    }
  });

  it("refuses expired subject tokens", async () => {
    const brief = await startTestIdp({ users: [ALICE], clients: [CONSOLE], resources: [], exchanges: ["token_exchange"], accessTokenTtlSeconds: 1, idTokenTtlSeconds: 1 });
    try {
      brief.allowResources([whoami.url]);
      const tokens = await signIn(brief, CONSOLE);
      // A token valid elsewhere is foreign here: signed by another IdP.
      const foreign = await tokenRequest(idp.issuer, CONSOLE, { grant_type: TOKEN_EXCHANGE_GRANT, subject_token: tokens.id_token, subject_token_type: ID_TOKEN_TYPE, resource: whoami.url });
      expect(foreign.body).toMatchObject({ error: "invalid_grant" });
      await sleep(2_100);
      for (const [subjectToken, subjectTokenType] of [[tokens.access_token, ACCESS_TOKEN_TYPE], [tokens.id_token, ID_TOKEN_TYPE]]) {
        const res = await tokenRequest(brief.issuer, CONSOLE, { grant_type: TOKEN_EXCHANGE_GRANT, subject_token: subjectToken, subject_token_type: subjectTokenType, resource: whoami.url });
        expect(res).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
      }
    } finally {
      await brief.stop();
    }
  });
});

describe("Entra on-behalf-of at the IdP", () => {
  const obo = (assertion: string, scope: string, use = "on_behalf_of") => tokenRequest(idp.issuer, CONSOLE, { grant_type: JWT_BEARER_GRANT, requested_token_use: use, assertion, scope });

  it("mints an access token for the server an api:// or URL scope names", async () => {
    for (const scope of [`api://${whoami.url.replace("http://", "")}/.default`, `${whoami.url}/.default`, whoami.url]) {
      const res = await obo(alice.access_token, scope);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ token_type: "Bearer", scope: "mcp", expires_in: aNumber() });
      expect(decodeJwt(String(res.body.access_token))).toMatchObject({ sub: ALICE.sub, aud: whoami.url });
      expect(await whoamiAs(whoami, String(res.body.access_token))).toBe(ALICE.sub);
    }
    expect(idp.exchanges("on_behalf_of").at(-1)).toMatchObject({ grantType: JWT_BEARER_GRANT, requestedTokenUse: "on_behalf_of", scope: whoami.url, clientId: CONSOLE.client_id });
  });

  it("refuses an ID token as the assertion, a missing on_behalf_of, and scopes naming no single known server", async () => {
    expect((await obo(alice.id_token, `${whoami.url}/.default`)).body).toMatchObject({ error: "invalid_grant" });
    expect((await obo(alice.access_token, `${whoami.url}/.default`, "")).body).toMatchObject({ error: "invalid_request" });
    expect((await obo(alice.access_token, "api://unknown.example/.default")).body).toMatchObject({ error: "invalid_scope" });
    expect((await obo(alice.access_token, `${whoami.url}/.default ${guarded.url}/.default`)).body).toMatchObject({ error: "invalid_scope" });
  });

  it("is refused while its policy says so", async () => {
    idp.setExchangeRefusal("on_behalf_of", "invalid_grant");
    try {
      expect((await obo(alice.access_token, `${whoami.url}/.default`)).body).toMatchObject({ error: "invalid_grant", error_description: containing("policy") });
    } finally {
      idp.setExchangeRefusal("on_behalf_of", undefined);
    }
  });
});

describe("ID-JAG issuance at the IdP", () => {
  it("issues a signed, explicitly typed, short-lived ID-JAG naming the authorization server, the resource and the console's client there", async () => {
    const res = await tokenRequest(idp.issuer, CONSOLE, { ...idJagRequest(alice.id_token), scope: "mcp" });
    expect(res.body).toMatchObject({ issued_token_type: ID_JAG_TOKEN_TYPE, token_type: "N_A", scope: "mcp", expires_in: aNumber() });
    const jag = String(res.body.access_token);
    expect(decodeProtectedHeader(jag).typ).toBe(ID_JAG_TYP);
    const { payload } = await jwtVerify(jag, createRemoteJWKSet(new URL(`${idp.issuer}/jwks`)), { issuer: idp.issuer, audience: as.issuer });
    expect(payload).toMatchObject({ sub: ALICE.sub, email: ALICE.email, resource: guarded.url, client_id: CONSOLE_AT_AS.client_id, scope: "mcp", jti: aString() });
    expect(Number(payload.exp) - Number(payload.iat)).toBeLessThanOrEqual(300);
    expect(idp.exchanges("id_jag").at(-1)).toMatchObject({ audience: [as.issuer], resource: [guarded.url], requestedTokenType: ID_JAG_TOKEN_TYPE, subjectTokenType: ID_TOKEN_TYPE });
    const metadata = (await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(metadata).toMatchObject({ identity_chaining_requested_token_types_supported: [ID_JAG_TOKEN_TYPE], grant_types_supported: including([TOKEN_EXCHANGE_GRANT, JWT_BEARER_GRANT]) });
  });

  it("refuses an authorization server or a resource it does not know", async () => {
    expect((await tokenRequest(idp.issuer, CONSOLE, { ...idJagRequest(alice.id_token), audience: "https://unknown-as.example" })).body).toMatchObject({ error: "invalid_target" });
    expect((await tokenRequest(idp.issuer, CONSOLE, { ...idJagRequest(alice.id_token), resource: neighbour.url })).body).toMatchObject({ error: "invalid_target" });
  });
});

describe("the MCP server's authorization server", () => {
  it("is found from the MCP server's RFC 9728 metadata and advertises the ID-JAG grant profile", async () => {
    const resource = (await (await fetch(`${new URL(guarded.url).origin}/.well-known/oauth-protected-resource/mcp`)).json()) as Record<string, unknown>;
    expect(resource).toMatchObject({ resource: guarded.url, authorization_servers: [as.issuer] });
    const metadata = (await (await fetch(`${as.issuer}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
    expect(metadata).toMatchObject({ issuer: as.issuer, token_endpoint: `${as.issuer}/token`, grant_types_supported: including([JWT_BEARER_GRANT]), authorization_grant_profiles_supported: [ID_JAG_GRANT_PROFILE] });
  });

  it("redeems an ID-JAG once for an access token its server accepts and other servers refuse", async () => {
    const jag = await idJag();
    const res = await tokenRequest(as.issuer, CONSOLE_AT_AS, { grant_type: JWT_BEARER_GRANT, assertion: jag });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ token_type: "Bearer", expires_in: aNumber() });
    const token = String(res.body.access_token);
    expect(decodeJwt(token)).toMatchObject({ iss: as.issuer, sub: ALICE.sub, aud: guarded.url, client_id: CONSOLE_AT_AS.client_id });
    expect(await whoamiAs(guarded, token)).toBe(ALICE.sub);
    expect(guarded.claims.at(-1)).toMatchObject({ iss: as.issuer, sub: ALICE.sub, aud: guarded.url });

    await expect(whoamiAs(neighbour, token)).rejects.toMatchObject({ code: 401 });
    // The IdP's own token for the same server is not from the server's issuer.
    await expect(whoamiAs(guarded, await exchange(alice.id_token, ID_TOKEN_TYPE, guarded.url))).rejects.toMatchObject({ code: 401 });

    const replayed = await tokenRequest(as.issuer, CONSOLE_AT_AS, { grant_type: JWT_BEARER_GRANT, assertion: jag });
    expect(replayed.body).toMatchObject({ error: "invalid_grant", error_description: containing("already used") });
    expect(as.grants().slice(-2)).toEqual([
      like({ clientId: CONSOLE_AT_AS.client_id, header: like({ typ: ID_JAG_TYP }), claims: like({ sub: ALICE.sub }), outcome: "issued" }),
      like({ outcome: "invalid_grant" }),
    ]);
  });

  it("narrows the ID-JAG's scope to the scopes it knows", async () => {
    const jag = await tokenRequest(idp.issuer, CONSOLE, { ...idJagRequest(alice.id_token), scope: "mcp admin" });
    const res = await tokenRequest(as.issuer, CONSOLE_AT_AS, { grant_type: JWT_BEARER_GRANT, assertion: String(jag.body.access_token) });
    expect(res.body).toMatchObject({ scope: "mcp" });
    expect(decodeJwt(String(res.body.access_token)).scope).toBe("mcp");
  });

  it.each<[IdJagFault, RegExp]>([
    ["wrong_typ", /typ/],
    ["expired", /exp/],
    ["wrong_audience", /aud/],
    ["wrong_resource", /resource/],
    ["wrong_client", /another client/],
    ["unsigned", /alg/],
    ["foreign_key", /signature/],
  ])("refuses an ID-JAG with fault %s", async (fault, why) => {
    idp.setIdJagFault(fault);
    try {
      const res = await tokenRequest(as.issuer, CONSOLE_AT_AS, { grant_type: JWT_BEARER_GRANT, assertion: await idJag() });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: "invalid_grant", error_description: matching(why) });
      expect(as.grants().at(-1)?.outcome).toBe("invalid_grant");
    } finally {
      idp.setIdJagFault(undefined);
    }
  });

  it("refuses a client that fails authentication, and assertions while told to", async () => {
    const wrongSecret = await tokenRequest(as.issuer, { ...CONSOLE_AT_AS, client_secret: "wrong" }, { grant_type: JWT_BEARER_GRANT, assertion: await idJag() });
    expect(wrongSecret).toMatchObject({ status: 401, body: { error: "invalid_client" } });
    as.setRefusal("invalid_grant");
    try {
      const refused = await tokenRequest(as.issuer, CONSOLE_AT_AS, { grant_type: JWT_BEARER_GRANT, assertion: await idJag() });
      expect(refused.body).toMatchObject({ error: "invalid_grant", error_description: containing("refuses") });
    } finally {
      as.setRefusal(undefined);
    }
  });
});

function idJagRequest(subjectToken: string) {
  return { grant_type: TOKEN_EXCHANGE_GRANT, requested_token_type: ID_JAG_TOKEN_TYPE, audience: as.issuer, resource: guarded.url, subject_token: subjectToken, subject_token_type: ID_TOKEN_TYPE };
}

async function idJag(): Promise<string> {
  const res = await tokenRequest(idp.issuer, CONSOLE, idJagRequest(alice.id_token));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return String(res.body.access_token);
}

async function exchange(subjectToken: string, subjectTokenType: string, resource: string): Promise<string> {
  const res = await tokenRequest(idp.issuer, CONSOLE, { grant_type: TOKEN_EXCHANGE_GRANT, subject_token: subjectToken, subject_token_type: subjectTokenType, resource });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return String(res.body.access_token);
}

function signIn(at: TestIdp, client: typeof CONSOLE): Promise<Tokens> {
  return ssoLogin({ issuer: at.issuer, clientId: client.client_id, clientSecret: client.client_secret, redirectUri: client.redirect_uris[0], loginHint: ALICE.sub });
}

/** A token endpoint request as a confidential client makes it: a form body, client_secret_basic. */
async function tokenRequest(issuer: string, client: ClientCredentials, form: Record<string, string>) {
  const res = await fetch(`${issuer}/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString("base64")}` },
    body: new URLSearchParams(form),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Calls the server's whoami tool with the token; what it answers is who the server thinks called. */
async function whoamiAs(server: WhoamiServer, token: string): Promise<string> {
  const client = new Client({ name: "idp-grants-test", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  try {
    const result = await client.callTool({ name: "whoami", arguments: {} });
    return String((result.structuredContent as { sub?: unknown } | undefined)?.sub);
  } finally {
    await client.close();
  }
}
