// One MCP server definition for both protocol eras: the SDK serves it per request on 2026-07-28 and
// per session on 2025-11-25 (see ../conformance-server.ts).
import { McpServer, type RequestStateCodec } from "@modelcontextprotocol/server";
import { registerInputTools, type StepState } from "./input-tools";
import { registerPrompts } from "./prompts";
import { registerResources } from "./resources";
import { registerTools, type ListChanges } from "./tools";

export type Era = "legacy" | "modern";

export function createConformanceMcpServer(options: { era: Era; listChanges: ListChanges; states: RequestStateCodec<StepState> }): McpServer {
  const server = new McpServer(
    { name: "mcp-console-conformance-server", version: "1.0.0" },
    {
      capabilities: {
        tools: { listChanged: true },
        prompts: { listChanged: true },
        resources: { subscribe: true, listChanged: true },
        logging: {},
        completions: {},
      },
      requestState: { verify: (state, ctx) => options.states.verify(state, ctx) },
    },
  );
  registerTools(server, options.listChanges);
  registerInputTools(server, options.states);
  registerPrompts(server);
  registerResources(server);
  // 2025-11-25 subscribes per session; 2026-07-28 replaced this with subscriptions/listen, which the
  // SDK serves itself.
  if (options.era === "legacy") {
    const subscribed = new Set<string>();
    server.server.setRequestHandler("resources/subscribe", (request) => {
      subscribed.add(request.params.uri);
      return {};
    });
    server.server.setRequestHandler("resources/unsubscribe", (request) => {
      subscribed.delete(request.params.uri);
      return {};
    });
  }
  return server;
}
