// What the client says it can do: on 2026-07-28 each request's _meta envelope says it; on
// 2025-11-25 the session's initialize did.
import { CLIENT_CAPABILITIES_META_KEY, type ClientCapabilities, type McpServer, type ServerContext } from "@modelcontextprotocol/server";

export function clientCapabilities(server: McpServer, ctx: ServerContext): ClientCapabilities {
  const envelope: { [CLIENT_CAPABILITIES_META_KEY]?: ClientCapabilities } | undefined = ctx.mcpReq.envelope;
  if (envelope) return envelope[CLIENT_CAPABILITIES_META_KEY] ?? {};
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- 2025-11-25 declares capabilities once, at initialize
  return server.server.getClientCapabilities() ?? {};
}
