// DPoP (RFC 9449) on upstream OAuth connections, against real parts: oidc-provider as the MCP
// server's authorization server (DPoP-bound JWT access tokens, `cnf.jkt`; one instance requiring its
// nonce), and SDK MCP servers that take only DPoP-bound tokens and check every request's proof
// (e2e/support/dpop-check.ts: signature, htm, htu, iat, jti, ath, cnf.jkt, nonce, content_digest).
// Through the REST tool call and the gateway's relay; the connection's key never leaves the console.
import { calculateJwkThumbprint, decodeJwt, type JWK } from "jose";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { closeWarmSessionsForTests } from "@/lib/mcp/client";
import { startTestIdp, type IdpUser, type TestIdp } from "../../e2e/support/test-idp";
import { startWhoamiServer, type WhoamiServer } from "../../e2e/support/whoami-server";
import { call, createActor, type Actor } from "./helpers";
import { gatewayRequest, messagesOf } from "./relay-fixture";
import { ageToken, connect, storedState } from "./upstream-connect";

const ALICE: IdpUser = { sub: "alice-at-dpop", email: "alice@dpop.test", name: "Alice", password: "alice-password" };
/** The console's own client at the authorization server, for a machine-to-machine provider. */
const MACHINE = { client_id: "console-machine", client_secret: "console-machine-secret" };

let idp: TestIdp;
let nonceIdp: TestIdp;
/** Takes only DPoP-bound tokens of `idp`. */
let bound: WhoamiServer;
/** Takes only DPoP-bound tokens of `nonceIdp`, with proofs carrying its own nonce. */
let withNonce: WhoamiServer;
/** Knows only Bearer, with the same DPoP-offering authorization server. */
let bearerOnly: WhoamiServer;
let admin: Actor;
let alice: Actor;

beforeAll(async () => {
  idp = await startTestIdp({ users: [ALICE], clients: [], resources: [], registration: true, accessTokenTtlSeconds: 600, machineClients: [MACHINE] });
  nonceIdp = await startTestIdp({ users: [ALICE], clients: [], resources: [], registration: true, dpop: { requireNonce: true } });
  bound = await startWhoamiServer({ issuer: idp.issuer, scopesSupported: ["mcp"], dpop: {} });
  bearerOnly = await startWhoamiServer({ issuer: idp.issuer, scopesSupported: ["mcp"] });
  withNonce = await startWhoamiServer({ issuer: nonceIdp.issuer, scopesSupported: ["mcp"], dpop: { nonce: true } });
  idp.allowResources([bound.url, bearerOnly.url]);
  nonceIdp.allowResources([withNonce.url]);
  admin = await createActor("admin");
  alice = await createActor("member", admin.workspaceId);
}, 60_000);

afterAll(async () => {
  await Promise.all([bound.stop(), bearerOnly.stop(), withNonce.stop()]);
  await Promise.all([idp.stop(), nonceIdp.stop()]);
});

beforeEach(() => {
  closeWarmSessionsForTests();
  for (const server of [bound, bearerOnly, withNonce]) server.reset();
});

async function connectedProvider(server: WhoamiServer, at: TestIdp) {
  const n = Math.random().toString(36).slice(2, 8);
  const created = await call(admin, "POST /api/v1/mcp-providers", {
    body: { name: `DPoP ${n}`, server_identifier: `dp-${n}`, server_url: `${server.url}?p=${n}`, authentication: { type: "oauth", connection: "per_user" } },
  });
  expect(created.status, created.text).toBe(201);
  const before = at.tokenRequests().length;
  await connect(created.json.id, alice, ALICE);
  // What Connect's probe (with no token) left: each test counts the calls it makes.
  server.reset();
  return { provider: created.json as { id: string; server_identifier: string }, tokenRequests: () => at.tokenRequests().slice(before) };
}

async function whoami(providerId: string) {
  const res = await call(alice, "POST /api/v1/mcp-providers/{id}/tools/{tool}/call", { params: { id: providerId, tool: "whoami" }, body: { arguments: {} } });
  expect(res.status, res.text).toBe(200);
  return (res.json as { structured_content?: { sub?: string } }).structured_content?.sub;
}

async function relayedWhoami(identifier: string) {
  const res = await gatewayRequest(`/mcp/${identifier}`, {
    token: alice.token,
    headers: { "mcp-protocol-version": "2025-11-25" },
    body: { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "whoami", arguments: {} } },
  });
  const answer = (await messagesOf(res)).at(0);
  return (answer?.result as { structuredContent?: { sub?: string } } | undefined)?.structuredContent?.sub;
}

const connectionOf = (providerId: string) => db().upstreamConnection.findUniqueOrThrow({ where: { providerId_owner: { providerId, owner: alice.userId } } });

describe("a server that takes only DPoP-bound tokens", () => {
  it("gets a token bound to the connection's key, presented as DPoP with a fresh, valid proof on every request — REST and the relay", async () => {
    const { provider, tokenRequests } = await connectedProvider(bound, idp);
    const state = storedState(await connectionOf(provider.id));
    const jkt = await calculateJwkThumbprint(state.dpop?.jwk as JWK);
    // The code exchange carried a proof of the connection's key, for the token endpoint.
    const exchange = tokenRequests().find((request) => request.grantType === "authorization_code");
    expect(exchange?.dpop?.claims).toMatchObject({ htm: "POST", htu: `${idp.issuer}/token` });
    expect(await calculateJwkThumbprint(exchange?.dpop?.header.jwk as JWK)).toBe(jkt);
    expect(exchange?.dpop?.header.jwk).not.toHaveProperty("d");
    expect(state.tokens?.token_type).toBe("DPoP");
    expect(decodeJwt(state.tokens?.access_token ?? "")).toMatchObject({ cnf: { jkt }, aud: bound.url });

    expect(await whoami(provider.id)).toBe(ALICE.sub);
    expect(await relayedWhoami(provider.server_identifier)).toBe(ALICE.sub);
    // Every request the server took came with the DPoP scheme and a proof it accepted, none refused or reused.
    expect(bound.authorizations.length).toBeGreaterThanOrEqual(3);
    for (const header of bound.authorizations) expect(header).toBe(`DPoP ${state.tokens?.access_token}`);
    expect(bound.proofRefusals).toEqual([]);
    expect(bound.proofs).toHaveLength(bound.authorizations.length);
    expect(new Set(bound.proofs.map((proof) => proof.jti)).size).toBe(bound.proofs.length);
    // (The checker matched each proof's htm to its request: the POSTs, and the client's GET for a stream.)
    expect(bound.proofs.filter((proof) => proof.htm === "POST").length).toBeGreaterThanOrEqual(2);
    for (const proof of bound.proofs) expect(proof.htu).toBe(bound.url);
    for (const proof of bound.proofs.filter((p) => p.htm === "POST")) expect(proof.content_digest).toMatch(/^sha-256=:.+=:$/);
    // The private key is only in the connection's encrypted state.
    expect((await connectionOf(provider.id)).stateEncrypted).not.toContain(state.dpop?.jwk.d ?? "?");
  });

  it("refuses a proof used twice and a bound token sent as Bearer: the check the console passes can fail", async () => {
    const { provider } = await connectedProvider(bound, idp);
    expect(await whoami(provider.id)).toBe(ALICE.sub);
    const token = storedState(await connectionOf(provider.id)).tokens?.access_token ?? "";
    const proof = bound.requests.at(-1)?.dpop;
    const body = JSON.stringify({ jsonrpc: "2.0", id: 9, method: "tools/list", params: {} });
    const replayed = await fetch(bound.url, { method: "POST", headers: { authorization: `DPoP ${token}`, dpop: String(proof), "content-type": "application/json", accept: "application/json, text/event-stream" }, body });
    expect(replayed.status).toBe(401);
    expect(replayed.headers.get("www-authenticate")).toContain('error="invalid_dpop_proof"');
    const asBearer = await fetch(bearerOnly.url, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json", accept: "application/json, text/event-stream" }, body });
    expect(asBearer.status).toBe(401);
  });

  it("refreshes a token about to expire with a proof of the same key, and the new token is bound to it", async () => {
    const { provider, tokenRequests } = await connectedProvider(bound, idp);
    const before = storedState(await connectionOf(provider.id));
    await ageToken(provider.id, alice.userId);
    expect(await whoami(provider.id)).toBe(ALICE.sub);
    const after = storedState(await connectionOf(provider.id));
    expect(after.tokens?.access_token).not.toBe(before.tokens?.access_token);
    const jkt = await calculateJwkThumbprint(before.dpop?.jwk as JWK);
    expect(decodeJwt(after.tokens?.access_token ?? "")).toMatchObject({ cnf: { jkt } });
    const refresh = tokenRequests().find((request) => request.grantType === "refresh_token");
    expect(refresh?.dpop).toBeDefined();
    expect(await calculateJwkThumbprint(refresh?.dpop?.header.jwk as JWK)).toBe(jkt);
    expect(bound.proofRefusals).toEqual([]);
  });
});

describe("a machine-to-machine provider (client_credentials)", () => {
  it("gets its token with a proof of the connection's key and presents it as DPoP on every request", async () => {
    const n = Math.random().toString(36).slice(2, 8);
    const created = await call(admin, "POST /api/v1/mcp-providers", {
      body: { name: `Machine ${n}`, server_identifier: `mc-${n}`, server_url: `${bound.url}?p=${n}`, authentication: { type: "oauth", connection: "shared", grant_type: "client_credentials", ...MACHINE } },
    });
    expect(created.status, created.text).toBe(201);
    const before = idp.tokenRequests().length;
    expect(await whoami(created.json.id)).toBe(MACHINE.client_id);
    expect(await relayedWhoami(created.json.server_identifier)).toBe(MACHINE.client_id);
    const granted = idp.tokenRequests().slice(before).filter((request) => request.grantType === "client_credentials");
    expect(granted).toHaveLength(1);
    expect(granted[0].dpop?.claims).toMatchObject({ htm: "POST", htu: `${idp.issuer}/token` });
    const state = storedState(await db().upstreamConnection.findUniqueOrThrow({ where: { providerId_owner: { providerId: created.json.id, owner: "workspace" } } }));
    const jkt = await calculateJwkThumbprint(state.dpop?.jwk as JWK);
    expect(decodeJwt(state.tokens?.access_token ?? "")).toMatchObject({ cnf: { jkt } });
    expect(bound.proofRefusals).toEqual([]);
    expect(bound.proofs.length).toBeGreaterThanOrEqual(2);
    for (const header of bound.authorizations) expect(header).toMatch(/^DPoP /);
  });
});

describe("nonces (RFC 9449 §8, §9)", () => {
  it("the authorization server's and the server's: the request is sent again with the one asked for, and later proofs carry it — REST and the relay", async () => {
    const { provider, tokenRequests } = await connectedProvider(withNonce, nonceIdp);
    // The code exchange was refused for want of a nonce, then made with one.
    const exchanges = tokenRequests().filter((request) => request.grantType === "authorization_code");
    expect(exchanges.map((request) => typeof request.dpop?.claims.nonce)).toEqual(["undefined", "string"]);
    expect(storedState(await connectionOf(provider.id)).tokens?.token_type).toBe("DPoP");

    expect(await whoami(provider.id)).toBe(ALICE.sub);
    expect(withNonce.proofRefusals).toEqual(["use_dpop_nonce"]);
    // The nonce it gave is kept: the next calls carry it from their first request.
    expect(await whoami(provider.id)).toBe(ALICE.sub);
    expect(await relayedWhoami(provider.server_identifier)).toBe(ALICE.sub);
    expect(withNonce.proofRefusals).toEqual(["use_dpop_nonce"]);
    // A new nonce: the relay is asked for it and sends the request again.
    withNonce.rotateNonce();
    expect(await relayedWhoami(provider.server_identifier)).toBe(ALICE.sub);
    expect(withNonce.proofRefusals).toEqual(["use_dpop_nonce", "use_dpop_nonce"]);
    for (const proof of withNonce.proofs) expect(proof.nonce).toEqual(expect.stringMatching(/^whoami-nonce-/));
  });
});

describe("a server that knows only Bearer", () => {
  it("gets a Bearer token and no proof, though its authorization server offers DPoP", async () => {
    const { provider, tokenRequests } = await connectedProvider(bearerOnly, idp);
    expect(tokenRequests().every((request) => request.dpop === undefined)).toBe(true);
    expect(await whoami(provider.id)).toBe(ALICE.sub);
    expect(await relayedWhoami(provider.server_identifier)).toBe(ALICE.sub);
    expect(bearerOnly.authorizations.length).toBeGreaterThanOrEqual(2);
    for (const header of bearerOnly.authorizations) expect(header).toMatch(/^Bearer /);
    for (const headers of bearerOnly.requests) expect(headers.dpop).toBeUndefined();
    expect(storedState(await connectionOf(provider.id)).dpop).toBeUndefined();
  });
});
