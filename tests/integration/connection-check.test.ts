// "Test connection": a provider's settings tried against its server before anyone saves them —
// against the official reference server, a server that refuses, a closed port and a blocked address.
import { generateKeyPairSync } from "node:crypto";
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backgroundTasksSettled } from "@/lib/background";
import { db } from "@/lib/db";
import { startEverythingServer } from "../../e2e/support/everything-server";
import { listenOnFreePort, startDroppingServer } from "../../e2e/support/ports";
import { startRecordingProxy } from "../../e2e/support/recording-proxy";
import { call, createActor, type Actor } from "./helpers";

let server: Awaited<ReturnType<typeof startEverythingServer>>;
let stored: Awaited<ReturnType<typeof startRecordingProxy>>;
let elsewhere: Awaited<ReturnType<typeof startRecordingProxy>>;
let refusing: http.Server;
let refusingUrl: string;
let admin: Actor;
let member: Actor;

beforeAll(async () => {
  server = await startEverythingServer();
  stored = await startRecordingProxy(server.url);
  elsewhere = await startRecordingProxy(server.url);
  refusing = http.createServer((_req, res) => { res.writeHead(401, { "content-type": "application/json" }).end('{"error":"invalid_token"}'); });
  refusingUrl = `http://127.0.0.1:${await listenOnFreePort(refusing)}/mcp`;
  admin = await createActor("admin");
  member = await createActor("member", admin.workspaceId);
}, 60_000);

afterAll(async () => {
  await Promise.all([server.stop(), stored.stop(), elsewhere.stop()]);
  await new Promise((resolve) => refusing.close(resolve));
});

/** What reached `proxy` from request `since` on, as `method rpc… x-api-key` lines: the assertion and, if it fails, its evidence. */
const keysSent = (proxy: typeof stored, since: number) => proxy.requests.slice(since).map((request) => `${request.method} ${request.rpc.join(",") || "-"} ${String(request.headers["x-api-key"])}`);

const newProvider = (serverUrl: string, extra: Record<string, unknown> = {}) => ({ name: `Check ${Math.random().toString(36).slice(2, 8)}`, server_identifier: `check${Math.random().toString(36).slice(2, 8)}`, server_url: serverUrl, ...extra });

describe("testing a new provider's settings", () => {
  it("lists the server's tools as the admin and saves nothing", async () => {
    const before = await db().mcpProvider.count({ where: { workspaceId: admin.workspaceId } });
    const since = stored.requests.length;
    const checked = await call(admin, "POST /api/v1/mcp-providers/check", { body: newProvider(stored.url, { headers: { "X-Api-Key": "typed-in" } }) });
    expect(checked.status, checked.text).toBe(200);
    expect(checked.json).toMatchObject({ ok: true, failure: null, message: null });
    expect(checked.json.tools_count).toBeGreaterThan(5);
    const sent = keysSent(stored, since);
    expect(sent, sent.join("\n")).toContain("POST tools/list typed-in");
    expect(sent.filter((line) => line.includes("tools/list") && !line.endsWith(" typed-in")), sent.join("\n")).toEqual([]);
    expect(await db().mcpProvider.count({ where: { workspaceId: admin.workspaceId } })).toBe(before);
  });

  it("says what is wrong, in words an admin can act on", async () => {
    const refused = await call(admin, "POST /api/v1/mcp-providers/check", { body: newProvider(refusingUrl) });
    expect(refused.json).toMatchObject({ ok: false, failure: "unauthorized", tools_count: null });
    expect(refused.json.message).toContain("refused the provider's credentials (401)");

    const dropping = await startDroppingServer();
    try {
      const unreachable = await call(admin, "POST /api/v1/mcp-providers/check", { body: newProvider(`http://127.0.0.1:${dropping.port}/mcp`) });
      expect(unreachable.json).toMatchObject({ ok: false, failure: "unreachable" });
    } finally {
      await dropping.stop();
    }

    const blocked = await call(admin, "POST /api/v1/mcp-providers/check", { body: newProvider("http://10.0.0.1/mcp") });
    expect(blocked.json).toMatchObject({ ok: false, failure: "blocked" });
    expect(blocked.json.message).toContain("ask your operator to allow this host");
  });

  it("a machine grant is tried for that check alone: what went wrong, never a 500, and no connection is kept", async () => {
    const dropping = await startDroppingServer();
    try {
      const privateKey = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
      const machine = { type: "oauth", connection: "shared", grant_type: "client_credentials", client_id: "console-m2m", private_key: privateKey };
      const checked = await call(admin, "POST /api/v1/mcp-providers/check", { body: newProvider(`http://127.0.0.1:${dropping.port}/mcp`, { authentication: machine }) });
      expect(checked.status, checked.text).toBe(200);
      expect(checked.json).toMatchObject({ ok: false, tools_count: null });
      expect(checked.json.message).toContain("authorization server didn't give the console a token");
      expect(await db().upstreamConnection.count({ where: { workspaceId: admin.workspaceId } })).toBe(0);
    } finally {
      await dropping.stop();
    }
  });

  it("refuses bad settings as registering would, and members", async () => {
    const invalid = await call(admin, "POST /api/v1/mcp-providers/check", { body: { name: "", server_url: "ftp://x" } });
    expect(invalid.status).toBe(422);
    expect((await call(member, "POST /api/v1/mcp-providers/check", { body: newProvider(stored.url) })).status).toBe(403);
  });
});

describe("testing changes to a registered provider", () => {
  it("uses the stored secrets on the same server, none on another, and changes nothing", async () => {
    const created = await call(admin, "POST /api/v1/mcp-providers", { body: newProvider(stored.url, { headers: { "X-Api-Key": "stored-secret" } }) });
    expect(created.status, created.text).toBe(201);
    await backgroundTasksSettled();
    const before = await db().mcpProvider.findUniqueOrThrow({ where: { id: created.json.id } });

    const since = stored.requests.length;
    const same = await call(admin, "POST /api/v1/mcp-providers/{id}/check", { params: { id: created.json.id }, body: {} });
    expect(same.json).toMatchObject({ ok: true });
    const sent = keysSent(stored, since);
    expect(sent, sent.join("\n")).toContain("POST tools/list stored-secret");
    expect(sent.filter((line) => line.includes("tools/list") && !line.endsWith(" stored-secret")), sent.join("\n")).toEqual([]);

    // Another origin: as a save would, the stored header value stays behind.
    const moved = await call(admin, "POST /api/v1/mcp-providers/{id}/check", { params: { id: created.json.id }, body: { server_url: elsewhere.url } });
    expect(moved.json).toMatchObject({ ok: true });
    expect(elsewhere.requests.length).toBeGreaterThan(0);
    expect(elsewhere.requests.every((request) => request.headers["x-api-key"] === undefined)).toBe(true);

    const after = await db().mcpProvider.findUniqueOrThrow({ where: { id: created.json.id } });
    expect({ version: after.version, url: after.serverUrlHash, discoveryAt: after.discoveryAt }).toEqual({ version: before.version, url: before.serverUrlHash, discoveryAt: before.discoveryAt });
  });

  it("is a 404 in another workspace", async () => {
    const created = await call(admin, "POST /api/v1/mcp-providers", { body: newProvider(stored.url) });
    const outsider = await createActor("admin");
    expect((await call(outsider, "POST /api/v1/mcp-providers/{id}/check", { params: { id: created.json.id }, body: {} })).status).toBe(404);
  });
});
