// PATCH is JSON Merge Patch (RFC 7396): every rule proven field by field, through the route handler,
// against the real database.
import { generateKeyPairSync } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { toDocument } from "@/lib/providers/record";
import { backgroundTasksSettled } from "@/lib/background";
import { db } from "@/lib/db";
import { call, createActor, uniqueProvider, type Actor } from "./helpers";

let admin: Actor;

beforeAll(async () => {
  admin = await createActor("admin");
});

const FULL = {
  icon: { type: "emoji", content: "🔧", background: "#EEF" },
  headers: { "X-Api-Key": "sk-keep-me-123", "X-Old": "old-value-999" },
  authentication: { type: "oauth", connection: "shared", client_id: "client-1", client_secret: "client-secret-1" },
  configuration: { timeout: 45, sse_read_timeout: 900 },
  identity_mode: "idp_token",
};

async function createFull() {
  const res = await call(admin, "POST /api/v1/mcp-providers", { body: uniqueProvider(FULL) });
  expect(res.status, res.text).toBe(201);
  return res.json;
}

async function patch(id: string, body: unknown, headers?: Record<string, string>) {
  return call(admin, "PATCH /api/v1/mcp-providers/{id}", { params: { id }, body, headers });
}

/** The stored state, secrets decrypted: what a patch must (not) have touched. */
async function stored(id: string) {
  return toDocument(await db().mcpProvider.findUniqueOrThrow({ where: { id } }));
}

describe("PATCH /api/v1/mcp-providers/{id}", () => {
  it("{} changes nothing, not even the version", async () => {
    const created = await createFull();
    await backgroundTasksSettled(); // the discovery after the create has written what it found
    const read = await call(admin, "GET /api/v1/mcp-providers/{id}", { params: { id: created.id } });
    const before = await stored(created.id);
    const res = await patch(created.id, {});
    expect(res.status).toBe(200);
    expect(res.json).toEqual(read.json);
    expect(await stored(created.id)).toEqual(before);
  });

  it("a patch that sets the current values is a no-op too", async () => {
    const created = await createFull();
    const res = await patch(created.id, { name: created.name, configuration: { timeout: 45 } });
    expect(res.json.version).toBe(1);
  });

  it.each([
    ["name", (): string => "Renamed"],
    ["server_identifier", () => `r-${Math.random().toString(36).slice(2, 12)}`],
    ["identity_mode", (): string => "off"],
  ] as const)("changing only %s leaves every other field as it was", async (field, value) => {
    const created = await createFull();
    const before = await stored(created.id);
    const next = value();
    const res = await patch(created.id, { [field]: next });
    expect(res.status, res.text).toBe(200);
    expect(res.json.version).toBe(2);
    const after = await stored(created.id);
    expect(after[field]).toBe(next);
    expect({ ...after, [field]: undefined }).toEqual({ ...before, [field]: undefined });
  });

  it("moving server_url to another origin drops the secrets not sent again, says which, and forgets the old server's tools", async () => {
    const created = await createFull();
    await db().mcpProvider.update({ where: { id: created.id }, data: { tools: JSON.stringify([{ name: "old", title: null, description: null, input_schema: {} }]), authed: true, toolsFetchedAt: new Date() } });
    const res = await patch(created.id, { server_url: `https://elsewhere.example/${Math.random().toString(36).slice(2)}`, headers: { "x-api-key": "sk-sent-again-456" } });
    expect(res.status, res.text).toBe(200);
    expect(res.json.dropped_secrets).toEqual(["authentication.client_secret", "headers.X-Old"]);
    expect(res.json).toMatchObject({ tools_count: 0, authed: false, tools_fetched_at: null, authentication: { client_id: "client-1", client_secret: null } });
    const after = await stored(created.id);
    expect(after.headers).toEqual({ "x-api-key": "sk-sent-again-456" });
    expect(after.authentication).toEqual({ type: "oauth", connection: "shared", client_id: "client-1" });
    const audit = await db().auditEvent.findFirstOrThrow({ where: { providerId: created.id, action: "provider.updated" } });
    expect(JSON.parse(audit.fields)).toEqual(expect.arrayContaining(["server_url", "headers.X-Old", "authentication.client_secret"]));
  });

  it("a server_url change within the origin keeps the headers; on another path it drops the OAuth client secret (another tenant's server may name another authorization server)", async () => {
    const created = await createFull();
    const query = await patch(created.id, { server_url: `${(await stored(created.id)).server_url}?region=eu` });
    expect(query.status, query.text).toBe(200);
    expect(query.json.dropped_secrets).toBeUndefined();
    expect(await stored(created.id)).toMatchObject({ headers: FULL.headers, authentication: FULL.authentication });
    const path = await patch(created.id, { server_url: `https://mcp.example.com/v2/${Math.random().toString(36).slice(2)}` });
    expect(path.status).toBe(200);
    expect(path.json.dropped_secrets).toEqual(["authentication.client_secret"]);
    expect(await stored(created.id)).toMatchObject({ headers: FULL.headers, authentication: { type: "oauth", connection: "shared", client_id: "client-1" } });
    expect((await stored(created.id)).authentication?.client_secret).toBeUndefined();
  });

  it("header names match whatever their case: x-old: null removes a stored X-Old", async () => {
    const created = await createFull();
    const res = await patch(created.id, { headers: { "x-old": null } });
    expect(res.status).toBe(200);
    expect(Object.keys(res.json.headers)).toEqual(["X-Api-Key"]);
    expect((await stored(created.id)).headers).toEqual({ "X-Api-Key": "sk-keep-me-123" });
  });

  it("refuses headers the transport owns and values the HTTP client would refuse, changing nothing", async () => {
    const created = await createFull();
    const before = await stored(created.id);
    for (const headers of [{ "Mcp-Session-Id": "fixed" }, { Cookie: "a=b" }, { Accept: "*/*" }, { "X-Key": "caf\u00e9" }, { "X-Key": "a\u0007b" }]) {
      const res = await patch(created.id, { headers });
      expect(res.status, JSON.stringify(headers)).toBe(422);
      expect(res.json.errors?.[0].path).toMatch(/^headers/);
    }
    expect(await stored(created.id)).toEqual(before);
  });

  it("null on one header removes it and keeps the others", async () => {
    const created = await createFull();
    const res = await patch(created.id, { headers: { "X-Old": null } });
    expect(res.json.headers).toEqual({ "X-Api-Key": "sk******23" });
    expect((await stored(created.id)).headers).toEqual({ "X-Api-Key": "sk-keep-me-123" });
  });

  it("a header value adds or replaces that header only", async () => {
    const created = await createFull();
    await patch(created.id, { headers: { "X-New": "new-value-1", "X-Old": "replaced-value" } });
    expect((await stored(created.id)).headers).toEqual({ "X-Api-Key": "sk-keep-me-123", "X-Old": "replaced-value", "X-New": "new-value-1" });
  });

  it("headers: null removes all headers", async () => {
    const created = await createFull();
    const res = await patch(created.id, { headers: null });
    expect(res.json.headers).toEqual({});
    expect((await stored(created.id)).headers).toBeUndefined();
  });

  it("removing the last header leaves no headers", async () => {
    const created = await createFull();
    await patch(created.id, { headers: { "X-Old": null, "X-Api-Key": null } });
    expect((await stored(created.id)).headers).toBeUndefined();
  });

  it("configuration merges: timeout alone keeps sse_read_timeout", async () => {
    const created = await createFull();
    const res = await patch(created.id, { configuration: { timeout: 10 } });
    expect(res.json.configuration).toEqual({ timeout: 10, sse_read_timeout: 900 });
    const res2 = await patch(created.id, { configuration: { sse_read_timeout: 20 } });
    expect(res2.json.configuration).toEqual({ timeout: 10, sse_read_timeout: 20 });
  });

  it("omitting configuration never resets it to the defaults", async () => {
    const created = await createFull();
    await patch(created.id, { name: "Only the name" });
    expect((await stored(created.id)).configuration).toEqual({ timeout: 45, sse_read_timeout: 900 });
  });

  it("authentication merges: a new secret keeps the client id; null secret removes only the secret", async () => {
    const created = await createFull();
    await patch(created.id, { authentication: { client_secret: "rotated-secret" } });
    expect((await stored(created.id)).authentication).toEqual({ type: "oauth", connection: "shared", client_id: "client-1", client_secret: "rotated-secret" });
    const res = await patch(created.id, { authentication: { client_secret: null } });
    expect(res.json.authentication).toEqual({ type: "oauth", connection: "shared", grant_type: "authorization_code", client_id: "client-1", client_secret: null, private_key: null, scope: null });
    expect((await stored(created.id)).authentication).toEqual({ type: "oauth", connection: "shared", client_id: "client-1" });
  });

  it("authentication merges a machine grant: the private key is stored, shown masked, and removed alone by null", async () => {
    const created = await createFull();
    const key = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const res = await patch(created.id, { authentication: { grant_type: "client_credentials", client_secret: null, private_key: key } });
    expect(res.status).toBe(200);
    expect(res.json.authentication).toEqual({ type: "oauth", connection: "shared", grant_type: "client_credentials", client_id: "client-1", client_secret: null, private_key: "--******--", scope: null });
    expect(res.text).not.toContain("PRIVATE KEY");
    expect((await stored(created.id)).authentication).toEqual({ type: "oauth", connection: "shared", grant_type: "client_credentials", client_id: "client-1", private_key: key });
    const refused = await patch(created.id, { authentication: { private_key: null } });
    expect(refused.status).toBe(422);
    await patch(created.id, { authentication: { grant_type: null, private_key: null } });
    expect((await stored(created.id)).authentication).toEqual({ type: "oauth", connection: "shared", client_id: "client-1" });
  });

  it("authentication: null removes the OAuth client", async () => {
    const created = await createFull();
    const res = await patch(created.id, { authentication: null });
    expect(res.json.authentication).toBeNull();
    expect((await stored(created.id)).authentication).toBeUndefined();
  });

  it("a secret without a client id is refused when there is no client yet", async () => {
    const res = await call(admin, "POST /api/v1/mcp-providers", { body: uniqueProvider() });
    const orphan = await patch(res.json.id, { authentication: { type: "oauth", connection: "shared", client_secret: "orphan" } });
    expect(orphan.status).toBe(422);
    expect(orphan.json.errors?.map((error) => error.path)).toEqual(["authentication.client_secret"]);
    // Without OAuth there is nothing to put a secret in: the type and the connection are needed first.
    const bare = await patch(res.json.id, { authentication: { client_secret: "orphan" } });
    expect(bare.status).toBe(422);
    expect(bare.json.errors?.map((error) => error.path)).toEqual(expect.arrayContaining(["authentication.type", "authentication.connection"]));
  });

  it("icon merges within its type, is replaced when the type changes, and null removes it", async () => {
    const created = await createFull();
    expect((await patch(created.id, { icon: { background: "#000" } })).json.icon).toEqual({ type: "emoji", content: "🔧", background: "#000" });
    expect((await patch(created.id, { icon: { type: "url", url: "https://example.com/i.png" } })).json.icon).toEqual({
      type: "url",
      url: "https://example.com/i.png",
    });
    expect((await patch(created.id, { icon: null })).json.icon).toBeNull();
  });

  it.each([
    [{ name: null }, "name"],
    [{ server_url: null }, "server_url"],
    [{ server_identifier: null }, "server_identifier"],
    [{ configuration: null }, "configuration"],
    [{ identity_mode: null }, "identity_mode"],
    [{ configuration: { timeout: null } }, "configuration.timeout"],
    [{ configuration: { timeout: 0 } }, "configuration.timeout"],
    [{ headers: { Host: "evil" } }, "headers.Host"],
    [{ unknown_field: 1 }, "unknown_field"],
    [{ configuration: { retries: 3 } }, "configuration.retries"],
    [{ identity_mode: "saml_bridge" }, "identity_mode"],
  ])("refuses %j with 422 on %s and writes nothing", async (body, path) => {
    const created = await createFull();
    const before = await stored(created.id);
    const res = await patch(created.id, body);
    expect(res.status).toBe(422);
    expect(res.json.errors?.map((e) => e.path)).toContain(path);
    expect(await stored(created.id)).toEqual(before);
    expect((await call(admin, "GET /api/v1/mcp-providers/{id}", { params: { id: created.id } })).json.version).toBe(1);
  });

  it("If-Match: the current version succeeds, a stale one is 412 and writes nothing", async () => {
    const created = await createFull();
    const ok = await patch(created.id, { name: "v2" }, { "if-match": '"1"' });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("etag")).toBe('"2"');
    const stale = await patch(created.id, { name: "v3" }, { "if-match": '"1"' });
    expect(stale.status).toBe(412);
    expect(stale.json.code).toBe("precondition_failed");
    expect((await stored(created.id)).name).toBe("v2");
    expect((await patch(created.id, { name: "v3" }, { "if-match": "garbage" })).status).toBe(412);
    expect((await patch(created.id, { name: "v3" }, { "if-match": "*" })).status).toBe(200);
  });

  it("renaming onto another provider's name is a 409 and changes nothing", async () => {
    const first = await createFull();
    const second = await call(admin, "POST /api/v1/mcp-providers", { body: uniqueProvider() });
    const res = await patch(second.json.id, { name: first.name });
    expect(res.status).toBe(409);
    expect(res.json.errors?.[0].path).toBe("name");
    expect((await stored(second.json.id)).name).toBe(second.json.name);
  });
});
