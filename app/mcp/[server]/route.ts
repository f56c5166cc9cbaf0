import { serveGateway } from "@/lib/gateway/http";

// /mcp/{server_identifier} — the MCP gateway to one provider, a transparent proxy.
const handle = async (req: Request, context: { params: Promise<{ server: string }> }) => serveGateway(req, { serverIdentifier: (await context.params).server });
export { handle as GET, handle as POST, handle as DELETE, handle as OPTIONS };
