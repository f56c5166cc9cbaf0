// The MCP SDK's own client, connected to the console's gateway route handlers in this process
// (its fetch calls them directly: the same Request/Response objects Next.js would pass).
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { serveGateway } from "@/lib/gateway/http";
import { ORIGIN } from "./helpers";

/** What the route files do: `/mcp` is the workspace, `/mcp/{server_identifier}` one provider. */
export function gatewayFetch(): typeof fetch {
  return (input, init) => {
    const request = new Request(input instanceof Request ? input : String(input), init);
    const [, , server] = new URL(request.url).pathname.split("/");
    return serveGateway(request, server ? { serverIdentifier: decodeURIComponent(server) } : {});
  };
}

export async function connectGateway(token: string | undefined, path = "/mcp"): Promise<Client> {
  const client = new Client({ name: "gateway-test", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL(path, ORIGIN), {
    fetch: gatewayFetch(),
    requestInit: token ? { headers: { authorization: `Bearer ${token}` } } : {},
  });
  await client.connect(transport);
  return client;
}
