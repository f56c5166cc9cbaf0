// The console's MCP client against a server whose connection closes before it answers — what a
// pooled keep-alive socket the server already closed looks like. initialize and tools/list, which
// change nothing, are sent once more; a tools/call never is (the server may have acted on it).
import http from "node:http";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { callTool, listTools, McpCallError, type McpConnection } from "@/lib/mcp/client";
import { asyncListener, jsonRpcMethods, parseJson, readBody } from "../../e2e/support/http";
import { listenOnFreePort } from "../../e2e/support/ports";

let server: http.Server;
let connection: McpConnection;
/** Every JSON-RPC method received, in order, dropped ones too. */
const received: string[] = [];
/** How many of a method's next requests are met with a closed connection instead of an answer. */
const drops = new Map<string, number>();

beforeAll(async () => {
  server = http.createServer(
    asyncListener(async (req, res) => {
      const body = parseJson(await readBody(req));
      const methods = jsonRpcMethods(body);
      received.push(...methods);
      const dropped = methods.find((method) => (drops.get(method) ?? 0) > 0);
      if (dropped) {
        drops.set(dropped, (drops.get(dropped) ?? 0) - 1);
        req.socket.destroy();
        return;
      }
      const mcp = new McpServer({ name: "flaky", version: "1.0.0" });
      mcp.registerTool("echo", { description: "Says ok", inputSchema: {} }, () => ({ content: [{ type: "text", text: "ok" }] }));
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
      await mcp.connect(transport);
      await transport.handleRequest(req, res, body);
    }),
  );
  const port = await listenOnFreePort(server);
  connection = { url: `http://127.0.0.1:${port}/mcp`, headers: {}, timeoutMs: 5_000, sseReadTimeoutMs: 5_000 };
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  received.length = 0;
  drops.clear();
});

describe("a connection closed before the server answered", () => {
  it("is tried once more for server/discover, initialize and tools/list", async () => {
    drops.set("server/discover", 1);
    drops.set("initialize", 1);
    drops.set("tools/list", 1);
    expect((await listTools(connection)).map((tool) => tool.name)).toEqual(["echo"]);
    expect(received.filter((method) => method === "server/discover")).toHaveLength(2);
    expect(received.filter((method) => method === "initialize")).toHaveLength(2);
    expect(received.filter((method) => method === "tools/list")).toHaveLength(2);
  });

  it("is not tried again for a tools/call: the call fails, and the server saw it once", async () => {
    drops.set("tools/call", 1);
    const failure = await callTool(connection, "echo", {}).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(McpCallError);
    expect((failure as McpCallError).failure).toBe("unreachable");
    expect(received.filter((method) => method === "tools/call")).toHaveLength(1);
  });

  it("is tried once only: a second close is the failure it is", async () => {
    drops.set("tools/list", 2);
    await expect(listTools(connection)).rejects.toBeInstanceOf(McpCallError);
    expect(received.filter((method) => method === "tools/list")).toHaveLength(2);
  });
});
