import { serveGateway } from "@/lib/gateway/http";

// /mcp — the MCP gateway for the caller's whole workspace (tools named {server}__{tool}).
const handle = (req: Request) => serveGateway(req, {});
export { handle as GET, handle as POST, handle as DELETE, handle as OPTIONS };
