// OAuth 2.1 for MCP clients against the real authorization server (oidc-provider, its state in this
// database) and the MCP SDK's own OAuth client: discovery from the gateway's 401, dynamic
// registration, PKCE, consent, audience-bound tokens, refresh rotation and revocation.
import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flushToolCalls } from "@/lib/activity/tool-calls";
import { membershipCaller } from "@/lib/auth/request-auth";
import { db } from "@/lib/db";
import { CLIENT_IDLE_SECONDS, oauthRecordKey, PrismaAdapter, pruneExpiredOAuthRecords } from "@/lib/oauth/adapter";
import { decideAuthorization, pendingAuthorization } from "@/lib/oauth/interactions";
import { clearLimit, LIMITS, useLimitForTests, type Limit } from "@/lib/rate-limit";
import { readClientAddress } from "@/lib/edge/client-address.mjs";
import { addressGroup } from "@/lib/edge/ip.mjs";
import { startEverythingServer } from "../../e2e/support/everything-server";
import { MemoryOAuthClient } from "../../e2e/support/oauth-client";
import { call, createActor, fromAddress, ORIGIN, type Actor } from "./helpers";
import { connectWithOAuth, consoleFetch, REDIRECT, startOAuthHttp, stopOAuthHttp } from "./oauth-console";

let everything: Awaited<ReturnType<typeof startEverythingServer>>;
let admin: Actor & { email: string };
let member: Actor & { email: string };
let identifier: string;


async function initializeWith(path: string, accessToken: string) {
  return consoleFetch()(new URL(path, ORIGIN), {
    method: "POST",
    headers: { authorization: `Bearer ${accessToken}`, "content-type": "application/json", accept: "application/json, text/event-stream" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "1" } } }),
  });
}

async function refresh(auth: MemoryOAuthClient, refreshToken: string) {
  const res = await consoleFetch()(new URL("/oidc/token", ORIGIN), {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: refreshToken, client_id: auth.clientInformation()?.client_id ?? "" }),
  });
  return { status: res.status, body: (await res.json()) as { access_token?: string; refresh_token?: string; error?: string } };
}

beforeAll(async () => {
  await startOAuthHttp();
  everything = await startEverythingServer();
  admin = await createActor("admin");
  member = await createActor("member", admin.workspaceId);
  identifier = `ev-${Date.now().toString(36)}`;
  const created = await call(admin, "POST /api/v1/mcp-providers", { body: { name: `Everything ${identifier}`, server_identifier: identifier, server_url: everything.url } });
  expect(created.status, created.text).toBe(201);
}, 60_000);

afterAll(async () => {
  await everything.stop();
  await stopOAuthHttp();
});

describe("an MCP client authorised with OAuth", () => {
  it("finds the authorization server from the gateway's 401 and calls tools as its user after consent", async () => {
    const challenge = await consoleFetch()(new URL(`/mcp/${identifier}`, ORIGIN), { method: "POST", body: "{}" });
    expect(challenge.status).toBe(401);
    expect(challenge.headers.get("www-authenticate")).toBe(`Bearer resource_metadata="${ORIGIN}/.well-known/oauth-protected-resource/mcp/${identifier}"`);
    // A browser-based client of any origin may read where to sign in.
    const metadata = await consoleFetch()(new URL(`/.well-known/oauth-protected-resource/mcp/${identifier}`, ORIGIN), { headers: { origin: "https://agent.example" } });
    expect(metadata.headers.get("access-control-allow-origin")).toBe("*");

    const { client, auth } = await connectWithOAuth(member, `/mcp/${identifier}`);
    const echoed = await client.callTool({ name: "echo", arguments: { message: "as the member" } });
    expect(JSON.stringify(echoed.content)).toContain("as the member");
    await flushToolCalls();
    const record = await db().toolCall.findFirst({ where: { userId: member.userId, tool: "echo" }, orderBy: { createdAt: "desc" } });
    expect(record?.via).toBe("gateway");
    // The registration asked for PKCE S256, and the grant is the member's in their workspace.
    expect(auth.authorizationUrl?.searchParams.get("code_challenge_method")).toBe("S256");
    const apps = await call(member, "GET /api/v1/connected-apps");
    expect(apps.json.data.map((app) => app.client_name)).toContain("Integration agent");
    await client.close();
  });

  it("refuses a token bound to another resource, and says how to get the right one", async () => {
    const { client, auth } = await connectWithOAuth(member, `/mcp/${identifier}`);
    await client.close();
    const token = auth.tokens()?.access_token ?? "";
    const elsewhere = await initializeWith("/mcp", token);
    expect(elsewhere.status).toBe(401);
    expect(elsewhere.headers.get("www-authenticate")).toContain(`resource_metadata="${ORIGIN}/.well-known/oauth-protected-resource/mcp"`);
    expect(elsewhere.headers.get("www-authenticate")).toContain('error="invalid_token"');
    expect((await initializeWith("/mcp/other", token)).status).toBe(401);
    expect((await initializeWith(`/mcp/${identifier}`, token)).status).toBe(200);
  });

  it("a token for the whole gateway reaches every provider", async () => {
    const { client, auth } = await connectWithOAuth(member, "/mcp");
    expect((await client.listTools()).tools.map((tool) => tool.name)).toContain(`${identifier}__echo`);
    await client.close();
    expect((await initializeWith(`/mcp/${identifier}`, auth.tokens()?.access_token ?? "")).status).toBe(200);
  });

  it("rotates refresh tokens; replaying a spent one ends the whole grant", async () => {
    const { client, auth } = await connectWithOAuth(member, `/mcp/${identifier}`);
    await client.close();
    const first = auth.tokens()?.refresh_token ?? "";
    const rotated = await refresh(auth, first);
    expect(rotated.status).toBe(200);
    expect(rotated.body.refresh_token).toBeTruthy();
    expect(rotated.body.refresh_token).not.toBe(first);
    expect((await initializeWith(`/mcp/${identifier}`, rotated.body.access_token ?? "")).status).toBe(200);

    const replayed = await refresh(auth, first);
    expect(replayed.body.error).toBe("invalid_grant");
    expect((await refresh(auth, rotated.body.refresh_token ?? "")).body.error).toBe("invalid_grant");
  });

  it("revoking a connected app refuses its next call; members revoke only their own, admins anyone's", async () => {
    const { client, auth } = await connectWithOAuth(member, `/mcp/${identifier}`, "Revoked agent");
    await client.listTools(); // its caller is now cached on this instance
    const apps = await call(member, "GET /api/v1/connected-apps");
    const app = apps.json.data.find((entry) => entry.client_name === "Revoked agent");
    expect(app).toBeDefined();

    const other = await createActor("member", admin.workspaceId);
    expect((await call(other, "DELETE /api/v1/connected-apps/{id}", { params: { id: app?.id ?? "" } })).status).toBe(404);
    expect((await call(member, "GET /api/v1/connected-apps", { query: { scope: "workspace" } })).status).toBe(403);
    const everyone = await call(admin, "GET /api/v1/connected-apps", { query: { scope: "workspace" } });
    expect(everyone.json.data.find((entry) => entry.id === app?.id)?.user.email).toBe(member.email);

    expect((await call(admin, "DELETE /api/v1/connected-apps/{id}", { params: { id: app?.id ?? "" } })).status).toBe(204);
    await expect(client.listTools()).rejects.toThrow();
    expect((await initializeWith(`/mcp/${identifier}`, auth.tokens()?.access_token ?? "")).status).toBe(401);
    expect((await refresh(auth, auth.tokens()?.refresh_token ?? "")).body.error).toBe("invalid_grant");
  });

  it("refuses an authorization that doesn't name the MCP resource", async () => {
    const { client, auth } = await connectWithOAuth(member, `/mcp/${identifier}`);
    await client.close();
    const url = new URL(auth.authorizationUrl ?? "");
    url.searchParams.delete("resource");
    const answer = await consoleFetch()(url);
    const location = new URL(answer.headers.get("location") ?? "");
    expect(location.searchParams.get("error")).toBe("invalid_target");
  });

  it("keeps no usable token in the database: ids are keyed hashes, payloads encrypted", async () => {
    const { client, auth } = await connectWithOAuth(member, `/mcp/${identifier}`);
    await client.close();
    const rows = await db().oAuthRecord.findMany({ select: { id: true, payload: true } });
    const dump = JSON.stringify(rows);
    expect(dump).not.toContain(auth.tokens()?.access_token ?? "missing");
    expect(dump).not.toContain(auth.tokens()?.refresh_token ?? "missing");
    expect(dump).not.toContain(member.userId);
  });
});

describe("what an OAuth access token can't do", () => {
  it("is no credential for the REST API, even while the gateway has its caller cached", async () => {
    const { client, auth } = await connectWithOAuth(admin, `/mcp/${identifier}`);
    await client.listTools(); // cached on this instance now
    const token = auth.tokens()?.access_token ?? "";
    expect((await call({ token }, "GET /api/v1/api-tokens")).status).toBe(401);
    expect((await call({ token }, "POST /api/v1/api-tokens", { body: { name: "escalated" } })).status).toBe(401);
    expect((await call({ token }, "GET /api/v1/mcp-providers")).status).toBe(401);
    await client.close();
  });

  it("outlives the authorization server's browser session: the grant decides", async () => {
    const { client, auth } = await connectWithOAuth(member, `/mcp/${identifier}`);
    await client.close();
    await db().oAuthRecord.deleteMany({ where: { model: "Session" } });
    expect((await initializeWith(`/mcp/${identifier}`, auth.tokens()?.access_token ?? "")).status).toBe(200);
    const rotated = await refresh(auth, auth.tokens()?.refresh_token ?? "");
    expect(rotated.status).toBe(200);
  });

  it("is gone from connected apps when the client revokes it at the authorization server", async () => {
    const { client, auth } = await connectWithOAuth(member, `/mcp/${identifier}`, "Self-revoking agent");
    await client.listTools();
    const revoked = await consoleFetch()(new URL("/oidc/token/revocation", ORIGIN), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: auth.tokens()?.refresh_token ?? "", client_id: auth.clientInformation()?.client_id ?? "" }),
    });
    expect(revoked.status).toBe(200);
    await expect.poll(async () => (await call(member, "GET /api/v1/connected-apps")).json.data.map((app) => app.client_name)).not.toContain("Self-revoking agent");
    await expect(client.listTools()).rejects.toThrow();
  });
});

describe("revocation through RFC 7009", () => {
  async function revoke(auth: MemoryOAuthClient, token: string, hint: string) {
    return consoleFetch()(new URL("/oidc/token/revocation", ORIGIN), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token, token_type_hint: hint, client_id: auth.clientInformation()?.client_id ?? "" }),
    });
  }

  it("refuses a revoked access token at once, even while its caller is cached, and the app leaves connected apps", async () => {
    const { client, auth } = await connectWithOAuth(member, `/mcp/${identifier}`, "Access-revoking agent");
    await client.listTools(); // its caller is now cached on this instance
    await client.close();
    const token = auth.tokens()?.access_token ?? "";
    expect((await revoke(auth, token, "access_token")).status).toBe(200);
    expect((await initializeWith(`/mcp/${identifier}`, token)).status).toBe(401);
    const apps = await call(member, "GET /api/v1/connected-apps");
    expect(apps.json.data.map((app) => app.client_name)).not.toContain("Access-revoking agent");
    expect((await refresh(auth, auth.tokens()?.refresh_token ?? "")).body.error).toBe("invalid_grant");
  });

  it("connected apps doesn't list an app whose tokens have all expired", async () => {
    const { client } = await connectWithOAuth(member, `/mcp/${identifier}`, "Lapsed agent");
    await client.close();
    const app = (await call(member, "GET /api/v1/connected-apps")).json.data.find((entry) => entry.client_name === "Lapsed agent");
    expect(app).toBeDefined();
    await db().oAuthRecord.updateMany({ where: { grantId: app?.id, model: { in: ["AccessToken", "RefreshToken"] } }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const apps = await call(member, "GET /api/v1/connected-apps");
    expect(apps.json.data.map((entry) => entry.id)).not.toContain(app?.id);
  });
});

/** A dynamic registration from `address` (each test its own, so they don't share a limit). */
async function register(redirectUris: string[], address: string, metadata: Record<string, string> = {}) {
  const res = await consoleFetch()(new URL("/oidc/reg", ORIGIN), {
    method: "POST",
    headers: { "content-type": "application/json", ...fromAddress(address) },
    body: JSON.stringify({ redirect_uris: redirectUris, token_endpoint_auth_method: "none", client_name: "Registered by hand", ...metadata }),
  });
  return { status: res.status, body: (await res.json()) as { client_id?: string; error?: string; error_description?: string } };
}

/** An authorization request as an MCP client makes it (PKCE, resource), with `extra` parameters. */
function authorizationRequest(clientId: string, redirectUri: string, extra: Record<string, string> = {}) {
  const url = new URL("/oidc/auth", ORIGIN);
  const challenge = createHash("sha256").update(randomBytes(32).toString("base64url")).digest("base64url");
  const params = { response_type: "code", client_id: clientId, redirect_uri: redirectUri, code_challenge: challenge, code_challenge_method: "S256", resource: `${ORIGIN}/mcp`, state: "s1", ...extra };
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return url;
}

/** Follows `url` to the consent screen, allows as `as`, and returns the authorization server's last answer. */
async function allowInBrowser(url: URL, as: Actor) {
  const cookies = new Map<string, string>();
  const browser = consoleFetch(cookies);
  const consent = new URL((await browser(url)).headers.get("location") ?? "", ORIGIN);
  const uid = consent.pathname.split("/").pop() ?? "";
  const cookieHeader = [...cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  const pending = await pendingAuthorization(uid, cookieHeader);
  const caller = await membershipCaller(as.userId, as.workspaceId, "session", false);
  const resume = await decideAuthorization(uid, cookieHeader, caller, true);
  return { pending, answer: await browser(resume ?? "") };
}

describe("redirect URIs and response modes", () => {
  it("registers https, loopback http and private-use schemes, and refuses any other http or scheme", async () => {
    const address = "192.0.2.71";
    for (const uri of ["https://app.example.com/cb", "http://127.0.0.1:8123/cb", "http://localhost/cb", "http://[::1]:9/cb", "com.example.app:/cb"]) {
      const registered = await register([uri], address);
      expect(registered.status, `${uri} ${JSON.stringify(registered.body)}`).toBe(201);
    }
    for (const uri of ["http://app.example.com/cb", "http://10.0.0.5/cb", "javascript:alert(1)", "myapp:/cb"]) {
      const refused = await register(["https://app.example.com/cb", uri], address);
      expect(refused.status, uri).toBe(400);
      expect(refused.body.error, uri).toBe("invalid_redirect_uri");
    }
    await clearLimit(LIMITS.clientRegistrationPerAddress, address);
  });

  it("a native app's private-use scheme reaches the consent screen and gets its code", async () => {
    const { body } = await register(["com.example.app:/cb"], "192.0.2.72", { application_type: "native" });
    const { pending, answer } = await allowInBrowser(authorizationRequest(body.client_id ?? "", "com.example.app:/cb"), member);
    expect(pending?.redirectHost).toBe("com.example.app:");
    const location = answer.headers.get("location") ?? "";
    expect(location.startsWith("com.example.app:/cb?")).toBe(true);
    expect(new URL(location).searchParams.get("code")).toBeTruthy();
  });

  it("a private-use URI with a host in it is named by its scheme on the consent screen, not that host", async () => {
    const { body } = await register(["com.evil.app://claude.ai/cb"], "192.0.2.74");
    const { pending } = await allowInBrowser(authorizationRequest(body.client_id ?? "", "com.evil.app://claude.ai/cb"), member);
    expect(pending?.redirectHost).toBe("com.evil.app:");
  });

  it("a form_post answer's auto-submit is allowed by its Content-Security-Policy", async () => {
    const { body } = await register([REDIRECT], "192.0.2.73");
    const { answer } = await allowInBrowser(authorizationRequest(body.client_id ?? "", REDIRECT, { response_mode: "form_post" }), member);
    expect(answer.status).toBe(200);
    const html = await answer.text();
    expect(html).toContain(`action="${REDIRECT}"`);
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)?.[1] ?? "";
    const scriptSources = /(?:^|;)\s*script-src ([^;]*)/.exec(answer.headers.get("content-security-policy") ?? "")?.[1]?.split(" ") ?? [];
    expect(scriptSources).toContain(`'sha256-${createHash("sha256").update(script).digest("base64")}'`);
    expect(scriptSources).not.toContain("'unsafe-inline'");
  });
});

describe("anonymous writes to the authorization server", () => {
  const interactions = () => db().oAuthRecord.count({ where: { model: "Interaction" } });
  const useUp = (limit: Limit, address: string) => useLimitForTests(limit, addressGroup(address), limit.max);
  const authorize = (url: URL, address: string) => consoleFetch()(url, { headers: fromAddress(address) });

  it("limits authorization requests per address, an IPv6 /64 as one, and stores nothing for a refused one", async () => {
    const { body } = await register([REDIRECT], "192.0.2.80");
    const url = authorizationRequest(body.client_id ?? "", REDIRECT);
    await useUp(LIMITS.authorizationPerAddress, "2001:db8:7:1::1");
    const before = await interactions();
    const refused = await authorize(url, "2001:db8:7:1:ffff::2");
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await interactions()).toBe(before);
    expect((await authorize(url, "2001:db8:7:2::1")).status).toBe(303);
    await clearLimit(LIMITS.authorizationPerAddress, addressGroup("2001:db8:7:1::1"));
  });

  it("limits HEAD as GET: oidc-provider serves an authorization request to either", async () => {
    const { body } = await register([REDIRECT], "192.0.2.87");
    const url = authorizationRequest(body.client_id ?? "", REDIRECT);
    await useUp(LIMITS.authorizationPerAddress, "192.0.2.87");
    const before = await interactions();
    const refused = await consoleFetch()(url, { method: "HEAD", headers: fromAddress("192.0.2.87") });
    expect(refused.status).toBe(429);
    expect(await interactions()).toBe(before);
    await clearLimit(LIMITS.authorizationPerAddress, "192.0.2.87");
  });

  it("limits authorization requests and registrations from everyone together, so many addresses can't add up", async () => {
    const { body } = await register([REDIRECT], "192.0.2.85");
    await useLimitForTests(LIMITS.authorizationOverall, "all", LIMITS.authorizationOverall.max);
    await useLimitForTests(LIMITS.clientRegistrationOverall, "all", LIMITS.clientRegistrationOverall.max);
    try {
      const before = await interactions();
      expect((await authorize(authorizationRequest(body.client_id ?? "", REDIRECT), "192.0.2.85")).status).toBe(503);
      expect(await interactions()).toBe(before);
      expect((await register([REDIRECT], "192.0.2.86")).status).toBe(503);
    } finally {
      await clearLimit(LIMITS.authorizationOverall, "all");
      await clearLimit(LIMITS.clientRegistrationOverall, "all");
    }
  });

  it("limits an IPv6 /48 as a whole, so its many /64s stop long before the ceiling everyone shares", async () => {
    const { body } = await register([REDIRECT], "192.0.2.88");
    const url = authorizationRequest(body.client_id ?? "", REDIRECT);
    const network = addressGroup("2001:db8:9::1", 48);
    await useLimitForTests(LIMITS.authorizationPerNetwork, network, LIMITS.authorizationPerNetwork.max);
    await useLimitForTests(LIMITS.clientRegistrationPerNetwork, network, LIMITS.clientRegistrationPerNetwork.max);
    try {
      const before = await interactions();
      // A /64 of that /48 that hasn't sent anything yet: its own limit is untouched.
      const refused = await authorize(url, "2001:db8:9:77::1");
      expect(refused.status).toBe(429);
      expect(((await refused.json()) as { error_description: string }).error_description).toContain("from this network");
      expect(await interactions()).toBe(before);
      expect((await register([REDIRECT], "2001:db8:9:78::1")).status).toBe(429);
      expect((await authorize(url, "2001:db8:a:77::1")).status).toBe(303);
    } finally {
      await clearLimit(LIMITS.authorizationPerNetwork, network);
      await clearLimit(LIMITS.clientRegistrationPerNetwork, network);
    }
  });

  it("counts toward the shared ceiling only authorization requests for a known client", async () => {
    const { body } = await register([REDIRECT], "192.0.2.89");
    await useLimitForTests(LIMITS.authorizationOverall, "all", LIMITS.authorizationOverall.max);
    try {
      // Nobody's client: the authorization server refuses it without storing anything, so it
      // neither uses up everyone's share nor is turned away by it.
      expect((await authorize(authorizationRequest("nobody", REDIRECT), "192.0.2.89")).status).toBe(400);
      expect((await authorize(authorizationRequest(body.client_id ?? "", REDIRECT), "192.0.2.89")).status).toBe(503);
    } finally {
      await clearLimit(LIMITS.authorizationOverall, "all");
    }
  });

  it("limits token requests per address", async () => {
    await useUp(LIMITS.tokenRequestsPerAddress, "192.0.2.81");
    const res = await consoleFetch()(new URL("/oidc/token", ORIGIN), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...fromAddress("192.0.2.81") },
      body: new URLSearchParams({ grant_type: "authorization_code", code: "guess", client_id: "nobody", redirect_uri: REDIRECT, code_verifier: "v".repeat(43) }),
    });
    expect(res.status).toBe(429);
    await clearLimit(LIMITS.tokenRequestsPerAddress, "192.0.2.81");
  });

  it("counts client registrations per IPv6 /64", async () => {
    await useUp(LIMITS.clientRegistrationPerAddress, "2001:db8:8:1::1");
    expect((await register([REDIRECT], "2001:db8:8:1:abcd::9")).status).toBe(429);
    await clearLimit(LIMITS.clientRegistrationPerAddress, addressGroup("2001:db8:8:1::1"));
  });

  it("refuses an oversize authorization request and stores nothing for it", async () => {
    const { body } = await register([REDIRECT], "192.0.2.82");
    const before = await interactions();
    const url = authorizationRequest(body.client_id ?? "", REDIRECT, { state: "x".repeat(10_000) });
    expect((await authorize(url, "192.0.2.82")).status).toBe(400);
    // As a form: the authorization server takes none (404), and 50 KB isn't even read (413).
    const post = (form: URLSearchParams) => consoleFetch()(new URL("/oidc/auth", ORIGIN), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...fromAddress("192.0.2.82") },
      body: form.toString(),
    });
    expect((await post(url.searchParams)).status).toBe(404);
    url.searchParams.set("state", "x".repeat(50_000));
    expect((await post(url.searchParams)).status).toBe(413);
    expect(await interactions()).toBe(before);
    expect((await authorize(authorizationRequest(body.client_id ?? "", REDIRECT, { state: "x".repeat(1000) }), "192.0.2.82")).status).toBe(303);
  });

  it("offers only what MCP clients use: no pushed authorization requests, DPoP or userinfo", async () => {
    const metadata = (await (await consoleFetch()(new URL("/.well-known/oauth-authorization-server/oidc", ORIGIN))).json()) as Record<string, unknown>;
    expect(metadata.authorization_endpoint).toBeTruthy();
    expect(metadata).not.toHaveProperty("pushed_authorization_request_endpoint");
    expect(metadata).not.toHaveProperty("dpop_signing_alg_values_supported");
    expect(metadata).not.toHaveProperty("userinfo_endpoint");
    // Enterprise features are off here: no ID-JAG grant (tests/integration/id-jag-inbound.test.ts has it on).
    expect(metadata.grant_types_supported).not.toContain("urn:ietf:params:oauth:grant-type:jwt-bearer");
    expect(metadata).not.toHaveProperty("authorization_grant_profiles_supported");
    const pushed = await consoleFetch()(new URL("/oidc/request", ORIGIN), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...fromAddress("192.0.2.83") },
      body: new URLSearchParams({ client_id: "x", response_type: "code", redirect_uri: REDIRECT, state: "s" }),
    });
    expect(pushed.status).toBe(404);
  });

  it("a registered client expires when unused; each use keeps it", async () => {
    const { body } = await register([REDIRECT], "192.0.2.84");
    const where = { model_id: { model: "Client", id: oauthRecordKey(body.client_id ?? "") } };
    const expiry = async () => (await db().oAuthRecord.findUnique({ where }))?.expiresAt?.getTime() ?? 0;
    const idle = CLIENT_IDLE_SECONDS * 1000;
    expect(await expiry()).toBeGreaterThan(Date.now() + idle - 60_000);
    await db().oAuthRecord.update({ where, data: { expiresAt: new Date(Date.now() + 3_600_000) } });
    expect(await new PrismaAdapter("Client").find(body.client_id ?? "")).toBeDefined();
    expect(await expiry()).toBeGreaterThan(Date.now() + idle - 60_000);
    await db().oAuthRecord.update({ where, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await new PrismaAdapter("Client").find(body.client_id ?? "")).toBeUndefined();
    expect(await db().oAuthRecord.findUnique({ where })).toBeNull();
  });
});

describe("the authorization server's storage", () => {
  it("forgets what has expired and what was destroyed, finds by uid and grant", async () => {
    const adapter = new PrismaAdapter("Interaction");
    await adapter.upsert("int-1", { uid: "uid-1", grantId: "grant-1" }, 60);
    expect(await adapter.find("int-1")).toMatchObject({ uid: "uid-1" });
    expect(await adapter.findByUid("uid-1")).toMatchObject({ grantId: "grant-1" });
    await adapter.consume("int-1");
    expect((await adapter.find("int-1"))?.consumed).toBeGreaterThan(0);
    await adapter.revokeByGrantId("grant-1");
    expect(await adapter.find("int-1")).toBeUndefined();

    await adapter.upsert("int-2", { uid: "uid-2" }, 60);
    await db().oAuthRecord.updateMany({ where: { uid: "uid-2" }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await adapter.find("int-2")).toBeUndefined();
    // …and gone from the table once read, not kept until a prune.
    expect(await db().oAuthRecord.count({ where: { uid: "uid-2" } })).toBe(0);
    await adapter.upsert("int-3", { userCode: "ABCD" }, 60);
    expect(await adapter.findByUserCode("ABCD")).toBeDefined();
    await adapter.destroy("int-3");
    expect(await adapter.findByUserCode("ABCD")).toBeUndefined();
  });

  it("housekeeping deletes expired rows and keeps live ones", async () => {
    const adapter = new PrismaAdapter("Session");
    await adapter.upsert("live", { uid: "live-uid" }, 600);
    await adapter.upsert("stale", { uid: "stale-uid" }, 600);
    await db().oAuthRecord.updateMany({ where: { uid: "stale-uid" }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await pruneExpiredOAuthRecords()).toBeGreaterThanOrEqual(1);
    expect(await db().oAuthRecord.count({ where: { uid: "stale-uid" } })).toBe(0);
    expect(await adapter.find("live")).toMatchObject({ uid: "live-uid" });
  });

  it("prunes a bounded batch, oldest first", async () => {
    const adapter = new PrismaAdapter("PruneTest");
    for (const day of [1, 2, 3]) {
      await adapter.upsert(`old-${day}`, { uid: `prune-${day}` }, 60);
      await db().oAuthRecord.updateMany({ where: { uid: `prune-${day}` }, data: { expiresAt: new Date(Date.UTC(2000, 0, day)) } });
    }
    expect(await pruneExpiredOAuthRecords(new Date(), 2)).toBe(2);
    expect((await db().oAuthRecord.findMany({ where: { model: "PruneTest" }, select: { uid: true } })).map((row) => row.uid)).toEqual(["prune-3"]);
    await pruneExpiredOAuthRecords();
  });
});

// Last in the file: it uses up this address's registrations for the hour.
describe("dynamic client registration", () => {
  it("is rate-limited per address however the path is spelt", async () => {
    const statuses: number[] = [];
    for (let attempt = 0; attempt < LIMITS.clientRegistrationPerAddress.max + 1 && !statuses.includes(429); attempt++) {
      const res = await consoleFetch()(new URL(attempt % 2 ? "/oidc/REG" : "/oidc/Reg", ORIGIN), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ redirect_uris: [REDIRECT], token_endpoint_auth_method: "none", client_name: "flood" }),
      });
      statuses.push(res.status);
    }
    expect(statuses).toContain(429);
    await clearLimit(LIMITS.clientRegistrationPerAddress, readClientAddress(new Headers()));
  });
});
