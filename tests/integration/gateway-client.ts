// The MCP SDK's own client, connected to the console's gateway in this process: to its route
// handlers (its fetch calls them directly: the same Request/Response objects Next.js would pass),
// or — once servedOverHttp — over HTTP to lib/gateway/node-http.ts, as server.mjs serves it.
import { createServer, type Server } from "node:http";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { serveGateway } from "@/lib/gateway/http";
import { registerGatewayHttp, type GatewayHttp } from "@/lib/gateway/node-http";
import { processWide } from "@/lib/process-wide";
import { listenOnFreePort } from "../../e2e/support/ports";
import { ORIGIN } from "./helpers";

/** The gateway over HTTP, as server.mjs serves it: its base URL, how many requests it served, and how to stop it. */
export async function startGatewayHttp(): Promise<{ url: string; served: () => number; stop: () => Promise<void> }> {
  registerGatewayHttp();
  const gateway = processWide<GatewayHttp | undefined>("gateway-http", () => undefined);
  if (!gateway) throw new Error("the gateway was not registered");
  let served = 0;
  const server: Server = createServer((req, res) => {
    const target = gateway.target(new URL(req.url ?? "/", "http://localhost").pathname);
    if (!target) return void res.writeHead(404).end();
    served += 1;
    void gateway.handle(req, res, target);
  });
  return {
    url: `http://127.0.0.1:${await listenOnFreePort(server)}`,
    served: () => served,
    stop: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

let overHttp: string | undefined;

/** From now on gatewayFetch goes over HTTP to the gateway as server.mjs serves it: how to stop that, and how many requests it served. */
export async function servedOverHttp(): Promise<{ stop: () => Promise<void>; served: () => number }> {
  const http = await startGatewayHttp();
  overHttp = http.url;
  return {
    stop: async () => {
      overHttp = undefined;
      await http.stop();
    },
    served: http.served,
  };
}

/** What the route files do: `/mcp` is the workspace, `/mcp/{server_identifier}` one provider. */
export function gatewayFetch(): typeof fetch {
  return async (input, init) => {
    const request = new Request(input instanceof Request ? input : String(input), init);
    const { pathname, search } = new URL(request.url);
    if (overHttp) {
      const body = request.body ? await request.arrayBuffer() : undefined;
      return fetch(`${overHttp}${pathname}${search}`, { method: request.method, headers: request.headers, body, signal: request.signal });
    }
    const [, , server] = pathname.split("/");
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
