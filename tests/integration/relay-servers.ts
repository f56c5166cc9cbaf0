// Small real MCP servers for what our conformance server doesn't do: one whose tool reports
// progress and then loses its connection mid-answer, one whose tool list is too large for one
// network read, and a 2026-07-28 server that offers a revision the console doesn't speak and lets
// shared caches keep its answers.
import http from "node:http";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { asyncListener, parseJson, readBody } from "../../e2e/support/http";
import { listenOnFreePort } from "../../e2e/support/ports";

type Started = { url: string; stop(): Promise<void> };

function stopper(server: http.Server) {
  return () => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => { resolve(); });
  });
}

/**
 * SDK v1, stateless: `stream-then-die` sends two progress notifications, then its socket is
 * destroyed; `stream-then-wait` sends one and answers only once its client has gone (`letGo` counts those).
 */
export async function startDyingServer(): Promise<Started & { letGo: () => number }> {
  let letGo = 0;
  const server = http.createServer(asyncListener(async (req, res) => {
    const body = parseJson(await readBody(req));
    const mcp = new McpServer({ name: "dying", version: "1.0.0" });
    mcp.registerTool("stream-then-die", { description: "Reports progress, then its connection breaks" }, async (extra) => {
      const progressToken = extra._meta?.progressToken ?? "none";
      for (const progress of [1, 2]) await extra.sendNotification({ method: "notifications/progress", params: { progressToken, progress, total: 3 } });
      await new Promise((resolve) => setTimeout(resolve, 50));
      res.socket?.destroy();
      return { content: [{ type: "text", text: "never seen" }] };
    });
    mcp.registerTool("stream-then-wait", { description: "Reports progress, then waits for its client to leave" }, async (extra) => {
      await extra.sendNotification({ method: "notifications/progress", params: { progressToken: extra._meta?.progressToken ?? "none", progress: 1, total: 2 } });
      await new Promise<void>((resolve) => { res.once("close", () => { resolve(); }); });
      letGo += 1;
      return { content: [{ type: "text", text: "never seen" }] };
    });
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    await mcp.connect(transport);
    await transport.handleRequest(req, res, body);
  }));
  const port = await listenOnFreePort(server);
  return { url: `http://127.0.0.1:${port}/mcp`, stop: stopper(server), letGo: () => letGo };
}

/** SDK v1, stateless: `count` tools with long descriptions, so the tools/list answer (one event) arrives in many reads. */
export async function startBulkyServer(count = 300): Promise<Started> {
  const server = http.createServer(asyncListener(async (req, res) => {
    const body = parseJson(await readBody(req));
    const mcp = new McpServer({ name: "bulky", version: "1.0.0" });
    for (let i = 0; i < count; i++) {
      mcp.registerTool(`tool-${i}`, { description: `Tool number ${i}. ${"It does a great many things. ".repeat(40)}` }, () => ({ content: [{ type: "text", text: `tool-${i}` }] }));
    }
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    await mcp.connect(transport);
    await transport.handleRequest(req, res, body);
  }));
  const port = await listenOnFreePort(server);
  return { url: `http://127.0.0.1:${port}/mcp`, stop: stopper(server) };
}

/** A 2026-07-28 server (JSON answers) that speaks a revision newer than the console's and marks its lists public. */
export async function startFutureServer(): Promise<Started & { versions: string[] }> {
  const versions = ["2027-03-01", "2026-07-28", "2025-11-25"];
  const results: Record<string, Record<string, unknown>> = {
    "server/discover": { resultType: "complete", supportedVersions: versions, capabilities: { tools: {} }, _meta: { "io.modelcontextprotocol/serverInfo": { name: "future", version: "1.0.0" } }, ttlMs: 60_000, cacheScope: "public" },
    "tools/list": { resultType: "complete", tools: [{ name: "hello", inputSchema: { type: "object" } }], ttlMs: 60_000, cacheScope: "public" },
  };
  const server = http.createServer(asyncListener(async (req, res) => {
    const message = parseJson(await readBody(req)) as { id?: number; method?: string } | undefined;
    const result = message?.method ? results[message.method] : undefined;
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(result ? { jsonrpc: "2.0", id: message?.id, result } : { jsonrpc: "2.0", id: message?.id ?? null, error: { code: -32601, message: "Method not found" } }));
  }));
  const port = await listenOnFreePort(server);
  return { url: `http://127.0.0.1:${port}/mcp`, versions, stop: stopper(server) };
}

/**
 * A server that goes silent (plain HTTP, stateless): a call of `silent` is never answered; a call of
 * `goes-quiet` opens its event stream, sends one progress notification and then nothing. Both wait
 * until their client has gone.
 */
export async function startSilentServer(): Promise<Started> {
  const server = http.createServer(asyncListener(async (req, res) => {
    const message = parseJson(await readBody(req)) as { params?: { name?: string } } | undefined;
    if (message?.params?.name === "goes-quiet") {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(`event: message\ndata: ${JSON.stringify({ jsonrpc: "2.0", method: "notifications/progress", params: { progressToken: "t", progress: 1, total: 2 } })}\n\n`);
    }
    await new Promise<void>((resolve) => { res.once("close", () => { resolve(); }); });
  }));
  const port = await listenOnFreePort(server);
  return { url: `http://127.0.0.1:${port}/mcp`, stop: stopper(server) };
}
