// Test MCP servers whose tools talk back to the client during a call, one per protocol era:
// - `startInteractiveServer`: 2025-11-25, sessionful (SDK v1 Streamable HTTP). Its `interact` tool
//   logs, reports progress, and asks the client what `ask` lists — a form elicitation ("name"), a
//   URL elicitation ("url"), sampling ("sample"), roots ("roots") — then returns one line per answer
//   ("elicit:accept:Ada", "sample:error:-1", …). A request the client can't take is a line too.
// - `startModernServer`: 2026-07-28 and 2025-11-25 (SDK v2 createMcpHandler), stateless. `echo`
//   echoes; `confirm` answers `input_required` (an elicitation) until the retry carries the answer.
import http from "node:http";
import { randomUUID } from "node:crypto";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { CreateMessageResultSchema, ElicitResultSchema, isInitializeRequest, ListRootsResultSchema } from "@modelcontextprotocol/sdk/types.js";
import { acceptedContent, createMcpHandler, inputRequired, McpServer as McpServerV2, type CallToolResult, type InputRequiredResult } from "@modelcontextprotocol/server";
import { z } from "zod";
import { asyncListener, jsonRpcMethods, parseJson, readBody } from "./http";
import { listenOn } from "./ports";

export type TestServer = { url: string; methods: string[]; stop: () => Promise<void> };

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === "number" ? String(code) : "refused";
}

function interactiveServer() {
  const server = new McpServer({ name: "interactive", version: "1.0.0" }, { capabilities: { logging: {} } });
  server.registerTool(
    "interact",
    { description: "Talks back to the client during the call", inputSchema: { ask: z.array(z.enum(["name", "url", "sample", "roots"])) } },
    async ({ ask }, extra) => {
      const lines: string[] = [];
      await extra.sendNotification({ method: "notifications/message", params: { level: "info", logger: "interactive", data: "starting" } });
      const token = extra._meta?.progressToken;
      const progress = async (done: number) => {
        if (token !== undefined) await extra.sendNotification({ method: "notifications/progress", params: { progressToken: token, progress: done, total: ask.length } });
      };
      for (const [index, what] of ask.entries()) {
        try {
          if (what === "name") {
            const answer = await extra.sendRequest(
              { method: "elicitation/create", params: { mode: "form", message: "Your name?", requestedSchema: { type: "object", properties: { name: { type: "string" } }, required: ["name"] } } },
              ElicitResultSchema,
            );
            lines.push(`elicit:${answer.action}:${typeof answer.content?.name === "string" ? answer.content.name : ""}`);
          } else if (what === "url") {
            const answer = await extra.sendRequest(
              { method: "elicitation/create", params: { mode: "url", message: "Sign in over there", url: "https://example.com/connect", elicitationId: randomUUID() } },
              ElicitResultSchema,
            );
            lines.push(`url:${answer.action}`);
          } else if (what === "sample") {
            const answer = await extra.sendRequest(
              { method: "sampling/createMessage", params: { messages: [{ role: "user", content: { type: "text", text: "Say hi" } }], maxTokens: 10 } },
              CreateMessageResultSchema,
            );
            lines.push(`sample:${answer.content.type === "text" ? answer.content.text : answer.content.type}`);
          } else {
            const answer = await extra.sendRequest({ method: "roots/list" }, ListRootsResultSchema);
            lines.push(`roots:${answer.roots.map((root) => root.uri).join(",")}`);
          }
        } catch (error) {
          lines.push(`${what === "name" ? "elicit" : what}:error:${codeOf(error)}`);
        }
        await progress(index + 1);
      }
      await extra.sendNotification({ method: "notifications/message", params: { level: "info", logger: "interactive", data: "done" } });
      return { content: [{ type: "text", text: lines.join("\n") }] };
    },
  );
  return server;
}

export async function startInteractiveServer(): Promise<TestServer> {
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  const methods: string[] = [];
  const httpServer = http.createServer(
    asyncListener(async (req, res) => {
      const sessionId = req.headers["mcp-session-id"];
      let transport = typeof sessionId === "string" ? sessions.get(sessionId) : undefined;
      if (req.method !== "POST") {
        if (!transport) return void res.writeHead(404).end();
        return transport.handleRequest(req, res);
      }
      const body = parseJson(await readBody(req));
      methods.push(...jsonRpcMethods(body));
      if (!transport) {
        if (!isInitializeRequest(body)) return void res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ jsonrpc: "2.0", error: { code: -32001, message: "Session not found" }, id: null }));
        const opened = new StreamableHTTPServerTransport({ sessionIdGenerator: randomUUID, onsessioninitialized: (id) => { sessions.set(id, opened); } });
        opened.onclose = () => { if (opened.sessionId) sessions.delete(opened.sessionId); };
        await interactiveServer().connect(opened);
        transport = opened;
      }
      await transport.handleRequest(req, res, body);
    }),
  );
  const port = await listenOn(httpServer, undefined);
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    methods,
    stop: async () => {
      await Promise.all([...sessions.values()].map((transport) => transport.close()));
      httpServer.closeAllConnections();
      await new Promise<void>((resolve) => httpServer.close(() => { resolve(); }));
    },
  };
}

function modernServer() {
  const server = new McpServerV2({ name: "modern", version: "2.0.0" });
  server.registerTool("echo", { description: "Echoes", inputSchema: z.object({ message: z.string() }) }, ({ message }) => ({ content: [{ type: "text", text: `Echo: ${message}` }] }));
  const confirmation = z.object({ confirm: z.boolean() });
  server.registerTool(
    "confirm",
    { description: "Asks the client to confirm first", inputSchema: z.object({ what: z.string() }) },
    ({ what }, ctx): CallToolResult | InputRequiredResult => {
      const answer = acceptedContent(ctx.mcpReq.inputResponses, "confirm", confirmation);
      if (answer === undefined) {
        return inputRequired({
          inputRequests: { confirm: inputRequired.elicit({ message: `Go ahead with ${what}?`, requestedSchema: { type: "object", properties: { confirm: { type: "boolean" } }, required: ["confirm"] } }) },
          requestState: `asked-about:${what}`,
        });
      }
      return { content: [{ type: "text", text: `${answer.confirm ? "confirmed" : "declined"} ${what} (state ${ctx.mcpReq.requestState<string>() ?? "none"})` }] };
    },
  );
  return server;
}

export async function startModernServer(): Promise<TestServer> {
  const handler = createMcpHandler(() => modernServer());
  const methods: string[] = [];
  const httpServer = http.createServer(
    asyncListener(async (req, res) => {
      const body = req.method === "POST" ? await readBody(req) : undefined;
      if (body) methods.push(...jsonRpcMethods(parseJson(body)));
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(name, value);
      const response = await handler.fetch(new Request(`http://127.0.0.1${req.url ?? "/"}`, { method: req.method, headers, body: body ? new Uint8Array(body) : undefined }));
      res.writeHead(response.status, Object.fromEntries(response.headers));
      if (!response.body) return void res.end();
      const reader = response.body.getReader();
      for (let read = await reader.read(); !read.done; read = await reader.read()) res.write(read.value);
      res.end();
    }),
  );
  const port = await listenOn(httpServer, undefined);
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    methods,
    stop: async () => {
      await handler.close();
      httpServer.closeAllConnections();
      await new Promise<void>((resolve) => httpServer.close(() => { resolve(); }));
    },
  };
}
