// The MCP gateway (/mcp and /mcp/{server_identifier}) with the MCP SDK's own client and the
// official reference server behind it: what works directly works through it, as the caller.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { McpError, ToolListChangedNotificationSchema, type CallToolResult, type Progress } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { backgroundTasksSettled } from "@/lib/background";
import { db } from "@/lib/db";
import { pruneToolCalls } from "@/lib/activity/retention";
import { inFlightCountForTests } from "@/lib/gateway/in-flight";
import { closeWarmSessionsForTests } from "@/lib/mcp/client";
import { startEverythingServer } from "../../e2e/support/everything-server";
import { startRecordingProxy } from "../../e2e/support/recording-proxy";
import { connectGateway, gatewayFetch } from "./gateway-client";
import { call, createActor, ORIGIN, type Actor } from "./helpers";

let server: Awaited<ReturnType<typeof startEverythingServer>>;
let proxy: Awaited<ReturnType<typeof startRecordingProxy>>;
let admin: Actor & { email: string };
let member: Actor & { email: string };
let providerId: string;
let direct: Client;
const open: Client[] = [];

async function gateway(actor: Actor, path = "/mcp/everything") {
  const client = await connectGateway(actor.token, path);
  open.push(client);
  return client;
}

const textOf = (result: unknown) => ((result as CallToolResult).content[0] as { text: string }).text;

async function waitForRecords(where: Record<string, unknown>, count: number) {
  for (let i = 0; i < 50; i++) {
    const rows = await db().toolCall.findMany({ where, orderBy: { createdAt: "asc" } });
    if (rows.length >= count) return rows;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`expected ${count} activity records for ${JSON.stringify(where)}`);
}

beforeAll(async () => {
  server = await startEverythingServer();
  proxy = await startRecordingProxy(server.url);
  admin = await createActor("admin");
  member = await createActor("member", admin.workspaceId);
  const created = await call(admin, "POST /api/v1/mcp-providers", {
    body: { name: "Everything", server_identifier: "everything", server_url: proxy.url, headers: { "X-Demo": "yes" } },
  });
  expect(created.status, created.text).toBe(201);
  providerId = created.json.id;
  await backgroundTasksSettled();
  direct = new Client({ name: "direct", version: "1.0.0" });
  await direct.connect(new StreamableHTTPClientTransport(new URL(server.url)));
}, 60_000);

afterEach(async () => {
  await Promise.all(open.splice(0).map((client) => client.close()));
});

afterAll(async () => {
  await direct.close();
  closeWarmSessionsForTests();
  await proxy.stop();
  await server.stop();
});

describe("one provider: /mcp/{server_identifier}", () => {
  it("introduces itself as the server does, and lists the same tools, resources and prompts", async () => {
    const client = await gateway(member);
    expect(client.getServerVersion()).toEqual(direct.getServerVersion());
    expect(client.getServerCapabilities()?.tools).toBeDefined();
    expect(client.getServerCapabilities()?.resources).toEqual(direct.getServerCapabilities()?.resources);
    expect((await client.listTools()).tools).toEqual((await direct.listTools()).tools);
    expect((await client.listResources()).resources).toEqual((await direct.listResources()).resources);
    expect((await client.listPrompts()).prompts).toEqual((await direct.listPrompts()).prompts);
    const uri = (await direct.listResources()).resources[0].uri;
    expect(await client.readResource({ uri })).toEqual(await direct.readResource({ uri }));
    const prompt = await client.getPrompt({ name: "simple-prompt" });
    expect(prompt).toEqual(await direct.getPrompt({ name: "simple-prompt" }));
  });

  it("calls tools as the caller, and passes the server's own errors on as they came", async () => {
    const client = await gateway(member);
    expect(textOf(await client.callTool({ name: "echo", arguments: { message: "through the gateway" } }))).toContain("through the gateway");
    expect(textOf(await client.callTool({ name: "get-sum", arguments: { a: 2, b: 40 } }))).toContain("42");
    const bad = await client.callTool({ name: "get-sum", arguments: { a: "two" } });
    const bareBad = await direct.callTool({ name: "get-sum", arguments: { a: "two" } });
    expect(bad).toEqual(bareBad);
    // A JSON-RPC error is passed on with the server's own code and words, once.
    const rpcError = async (client: Client) => client.readResource({ uri: "demo://resource/static/document/no-such-thing" }).then(() => undefined, (error: unknown) => error as McpError);
    const viaGateway = await rpcError(client);
    const directly = await rpcError(direct);
    expect(directly).toBeInstanceOf(McpError);
    expect(viaGateway).toBeInstanceOf(McpError);
    expect({ code: viaGateway?.code, message: viaGateway?.message }).toEqual({ code: directly?.code, message: directly?.message });
    // …and the session stays warm: the next call still works.
    expect(textOf(await client.callTool({ name: "echo", arguments: { message: "still here" } }))).toContain("still here");
  });

  it("never sends the caller's token upstream: the server sees the provider's headers only", async () => {
    proxy.requests.length = 0;
    const client = await gateway(member);
    await client.callTool({ name: "echo", arguments: { message: "x" } });
    expect(proxy.requests.length).toBeGreaterThan(0);
    for (const request of proxy.requests) {
      expect(request.headers.authorization).toBeUndefined();
      expect(request.headers["x-demo"]).toBe("yes");
    }
  });

  it("passes progress back under the caller's token, and records the call", async () => {
    const client = await gateway(member);
    const progress: Progress[] = [];
    const result = await client.callTool({ name: "trigger-long-running-operation", arguments: { duration: 0.3, steps: 3 } }, undefined, { onprogress: (p) => progress.push(p) });
    expect(textOf(result)).toContain("Long running operation completed");
    expect(progress.map((p) => p.progress)).toEqual([1, 2, 3]);
    const [record] = await waitForRecords({ userId: member.userId, tool: "trigger-long-running-operation" }, 1);
    expect(record).toMatchObject({ via: "gateway", outcome: "ok", providerId, providerName: "Everything", identity: "off", workspaceId: admin.workspaceId });
  });

  it("a cancelled call stops upstream: the server is told, and nothing is left in flight", async () => {
    const client = await gateway(member);
    const controller = new AbortController();
    const call = client.callTool({ name: "trigger-long-running-operation", arguments: { duration: 5, steps: 5 } }, undefined, { signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 300));
    proxy.requests.length = 0;
    controller.abort("changed my mind");
    await expect(call).rejects.toThrow();
    for (let i = 0; i < 50 && inFlightCountForTests() > 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(inFlightCountForTests()).toBe(0);
    await expect.poll(() => proxy.requests.flatMap((request) => request.rpc)).toContain("notifications/cancelled");
    const [record] = await waitForRecords({ userId: member.userId, tool: "trigger-long-running-operation", outcome: "cancelled" }, 1);
    expect(record.durationMs).toBeLessThan(4000);
  });

  it("cancelling one of two calls in flight leaves the other to finish on the same warm session", async () => {
    const client = await gateway(member);
    const controller = new AbortController();
    const cancelled = client.callTool({ name: "trigger-long-running-operation", arguments: { duration: 3, steps: 3 } }, undefined, { signal: controller.signal });
    const kept = client.callTool({ name: "trigger-long-running-operation", arguments: { duration: 0.6, steps: 2 } });
    await new Promise((resolve) => setTimeout(resolve, 200));
    controller.abort("only that one");
    await expect(cancelled).rejects.toThrow();
    expect(textOf(await kept)).toContain("Long running operation completed");
  });

  it("answers 401 without a token or with a revoked one, and 404 for a server that isn't there", async () => {
    const post = (token: string | undefined, path = "/mcp/everything") =>
      gatewayFetch()(`${ORIGIN}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "t", version: "1" } } }),
      });
    const anonymous = await post(undefined);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toMatch(/^Bearer /);
    expect((await post("mcpc_not-a-real-token")).status).toBe(401);
    const unknown = await post(member.token, "/mcp/nothing-here");
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { detail: string }).detail).toContain('No MCP server "nothing-here"');
    // An identifier no provider can have, kilobytes long: the same 404, its echo cut short.
    const hostile = await post(member.token, `/mcp/${"a".repeat(8000)}`);
    expect(hostile.status).toBe(404);
    expect(((await hostile.json()) as { detail: string }).detail.length).toBeLessThan(200);
    const other = await createActor("admin");
    expect((await post(other.token)).status).toBe(404); // another workspace's provider is not there either
  });
});

describe("the workspace: /mcp", () => {
  it("lists every provider's tools as {server}__{tool} and calls them", async () => {
    const client = await gateway(member, "/mcp");
    expect(client.getServerVersion()?.name).toBe("mcp-console");
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    const directNames = (await direct.listTools()).tools.map((tool) => `everything__${tool.name}`);
    expect(names).toEqual(expect.arrayContaining(directNames));
    expect(textOf(await client.callTool({ name: "everything__get-sum", arguments: { a: 1, b: 2 } }))).toContain("3");
    await expect(client.callTool({ name: "nowhere__echo", arguments: {} })).rejects.toThrow(/Unknown tool/);
  });
});

describe("tool policy", () => {
  afterEach(async () => {
    await call(admin, "PATCH /api/v1/mcp-providers/{id}", { params: { id: providerId }, body: { tool_policy: { disabled: [] } } });
  });

  it("a disabled tool is absent from both endpoints' lists and refused by every path", async () => {
    const patched = await call(admin, "PATCH /api/v1/mcp-providers/{id}", { params: { id: providerId }, body: { tool_policy: { disabled: ["echo"] } } });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.json.tool_policy).toEqual({ disabled: ["echo"], ask: [] });

    const one = await gateway(member);
    expect((await one.listTools()).tools.map((t) => t.name)).not.toContain("echo");
    const refused = (await one.callTool({ name: "echo", arguments: { message: "x" } })) as CallToolResult;
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toBe("An admin has turned off echo on Everything; it can't be called.");

    const all = await gateway(member, "/mcp");
    expect((await all.listTools()).tools.map((t) => t.name)).not.toContain("everything__echo");
    expect(((await all.callTool({ name: "everything__echo", arguments: { message: "x" } })) as CallToolResult).isError).toBe(true);

    const rest = await call(member, "POST /api/v1/mcp-providers/{id}/tools/{tool}/call", { params: { id: providerId, tool: "echo" }, body: { arguments: { message: "x" } } });
    expect(rest.status).toBe(403);
    expect(rest.json).toMatchObject({ code: "tool_disabled" });

    const listed = await call(member, "GET /api/v1/mcp-providers/{id}/tools", { params: { id: providerId } });
    expect(listed.json.data.find((t) => t.name === "echo")?.enabled).toBe(false);
    expect(listed.json.data.find((t) => t.name === "get-sum")?.enabled).toBe(true);

    const records = await waitForRecords({ userId: member.userId, tool: "echo", outcome: "tool_disabled" }, 3);
    expect(records.map((r) => r.via).sort()).toEqual(["api", "gateway", "gateway"]);
  });

  it("only admins change it", async () => {
    const res = await call(member, "PATCH /api/v1/mcp-providers/{id}", { params: { id: providerId }, body: { tool_policy: { disabled: ["echo"] } } });
    expect(res.status).toBe(403);
  });
});

describe("the activity log", () => {
  it("admins see the workspace's calls and filter them; members see their own; nobody sees arguments", async () => {
    const client = await gateway(admin);
    await client.callTool({ name: "echo", arguments: { message: "secret words" } });
    await waitForRecords({ userId: admin.userId, tool: "echo", outcome: "ok" }, 1);
    await call(member, "POST /api/v1/mcp-providers/{id}/tools/{tool}/call", { params: { id: providerId, tool: "get-sum" }, body: { arguments: { a: 1, b: 1 } } });
    await waitForRecords({ userId: member.userId, tool: "get-sum", via: "api" }, 1);

    const all = await call(admin, "GET /api/v1/tool-calls", { query: { provider: providerId } });
    expect(all.status, all.text).toBe(200);
    expect(new Set(all.json.data.map((c) => c.user.email))).toEqual(new Set([admin.email, member.email]));
    expect(all.text).not.toContain("secret words");
    const latest = all.json.data[0];
    expect(latest).toMatchObject({ via: "api", tool: "get-sum", outcome: "ok", user: { id: member.userId, email: member.email }, provider: { id: providerId, name: "Everything" }, identity: "off" });
    expect(latest.duration_ms).toBeGreaterThanOrEqual(0);

    const own = await call(member, "GET /api/v1/tool-calls");
    expect(own.json.data.length).toBeGreaterThan(0);
    expect(own.json.data.every((c) => c.user.id === member.userId)).toBe(true);
    expect((await call(member, "GET /api/v1/tool-calls", { query: { user: admin.userId } })).status).toBe(403);

    const onlyAdmin = await call(admin, "GET /api/v1/tool-calls", { query: { user: admin.userId } });
    expect(onlyAdmin.json.data.every((c) => c.user.id === admin.userId)).toBe(true);
    const errors = await call(admin, "GET /api/v1/tool-calls", { query: { outcome: "error" } });
    expect(errors.json.data.every((c) => c.outcome !== "ok")).toBe(true);
    expect((await call(admin, "GET /api/v1/tool-calls", { query: { outcome: "not ok!" } })).status).toBe(422);
  });

  it("pages newest first with a cursor, and another workspace sees none of it", async () => {
    const first = await call(admin, "GET /api/v1/tool-calls", { query: { limit: "2" } });
    expect(first.json.data).toHaveLength(2);
    expect(first.json.next_cursor).toEqual(expect.any(String));
    const second = await call(admin, "GET /api/v1/tool-calls", { query: { limit: "2", cursor: first.json.next_cursor ?? "" } });
    expect(second.json.data[0].at <= first.json.data[1].at).toBe(true);
    expect(second.json.data.map((c) => c.id)).not.toContain(first.json.data[1].id);
    const stranger = await createActor("admin");
    expect((await call(stranger, "GET /api/v1/tool-calls")).json.data).toEqual([]);
  });

  it("forgets calls older than the retention", async () => {
    const old = new Date(Date.now() - 31 * 24 * 60 * 60_000);
    await db().toolCall.create({
      data: { id: crypto.randomUUID(), workspaceId: admin.workspaceId, userId: admin.userId, userEmail: admin.email, providerId, providerName: "Everything", tool: "old", via: "api", outcome: "ok", durationMs: 1, identity: "off", requestId: "r", createdAt: old },
    });
    expect(await pruneToolCalls()).toBeGreaterThanOrEqual(1);
    expect(await db().toolCall.count({ where: { tool: "old" } })).toBe(0);
    expect(await db().toolCall.count({ where: { workspaceId: admin.workspaceId } })).toBeGreaterThan(0);
  });
});

describe("notifications and the transport", () => {
  it("tells a connected client when the workspace's providers change (notifications/tools/list_changed)", async () => {
    const client = await gateway(member, "/mcp");
    const changed = new Promise<void>((resolve) => {
      client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
        resolve();
        return Promise.resolve();
      });
    });
    // The client opens its event stream right after initialize; give it a moment to be listening.
    await new Promise((resolve) => setTimeout(resolve, 200));
    try {
      await call(admin, "PATCH /api/v1/mcp-providers/{id}", { params: { id: providerId }, body: { name: "Everything!" } });
      await expect(Promise.race([changed.then(() => "notified"), new Promise((resolve) => setTimeout(() => { resolve("silent"); }, 3000))])).resolves.toBe("notified");
    } finally {
      await call(admin, "PATCH /api/v1/mcp-providers/{id}", { params: { id: providerId }, body: { name: "Everything" } });
    }
  });

  it("a user holds at most ten event streams; closing one frees its place", async () => {
    const user = await createActor("member", admin.workspaceId);
    const controllers = Array.from({ length: 11 }, () => new AbortController());
    const open = (controller: AbortController) =>
      gatewayFetch()(`${ORIGIN}/mcp`, { method: "GET", signal: controller.signal, headers: { authorization: `Bearer ${user.token ?? ""}`, accept: "text/event-stream" } });
    const streams = [];
    for (const controller of controllers.slice(0, 10)) streams.push(await open(controller));
    expect(streams.map((res) => res.status)).toEqual(Array(10).fill(200));
    const refused = await open(controllers[10]);
    expect(refused.status).toBe(429);
    await streams[0].body?.cancel();
    expect((await open(controllers[10])).status).toBe(200);
    for (const [index, res] of streams.entries()) if (index > 0) await res.body?.cancel();
    controllers.forEach((controller) => { controller.abort(); });
  });

  it("a session holds nothing: DELETE ends it at once, other methods are refused", async () => {
    const send = (method: string) => gatewayFetch()(`${ORIGIN}/mcp`, { method, headers: { authorization: `Bearer ${member.token ?? ""}` } });
    expect((await send("DELETE")).status).toBe(204);
    const put = await send("PUT");
    expect(put.status).toBe(405);
    expect(put.headers.get("allow")).toBe("GET, POST, DELETE, OPTIONS");
    expect((await send("GET")).status).toBe(406); // a GET is an event stream, or nothing
  });

  it("a provider that can't be reached still lists its last known tools, and a call says why", async () => {
    const admin2 = await createActor("admin");
    const gone = await startEverythingServer();
    const dead = await call(admin2, "POST /api/v1/mcp-providers", { body: { name: "Gone", server_identifier: "gone", server_url: gone.url } });
    expect(dead.status).toBe(201);
    await backgroundTasksSettled();
    // Discovered while the server was there: asked again, in case the one after the create met a closing socket (seen under CI load).
    expect((await call(admin2, "POST /api/v1/mcp-providers/{id}/tools/refresh", { params: { id: dead.json.id } })).status).toBe(200);
    await gone.stop();
    closeWarmSessionsForTests();
    const client = await gateway(admin2, "/mcp");
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    expect(names).toContain("gone__echo");
    const result = (await client.callTool({ name: "gone__echo", arguments: { message: "x" } })) as CallToolResult;
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/^Couldn't talk to Gone: the server is unreachable/);
  });

});
