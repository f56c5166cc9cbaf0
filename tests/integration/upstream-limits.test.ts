// What an MCP server may make the console hold: one message of at most 4 MiB (a JSON answer or one
// event of a stream), and a tool list the console keeps whole or not at all. Against a real SDK
// server whose tools and answers the test makes as large as it likes.
import http from "node:http";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backgroundTasksSettled } from "@/lib/background";
import { db } from "@/lib/db";
import { closeWarmSessionsForTests } from "@/lib/mcp/client";
import { asyncListener, jsonRpcMethods, parseJson, readBody } from "../../e2e/support/http";
import { listenOnFreePort } from "../../e2e/support/ports";
import { call, createActor, type Actor } from "./helpers";

type Shape = { tools: { name: string; description: string }[]; answer: string; json: boolean };
let shape: Shape;
let server: http.Server;
let serverUrl: string;
let admin: Actor;
/** tools/list requests the server has received. */
let listed = 0;

const MiB = 1024 * 1024;
const small = (count = 2): Shape["tools"] => Array.from({ length: count }, (_, i) => ({ name: `tool_${i}`, description: `Tool number ${i}.` }));

beforeAll(async () => {
  shape = { tools: small(), answer: "ok", json: false };
  server = http.createServer(asyncListener(async (req, res) => {
    if (req.method !== "POST") return void res.writeHead(405).end();
    const mcp = new McpServer({ name: "bulky", version: "1.0.0" });
    for (const tool of shape.tools) mcp.registerTool(tool.name, { description: tool.description, inputSchema: {} }, () => ({ content: [{ type: "text", text: shape.answer }] }));
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: shape.json });
    res.on("close", () => {
      void transport.close();
      void mcp.close();
    });
    await mcp.connect(transport);
    const body = parseJson(await readBody(req));
    listed += jsonRpcMethods(body).filter((method) => method === "tools/list").length;
    await transport.handleRequest(req, res, body);
  }));
  serverUrl = `http://127.0.0.1:${await listenOnFreePort(server)}/mcp`;
  admin = await createActor("admin");
}, 60_000);

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function provider() {
  shape = { tools: small(), answer: "ok", json: false };
  const n = Math.random().toString(36).slice(2, 8);
  const created = await call(admin, "POST /api/v1/mcp-providers", { body: { name: `Bulky ${n}`, server_identifier: `bulky-${n}`, server_url: `${serverUrl}?p=${n}` } });
  expect(created.status, created.text).toBe(201);
  await backgroundTasksSettled();
  closeWarmSessionsForTests();
  return created.json.id;
}

const refresh = (id: string) => call(admin, "POST /api/v1/mcp-providers/{id}/tools/refresh", { params: { id } });

/** What is stored and shown after a refused discovery: the last good list, and why the new one wasn't kept. */
async function expectKeptAndSaid(id: string, reason: string) {
  const tools = await call(admin, "GET /api/v1/mcp-providers/{id}/tools", { params: { id } });
  expect(tools.json.data.map((tool) => tool.name)).toEqual(["tool_0", "tool_1"]);
  expect((await db().mcpProvider.findUniqueOrThrow({ where: { id } })).tools.length).toBeLessThan(1000);
  const shown = await call(admin, "GET /api/v1/mcp-providers/{id}", { params: { id } });
  expect(shown.json.discovery).toMatchObject({ status: "failed" });
  expect(shown.json.discovery.message).toContain(reason);
}

describe("what a server may send", () => {
  for (const json of [false, true]) {
    it(`a ${json ? "JSON answer" : "stream event"} over 4 MiB is refused, said so, and nothing of it stored`, async () => {
      const id = await provider();
      expect((await refresh(id)).status).toBe(200);
      shape = { tools: [...small(), { name: "huge", description: "x".repeat(5 * MiB) }], answer: "ok", json };
      const started = Date.now();
      const refused = await refresh(id);
      expect(refused.status).toBe(502);
      expect(refused.json.detail).toContain("an MCP message larger than 4 MiB");
      expect(Date.now() - started).toBeLessThan(10_000); // said at once, not after the provider's timeout
      await expectKeptAndSaid(id, "larger than 4 MiB");
    });
  }

  it("a tool result over 4 MiB fails the call at once with the reason", async () => {
    const id = await provider();
    shape.answer = "y".repeat(5 * MiB);
    const res = await call(admin, "POST /api/v1/mcp-providers/{id}/tools/{tool}/call", { params: { id, tool: "tool_0" }, body: { arguments: {} } });
    expect(res.status).toBe(502);
    expect(res.json.detail).toContain("larger than 4 MiB");
  });

  it("a tool too large to keep is refused with the list it came in; the last good list stays", async () => {
    const id = await provider();
    expect((await refresh(id)).status).toBe(200);
    shape.tools = [...small(), { name: "wordy", description: "w".repeat(100 * 1024) }];
    const refused = await refresh(id);
    expect(refused.status).toBe(502);
    expect(refused.json.detail).toContain('tool "wordy" takes 101 KiB');
    await expectKeptAndSaid(id, "at most 64 KiB per tool");

    shape.tools = Array.from({ length: 40 }, (_, i) => ({ name: `t${i}`, description: "d".repeat(60 * 1024) }));
    expect((await refresh(id)).json.detail).toContain("larger than 2048 KiB");
    shape.tools = small(1001);
    expect((await refresh(id)).json.detail).toContain("more than 1000 tools");
    await expectKeptAndSaid(id, "more than 1000 tools");

    // Test connection says the same, and writes nothing.
    const checked = await call(admin, "POST /api/v1/mcp-providers/{id}/check", { params: { id }, body: {} });
    expect(checked.json).toMatchObject({ ok: false, failure: "protocol" });
    expect(checked.json.message).toContain("more than 1000 tools");
  });
});

describe("what a user may make the console send", () => {
  it("Refresh tools: limited per user and provider, and refreshes asked for at once share one tools/list", async () => {
    const id = await provider();
    const member = await createActor("member", admin.workspaceId);
    const before = listed;
    const together = await Promise.all(Array.from({ length: 8 }, () => call(member, "POST /api/v1/mcp-providers/{id}/tools/refresh", { params: { id } })));
    expect(together.map((res) => res.status)).toEqual(Array(8).fill(200));
    expect(listed - before).toBeLessThanOrEqual(2);
    const more = await Promise.all(Array.from({ length: 4 }, () => call(member, "POST /api/v1/mcp-providers/{id}/tools/refresh", { params: { id } })));
    expect(more.map((res) => res.status).sort()).toEqual([200, 200, 429, 429]);
    const limited = more.find((res) => res.status === 429);
    expect(limited?.json).toMatchObject({ code: "rate_limited" });
    expect(Number(limited?.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(listed - before).toBeLessThanOrEqual(3);
    // Someone else, or another provider, isn't held back.
    expect((await refresh(id)).status).toBe(200);
    expect((await call(member, "POST /api/v1/mcp-providers/{id}/tools/refresh", { params: { id: await provider() } })).status).toBe(200);
  });

  it("Test connection: limited per user and provider, and with unsaved settings per user", async () => {
    const id = await provider();
    const checks = await Promise.all(Array.from({ length: 12 }, () => call(admin, "POST /api/v1/mcp-providers/{id}/check", { params: { id }, body: {} })));
    expect(checks.filter((res) => res.status === 200).length).toBe(10);
    expect(checks.filter((res) => res.status === 429).map((res) => res.json.code)).toEqual(["rate_limited", "rate_limited"]);

    const someone = await createActor("admin");
    const body = { name: "Unsaved", server_identifier: "unsaved", server_url: serverUrl };
    const unsaved = await Promise.all(Array.from({ length: 22 }, () => call(someone, "POST /api/v1/mcp-providers/check", { body })));
    expect(unsaved.filter((res) => res.status === 200).length).toBe(20);
    const limited = unsaved.find((res) => res.status === 429);
    expect(limited?.headers.get("retry-after")).toMatch(/^\d+$/);
  });
});
