// Machine-to-machine OAuth grants on providers (SPEC §9; SEP-1046 client credentials, SEP-1933
// workload identity) against real parts: an oidc-provider authorization server with the
// client_credentials grant, private_key_jwt clients (RSA and EC keys it holds the public halves of)
// and a jwt-bearer grant taking workload tokens signed by a test platform's key; and an SDK MCP
// server that accepts only that server's JWTs for its own audience and names it in its RFC 9728
// metadata. Everything is driven through the console's REST API, as an admin and a member would.
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, SignJWT, type JWK } from "jose";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { backgroundTasksSettled } from "@/lib/background";
import { secrets } from "@/lib/crypto";
import { db } from "@/lib/db";
import { env, resetEnvForTests } from "@/lib/env";
import { closeWarmSessionsForTests } from "@/lib/mcp/client";
import { maskSecret } from "@/lib/providers/masking";
import { startMcpAuthServer, type McpAuthServer, type TokenRequest } from "../../e2e/support/mcp-auth-server";
import { JWT_BEARER_GRANT } from "../../e2e/support/oauth-urns";
import { startWhoamiServer, type WhoamiServer } from "../../e2e/support/whoami-server";
import { connectGateway } from "./gateway-client";
import { call, createActor, type Actor } from "./helpers";

const SECRET = "console-client-secret-0123456789";
const OTHER_SECRET = "other-client-secret-9876543210";
const PLATFORM = "https://platform.example/workloads";
/** An audience a platform gives its tokens that names no authorization server (a cluster's API, say). */
const PLATFORM_AUDIENCE = "https://kubernetes.default.svc";
const WORKLOAD = "system:serviceaccount:tools:mcp-console";

const pem = (key: KeyObject) => key.export({ type: "pkcs8", format: "pem" }).toString();
const publicJwk = (key: KeyObject, kid: string) => ({ ...(key.export({ format: "jwk" }) as JWK), kid, use: "sig" });
const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });

const CLIENTS = {
  secret: { type: "oauth", connection: "shared", grant_type: "client_credentials", client_id: "console-secret", client_secret: SECRET },
  rsa: { type: "oauth", connection: "shared", grant_type: "client_credentials", client_id: "console-rsa", private_key: pem(rsa.privateKey) },
  ec: { type: "oauth", connection: "shared", grant_type: "client_credentials", client_id: "console-ec", private_key: pem(ec.privateKey) },
  workload: { type: "oauth", connection: "shared", grant_type: "jwt_bearer", client_id: "console-workload" },
} as const;

let as: McpAuthServer;
let server: WhoamiServer;
let admin: Actor;
let member: Actor;
let platformKey: CryptoKey;
let workloadDir: string;

beforeAll(async () => {
  const platform = await generateKeyPair("ES256", { extractable: true });
  platformKey = platform.privateKey;
  as = await startMcpAuthServer({
    clients: [
      { client_id: "console-secret", client_secret: SECRET, grant_types: ["client_credentials"] },
      { client_id: "console-other", client_secret: OTHER_SECRET, grant_types: ["client_credentials"] },
      { client_id: "console-rsa", grant_types: ["client_credentials"], token_endpoint_auth_method: "private_key_jwt", jwks: { keys: [publicJwk(rsa.publicKey, "rsa")] } },
      { client_id: "console-ec", grant_types: ["client_credentials"], token_endpoint_auth_method: "private_key_jwt", jwks: { keys: [publicJwk(ec.publicKey, "ec")] } },
      { client_id: "console-workload", grant_types: [JWT_BEARER_GRANT], token_endpoint_auth_method: "none" },
    ],
    resources: [],
    trustedWorkload: { issuer: PLATFORM, jwks: { keys: [{ ...(await exportJWK(platform.publicKey)), kid: "platform" }] }, audiences: [PLATFORM_AUDIENCE] },
  });
  server = await startWhoamiServer({ issuer: as.issuer });
  as.allowResources([server.url]);
  admin = await createActor("admin");
  member = await createActor("member", admin.workspaceId);
  workloadDir = mkdtempSync(path.join(tmpdir(), "mcp-workload-"));
}, 60_000);

afterAll(async () => {
  await server.stop();
  await as.stop();
  rmSync(workloadDir, { recursive: true, force: true });
});

beforeEach(() => {
  server.setRefusing(false);
  server.reset();
  closeWarmSessionsForTests();
});

/** Registers a provider, and waits for the tools discovery a create starts (it gets a token too). */
async function createProvider(authentication: Record<string, unknown>) {
  const n = Math.random().toString(36).slice(2, 8);
  const created = await call(admin, "POST /api/v1/mcp-providers", { body: { name: `Machine ${n}`, server_identifier: `ma-${n}`, server_url: `${server.url}?p=${n}`, authentication } });
  expect(created.status, created.text).toBe(201);
  await backgroundTasksSettled();
  return created.json;
}

async function whoami(providerId: string) {
  return call(member, "POST /api/v1/mcp-providers/{id}/tools/{tool}/call", { params: { id: providerId, tool: "whoami" }, body: { arguments: {} } });
}

const subjectOf = (res: Awaited<ReturnType<typeof whoami>>) => (res.json as { structured_content?: { sub?: string } }).structured_content?.sub;

/** Token requests of `grantType` the authorization server got after `since` of them. */
const requestsSince = (grantType: string, since: number): TokenRequest[] => as.tokenRequests(grantType).slice(since);
const count = (grantType: string) => as.tokenRequests(grantType).length;

/** The client a token request authenticated as (HTTP Basic, its assertion's issuer, or client_id). */
function clientOf(request: TokenRequest): string | undefined {
  if (request.authorization?.startsWith("Basic ")) return decodeURIComponent(Buffer.from(request.authorization.slice(6), "base64").toString().split(":")[0] ?? "");
  const assertion = request.form.get("client_assertion");
  if (assertion) return decodeJwt(assertion).iss;
  return request.form.get("client_id") ?? undefined;
}

function workspaceConnection(providerId: string) {
  return db().upstreamConnection.findUnique({ where: { providerId_owner: { providerId, owner: "workspace" } } });
}

type StoredTokens = { access_token: string; saved_at?: number; expires_in?: number };

async function storedTokens(providerId: string): Promise<StoredTokens | undefined> {
  const row = await workspaceConnection(providerId);
  return row ? (JSON.parse(secrets(env().encryptionKey).decrypt(row.stateEncrypted)) as { tokens?: StoredTokens }).tokens : undefined;
}

/** Rewrites the stored token, as time (or the server's forgetting it) would. */
async function alterStoredToken(providerId: string, change: (tokens: StoredTokens) => void) {
  const row = await db().upstreamConnection.findUniqueOrThrow({ where: { providerId_owner: { providerId, owner: "workspace" } } });
  const state = JSON.parse(secrets(env().encryptionKey).decrypt(row.stateEncrypted)) as { tokens: StoredTokens };
  change(state.tokens);
  await db().upstreamConnection.update({ where: { id: row.id }, data: { stateEncrypted: secrets(env().encryptionKey).encrypt(JSON.stringify(state)) } });
}

const expireStoredToken = (providerId: string) =>
  alterStoredToken(providerId, (tokens) => {
    tokens.saved_at = Date.now() - (tokens.expires_in ?? 0) * 1000 - 1000;
  });

/** The Authorization headers the MCP server received since the last reset, distinct, in order. */
const tokensSeen = () => [...new Set(server.authorizations)];

describe("client_credentials", () => {
  it.each([
    ["a client secret (client_secret_basic)", CLIENTS.secret, undefined],
    ["an RSA private key (private_key_jwt)", CLIENTS.rsa, "RS256"],
    ["an EC P-256 private key (private_key_jwt)", CLIENTS.ec, "ES256"],
  ])("with %s: calls carry the token the console got, got once and reused", async (_name, authentication, alg) => {
    const before = count("client_credentials");
    const provider = await createProvider(authentication);
    expect((await call(admin, "GET /api/v1/mcp-providers/{id}", { params: { id: provider.id } })).json.tools_count).toBe(1);
    for (let i = 0; i < 3; i++) {
      const res = await whoami(provider.id);
      expect(res.status, res.text).toBe(200);
      expect(subjectOf(res)).toBe(authentication.client_id);
    }
    const requests = requestsSince("client_credentials", before);
    expect(requests.map((request) => [clientOf(request), request.form.get("resource"), request.status])).toEqual([[authentication.client_id, server.url, 200]]);
    for (const request of requests) {
      if (!alg) continue;
      // private_key_jwt: a signed assertion, and no secret of any kind.
      expect(request.form.get("client_assertion_type")).toBe("urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
      expect(decodeProtectedHeader(request.form.get("client_assertion") ?? "").alg).toBe(alg);
      expect(request.authorization).toBeUndefined();
      expect(request.form.has("client_secret")).toBe(false);
    }
    const stored = await storedTokens(provider.id);
    expect(tokensSeen()).toEqual([`Bearer ${stored?.access_token}`]);
    expect(server.claims.at(-1)).toMatchObject({ iss: as.issuer, aud: server.url, sub: authentication.client_id });
  });

  it("agents through the gateway, one provider or the workspace's, carry the same token: no grant of their own", async () => {
    const provider = await createProvider(CLIENTS.ec);
    const token = (await storedTokens(provider.id))?.access_token;
    const before = count("client_credentials");
    for (const path of [`/mcp/${provider.server_identifier}`, "/mcp"]) {
      const client = await connectGateway(member.token, path);
      try {
        const name = path === "/mcp" ? `${provider.server_identifier}__whoami` : "whoami";
        const result = await client.callTool({ name, arguments: {} });
        expect(result.structuredContent).toMatchObject({ sub: "console-ec" });
      } finally {
        await client.close();
      }
    }
    expect(requestsSince("client_credentials", before)).toEqual([]);
    expect(tokensSeen()).toEqual([`Bearer ${token}`]);
  });

  it("calls arriving together when a new token is needed share one token request", async () => {
    const provider = await createProvider(CLIENTS.secret);
    await expireStoredToken(provider.id);
    const before = count("client_credentials");
    const results = await Promise.all(Array.from({ length: 5 }, () => whoami(provider.id)));
    expect(results.map((res) => res.status)).toEqual(Array(5).fill(200));
    expect(requestsSince("client_credentials", before)).toHaveLength(1);
  });

  it("gets a new token once the stored one has expired, keeps it, and uses it from then on", async () => {
    const provider = await createProvider(CLIENTS.rsa);
    expect((await whoami(provider.id)).status).toBe(200);
    const first = await storedTokens(provider.id);
    await expireStoredToken(provider.id);
    server.reset();
    const before = count("client_credentials");
    for (let i = 0; i < 2; i++) expect(subjectOf(await whoami(provider.id))).toBe("console-rsa");
    expect(requestsSince("client_credentials", before)).toHaveLength(1);
    const second = await storedTokens(provider.id);
    expect(second?.access_token).not.toBe(first?.access_token);
    expect(tokensSeen()).toEqual([`Bearer ${second?.access_token}`]);
  });

  it("a token the server refuses (401) is replaced once and the call retried once", async () => {
    const provider = await createProvider(CLIENTS.secret);
    expect((await whoami(provider.id)).status).toBe(200);
    // A token still in date that the server no longer takes (say it was revoked there).
    await alterStoredToken(provider.id, (tokens) => {
      tokens.access_token = "a-token-the-server-forgot";
    });
    server.reset();
    const before = count("client_credentials");
    const res = await whoami(provider.id);
    expect(res.status, res.text).toBe(200);
    expect(subjectOf(res)).toBe("console-secret");
    expect(requestsSince("client_credentials", before)).toHaveLength(1);
    const replaced = await storedTokens(provider.id);
    expect(tokensSeen()).toEqual(["Bearer a-token-the-server-forgot", `Bearer ${replaced?.access_token}`]);
  });

  it("a server that refuses every token gets one new token and one retry: never a third token or another grant", async () => {
    const provider = await createProvider(CLIENTS.ec);
    expect((await whoami(provider.id)).status).toBe(200);
    const first = await storedTokens(provider.id);
    server.setRefusing(true);
    server.reset();
    const before = count("client_credentials");
    const beforeJwt = count(JWT_BEARER_GRANT);
    const res = await whoami(provider.id);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.json.detail).toContain("refused");
    expect(requestsSince("client_credentials", before)).toHaveLength(1);
    expect(count(JWT_BEARER_GRANT)).toBe(beforeJwt);
    const tokens = tokensSeen();
    expect(tokens).toHaveLength(2);
    expect(tokens[0]).toBe(`Bearer ${first?.access_token}`);
    expect(tokens[1]).not.toBe(tokens[0]);
    expect(server.authorizations.every(Boolean)).toBe(true); // nothing was sent without a token either
  });
});

describe("Test connection", () => {
  it.each([
    ["a client secret", CLIENTS.secret],
    ["a private key", CLIENTS.rsa],
  ])("of a new provider with %s: ok with the server's tools, and nothing kept", async (_name, authentication) => {
    const owner = await createActor("admin");
    const before = count("client_credentials");
    const n = Math.random().toString(36).slice(2, 8);
    const checked = await call(owner, "POST /api/v1/mcp-providers/check", {
      body: { name: `Unsaved ${n}`, server_identifier: `un-${n}`, server_url: `${server.url}?p=${n}`, authentication },
    });
    expect(checked.status, checked.text).toBe(200);
    expect(checked.json).toMatchObject({ ok: true, tools_count: 1, failure: null });
    expect(requestsSince("client_credentials", before).map(clientOf)).toEqual([authentication.client_id]);
    expect(await db().upstreamConnection.count({ where: { workspaceId: owner.workspaceId } })).toBe(0);
    expect(await db().mcpProvider.count({ where: { workspaceId: owner.workspaceId } })).toBe(0);
  });

  it("of an edit naming another client: tests that client, and the saved connection keeps its token", async () => {
    const provider = await createProvider(CLIENTS.secret);
    expect((await whoami(provider.id)).status).toBe(200);
    const saved = await workspaceConnection(provider.id);
    const savedToken = (await storedTokens(provider.id))?.access_token;
    const before = count("client_credentials");
    const checked = await call(admin, "POST /api/v1/mcp-providers/{id}/check", {
      params: { id: provider.id },
      body: { authentication: { client_id: "console-other", client_secret: OTHER_SECRET } },
    });
    expect(checked.status, checked.text).toBe(200);
    expect(checked.json).toMatchObject({ ok: true, tools_count: 1 });
    expect(requestsSince("client_credentials", before).map(clientOf)).toEqual(["console-other"]);
    expect(server.claims.at(-1)?.sub).toBe("console-other");
    expect(await workspaceConnection(provider.id)).toEqual(saved);

    // The next real call carries the saved token: no new grant, the saved client's identity.
    server.reset();
    const after = count("client_credentials");
    const res = await whoami(provider.id);
    expect(subjectOf(res)).toBe("console-secret");
    expect(tokensSeen()).toEqual([`Bearer ${savedToken}`]);
    expect(requestsSince("client_credentials", after)).toEqual([]);
    expect((await call(admin, "GET /api/v1/mcp-providers/{id}", { params: { id: provider.id } })).json.authentication?.client_id).toBe("console-secret");
  });

  it("of an edit whose settings can't get a token says so, and the saved connection goes on working", async () => {
    const provider = await createProvider(CLIENTS.secret);
    expect((await whoami(provider.id)).status).toBe(200);
    const saved = await workspaceConnection(provider.id);
    const checked = await call(admin, "POST /api/v1/mcp-providers/{id}/check", {
      params: { id: provider.id },
      body: { authentication: { client_id: "console-other", client_secret: "not-the-secret" } },
    });
    expect(checked.json).toMatchObject({ ok: false, tools_count: null });
    expect(checked.json.message).toContain("invalid_client");
    expect(await workspaceConnection(provider.id)).toEqual(saved);
    expect(subjectOf(await whoami(provider.id))).toBe("console-secret");
  });

  // A machine connection's token is bound to the secret, key and scope too: a check that changes
  // only those is not taken for the saved settings.
  it("of an edit with only a new client secret tests that secret", async () => {
    const provider = await createProvider(CLIENTS.secret);
    const checked = await call(admin, "POST /api/v1/mcp-providers/{id}/check", { params: { id: provider.id }, body: { authentication: { client_secret: "not-the-secret" } } });
    expect(checked.json).toMatchObject({ ok: false });
  });

  it("of an edit with only a new scope keeps nothing, even once the saved token has expired", async () => {
    const provider = await createProvider(CLIENTS.secret);
    await expireStoredToken(provider.id);
    const saved = await workspaceConnection(provider.id);
    const checked = await call(admin, "POST /api/v1/mcp-providers/{id}/check", { params: { id: provider.id }, body: { authentication: { scope: "mcp" } } });
    expect(checked.json).toMatchObject({ ok: true });
    expect(await workspaceConnection(provider.id)).toEqual(saved);
  });
});

describe("jwt_bearer with the deployment's workload identity token", () => {
  const tokenFile = () => path.join(workloadDir, "token");

  async function issueWorkloadToken(audience: string) {
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: "ES256", kid: "platform", typ: "JWT" })
      .setIssuer(PLATFORM)
      .setSubject(WORKLOAD)
      .setAudience(audience)
      .setIssuedAt()
      .setExpirationTime("10m")
      .sign(platformKey);
    writeFileSync(tokenFile(), `${token}\n`);
    return token;
  }

  function configure(audiences?: string) {
    process.env.WORKLOAD_IDENTITY_TOKEN_FILE = tokenFile();
    if (audiences === undefined) delete process.env.WORKLOAD_IDENTITY_AUDIENCES;
    else process.env.WORKLOAD_IDENTITY_AUDIENCES = audiences;
    resetEnvForTests();
  }

  afterEach(() => {
    delete process.env.WORKLOAD_IDENTITY_TOKEN_FILE;
    delete process.env.WORKLOAD_IDENTITY_AUDIENCES;
    resetEnvForTests();
  });

  it("presents the token to the authorization server its aud names, and calls as the workload", async () => {
    configure();
    const token = await issueWorkloadToken(as.issuer);
    const before = count(JWT_BEARER_GRANT);
    const provider = await createProvider(CLIENTS.workload);
    for (let i = 0; i < 2; i++) {
      const res = await whoami(provider.id);
      expect(res.status, res.text).toBe(200);
      expect(subjectOf(res)).toBe(WORKLOAD);
    }
    const requests = requestsSince(JWT_BEARER_GRANT, before);
    expect(requests.map((request) => [request.form.get("assertion"), request.form.get("client_id"), request.status])).toEqual([[token, "console-workload", 200]]);
    expect(as.grants().at(-1)).toMatchObject({ clientId: "console-workload", outcome: "issued", claims: { iss: PLATFORM, aud: as.issuer } });
  });

  it("fails closed when neither its aud nor WORKLOAD_IDENTITY_AUDIENCES names the authorization server: the token never leaves; listed, it works", async () => {
    configure();
    const token = await issueWorkloadToken(PLATFORM_AUDIENCE);
    const before = as.tokenRequests().length;
    const provider = await createProvider(CLIENTS.workload);
    const refused = await whoami(provider.id);
    expect(refused.status).toBe(502);
    expect(refused.json).toMatchObject({ code: "upstream_error" });
    expect(refused.json.detail).toContain("WORKLOAD_IDENTITY_AUDIENCES");
    expect(refused.json.detail).toContain(as.issuer);
    expect(refused.text).not.toContain(token);
    expect(as.tokenRequests().slice(before)).toEqual([]);
    expect(server.authorizations.filter(Boolean)).toEqual([]);
    expect(await storedTokens(provider.id)).toBeUndefined();

    configure(`https://elsewhere.example, ${as.issuer}/`);
    const listed = await whoami(provider.id);
    expect(listed.status, listed.text).toBe(200);
    expect(subjectOf(listed)).toBe(WORKLOAD);
    expect(requestsSince(JWT_BEARER_GRANT, 0).at(-1)?.form.get("assertion")).toBe(token);
    expect(as.tokenRequests().slice(before)).toHaveLength(1);
  });
});

describe("secrets never leave the console", () => {
  it("client_secret and private_key are masked on create, get, list and patch", async () => {
    const privateKey = CLIENTS.rsa.private_key;
    const keyBody = privateKey.split("\n")[5] ?? "";
    expect(keyBody.length).toBeGreaterThan(40);
    const leaks = (text: string) => [SECRET, OTHER_SECRET, "PRIVATE KEY", keyBody].filter((secret) => text.includes(secret));

    const created = await call(admin, "POST /api/v1/mcp-providers", {
      body: { name: `Masked ${Date.now()}`, server_identifier: `mk-${Date.now().toString(36)}`, server_url: `${server.url}?masked=1`, authentication: CLIENTS.secret },
    });
    expect(created.status).toBe(201);
    expect(created.json.authentication).toMatchObject({ grant_type: "client_credentials", client_id: "console-secret", client_secret: maskSecret(SECRET), private_key: null });
    expect(leaks(created.text)).toEqual([]);
    const id = created.json.id;
    expect((await whoami(id)).status).toBe(200);

    const got = await call(admin, "GET /api/v1/mcp-providers/{id}", { params: { id } });
    expect(got.json.authentication?.client_secret).toBe(maskSecret(SECRET));
    expect(leaks(got.text)).toEqual([]);
    const listed = await call(admin, "GET /api/v1/mcp-providers", { query: { q: created.json.name } });
    expect(listed.json.data.map((provider) => provider.authentication?.client_secret)).toEqual([maskSecret(SECRET)]);
    expect(leaks(listed.text)).toEqual([]);

    const patched = await call(admin, "PATCH /api/v1/mcp-providers/{id}", { params: { id }, body: { authentication: { client_id: "console-rsa", client_secret: null, private_key: privateKey } } });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.json.authentication).toMatchObject({ client_id: "console-rsa", client_secret: null, private_key: maskSecret(privateKey.trim()) });
    expect(leaks(patched.text)).toEqual([]);
    for (const text of [
      (await call(admin, "GET /api/v1/mcp-providers/{id}", { params: { id } })).text,
      (await call(member, "GET /api/v1/mcp-providers/{id}", { params: { id } })).text,
      (await call(admin, "GET /api/v1/mcp-providers", { query: { q: created.json.name } })).text,
    ]) {
      expect(leaks(text)).toEqual([]);
    }

    // The key works, and neither it nor the token it got shows in what a call or the connection answers.
    const res = await whoami(id);
    expect(subjectOf(res)).toBe("console-rsa");
    const token = (await storedTokens(id))?.access_token ?? "missing";
    const status = await call(admin, "GET /api/v1/mcp-providers/{id}/connection", { params: { id } });
    for (const text of [res.text, status.text]) {
      expect(leaks(text)).toEqual([]);
      expect(text).not.toContain(token);
    }
  });
});
