// The 2025-11-25 leg: one MCP server and Streamable HTTP transport per Mcp-Session-Id, with a GET
// stream, DELETE, and Last-Event-ID resumption from an in-memory event store. A request naming a
// session that doesn't exist (never did, or was DELETEd) is 404, so the client starts again.
import { isInitializeRequest, WebStandardStreamableHTTPServerTransport, type RequestStateCodec } from "@modelcontextprotocol/server";
import { randomUUID } from "node:crypto";
import { createMemoryEventStore } from "./event-store";
import type { StepState } from "./input-tools";
import { createConformanceMcpServer } from "./server";

const jsonRpcError = (status: number, code: number, message: string) =>
  Response.json({ jsonrpc: "2.0", error: { code, message }, id: null }, { status });

export function createLegacySessions(states: RequestStateCodec<StepState>) {
  const sessions = new Map<string, WebStandardStreamableHTTPServerTransport>();
  const eventStore = createMemoryEventStore();

  async function open(request: Request, body: unknown): Promise<Response> {
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      eventStore,
      retryInterval: 500,
      onsessioninitialized: (id) => {
        sessions.set(id, transport);
      },
      onsessionclosed: (id) => {
        sessions.delete(id);
      },
    });
    const server = createConformanceMcpServer({
      era: "legacy",
      states,
      listChanges: {
        toolsChanged: () => {
          server.sendToolListChanged();
        },
        promptsChanged: () => {
          server.sendPromptListChanged();
        },
      },
    });
    await server.connect(transport);
    return transport.handleRequest(request, { parsedBody: body });
  }

  return {
    async handle(request: Request, body: unknown): Promise<Response> {
      const sessionId = request.headers.get("mcp-session-id");
      if (sessionId) {
        const transport = sessions.get(sessionId);
        if (!transport) return jsonRpcError(404, -32001, "Session not found");
        return transport.handleRequest(request, { parsedBody: body });
      }
      if (request.method === "POST" && isInitializeRequest(body)) return open(request, body);
      return jsonRpcError(400, -32000, "Bad Request: no valid session ID");
    },
    async close(): Promise<void> {
      await Promise.all([...sessions.values()].map((transport) => transport.close()));
      sessions.clear();
    },
  };
}
