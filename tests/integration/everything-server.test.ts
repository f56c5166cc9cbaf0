// The official reference MCP server, registered as a provider: discovery and tool calls through
// the console's API (forwarding off: the provider's own headers).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backgroundTasksSettled } from "@/lib/background";
import { startEverythingServer } from "../../e2e/support/everything-server";
import { startDroppingServer } from "../../e2e/support/ports";
import { startRecordingProxy } from "../../e2e/support/recording-proxy";
import { call, createActor, type Actor } from "./helpers";
import { aString, anObject, containing } from "@/tests/support/matchers";

let server: Awaited<ReturnType<typeof startEverythingServer>>;
let admin: Actor;
let providerId: string;

beforeAll(async () => {
  server = await startEverythingServer();
  admin = await createActor("admin");
  const created = await call(admin, "POST /api/v1/mcp-providers", {
    body: { name: "Everything", server_identifier: "everything", server_url: server.url, headers: { "X-Demo": "yes" } },
  });
  expect(created.status, created.text).toBe(201);
  providerId = created.json.id;
  // Discovery runs after the response; its result shows up on the provider.
  await backgroundTasksSettled();
  const discovered = await call(admin, "GET /api/v1/mcp-providers/{id}", { params: { id: providerId } });
  expect(discovered.json).toMatchObject({ authed: true, tools_fetched_at: aString() });
  expect(discovered.json.tools_count).toBeGreaterThan(5);
}, 60_000);

afterAll(async () => {
  await server.stop();
});

describe("@modelcontextprotocol/server-everything", () => {
  it("lists its tools with their input schemas", async () => {
    const tools = await call(admin, "GET /api/v1/mcp-providers/{id}/tools", { params: { id: providerId } });
    const names = tools.json.data.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(["echo", "get-sum"]));
    const echo = tools.json.data.find((t) => t.name === "echo");
    expect(echo?.input_schema).toMatchObject({ type: "object", properties: { message: anObject() } });
  });

  it("calls echo and get-sum", async () => {
    const echo = await call(admin, "POST /api/v1/mcp-providers/{id}/tools/{tool}/call", { params: { id: providerId, tool: "echo" }, body: { arguments: { message: "hello console" } } });
    expect(echo.status, echo.text).toBe(200);
    expect(echo.json.content[0].text).toContain("hello console");
    const sum = await call(admin, "POST /api/v1/mcp-providers/{id}/tools/{tool}/call", { params: { id: providerId, tool: "get-sum" }, body: { arguments: { a: 2, b: 40 } } });
    expect(sum.json.content[0].text).toContain("42");
  });

  it("returns the server's own errors as an error result the user can read", async () => {
    const bad = await call(admin, "POST /api/v1/mcp-providers/{id}/tools/{tool}/call", { params: { id: providerId, tool: "get-sum" }, body: { arguments: { a: "two" } } });
    expect(bad.status).toBe(200);
    expect(bad.json).toMatchObject({ is_error: true, content: [{ type: "text", text: containing("Invalid arguments for tool get-sum") }] });
    const missing = await call(admin, "POST /api/v1/mcp-providers/{id}/tools/{tool}/call", { params: { id: providerId, tool: "no-such-tool" }, body: { arguments: {} } });
    expect(missing.json).toMatchObject({ is_error: true, content: [{ text: containing("Tool no-such-tool not found") }] });
    expect((await call(admin, "POST /api/v1/mcp-providers/{id}/tools/{tool}/call", { params: { id: providerId, tool: "echo" }, body: { arguments: [] } })).status).toBe(422);
  });

  it("members can browse and try tools too", async () => {
    const member = await createActor("member", admin.workspaceId);
    const echo = await call(member, "POST /api/v1/mcp-providers/{id}/tools/{tool}/call", { params: { id: providerId, tool: "echo" }, body: { arguments: { message: "from a member" } } });
    expect(echo.json.content[0].text).toContain("from a member");
  });

  it("honours the provider's timeout: a tool slower than sse_read_timeout is a 504", async () => {
    const slow = await call(admin, "POST /api/v1/mcp-providers", {
      body: { name: "Everything (impatient)", server_identifier: "impatient", server_url: `${server.url}?impatient`, configuration: { timeout: 5, sse_read_timeout: 1 } },
    });
    // The operation reports progress every 2 s: the 1 s read timeout fires before the first report.
    const res = await call(admin, "POST /api/v1/mcp-providers/{id}/tools/{tool}/call", { params: { id: slow.json.id, tool: "trigger-long-running-operation" }, body: { arguments: { duration: 4, steps: 2 } } });
    expect(res.status).toBe(504);
    expect(res.json.code).toBe("upstream_timeout");
  });

  it("falls back to the legacy SSE transport for servers that only speak it", async () => {
    const legacy = await startEverythingServer({ transport: "sse" });
    try {
      const created = await call(admin, "POST /api/v1/mcp-providers", { body: { name: "Everything (SSE)", server_identifier: "everything-sse", server_url: legacy.url } });
      const refreshed = await call(admin, "POST /api/v1/mcp-providers/{id}/tools/refresh", { params: { id: created.json.id } });
      expect(refreshed.json).toMatchObject({ authed: true });
      expect(refreshed.json.data.length).toBeGreaterThan(5);
      const echo = await call(admin, "POST /api/v1/mcp-providers/{id}/tools/{tool}/call", { params: { id: created.json.id, tool: "echo" }, body: { arguments: { message: "over SSE" } } });
      expect(echo.json.content[0].text).toContain("over SSE");
    } finally {
      await legacy.stop();
    }
  });

  it("repeated calls reuse one warm session; one the server forgot (it restarted) is replaced once, transparently", async () => {
    const first = await startEverythingServer();
    const proxy = await startRecordingProxy(first.url);
    let second: Awaited<ReturnType<typeof startEverythingServer>> | undefined;
    try {
      const created = await call(admin, "POST /api/v1/mcp-providers", { body: { name: "Everything (restarts)", server_identifier: "restarts", server_url: proxy.url } });
      await backgroundTasksSettled();
      const echo = (message: string) => call(admin, "POST /api/v1/mcp-providers/{id}/tools/{tool}/call", { params: { id: created.json.id, tool: "echo" }, body: { arguments: { message } } });
      const rpc = () => proxy.requests.flatMap((request) => request.rpc);

      proxy.requests.splice(0);
      expect((await echo("one")).json.content[0].text).toContain("one");
      expect((await echo("two")).json.content[0].text).toContain("two");
      expect(rpc().filter((method) => method === "initialize")).toHaveLength(1); // the second call reused the session
      expect(rpc().filter((method) => method === "tools/call")).toHaveLength(2);
      const sessions = new Set(proxy.requests.filter((r) => r.rpc.includes("tools/call")).map((r) => r.sessionId));
      expect(sessions.size).toBe(1);

      second = await startEverythingServer(); // knows nothing of that session
      proxy.retarget(second.url);
      proxy.requests.splice(0);
      const after = await echo("after the restart");
      expect(after.status, after.text).toBe(200);
      expect(after.json.content[0].text).toContain("after the restart");
      // The stale session was refused before anything ran, then one fresh session did the call.
      expect(proxy.requests[0].rpc).toEqual(["tools/call"]);
      expect([400, 404]).toContain(proxy.requests[0].status);
      expect(rpc().filter((method) => method === "initialize")).toHaveLength(1);
      expect(rpc().filter((method) => method === "tools/call")).toHaveLength(2);
    } finally {
      await proxy.stop();
      await first.stop();
      await second?.stop();
    }
  });

  it("an unreachable server is reported clearly", async () => {
    const gone = await startDroppingServer();
    try {
      const created = await call(admin, "POST /api/v1/mcp-providers", {
        body: { name: "Gone", server_identifier: "gone", server_url: `http://127.0.0.1:${gone.port}/mcp` },
      });
      expect(created.status).toBe(201);
      await backgroundTasksSettled();
      expect((await call(admin, "GET /api/v1/mcp-providers/{id}", { params: { id: created.json.id } })).json.authed).toBe(false);
      const refresh = await call(admin, "POST /api/v1/mcp-providers/{id}/tools/refresh", { params: { id: created.json.id } });
      expect(refresh.status).toBe(502);
      expect(refresh.json).toMatchObject({ code: "upstream_error", detail: containing("unreachable") });
    } finally {
      await gone.stop();
    }
  });
});
