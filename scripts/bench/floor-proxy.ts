// The gateway bench's floor: the thinnest MCP proxy the SDK makes — node:http, a fresh low-level
// server per request (as the gateway), relaying `tools/call` to one upstream server on a client
// session kept open, with a fixed Authorization header. No authentication, database, policy,
// activity log or Next.js. What any proxy that terminates MCP (as one that swaps the caller's
// identity must) pays on this machine; run as its own process, like the console.
//   node --import tsx scripts/bench/floor-proxy.ts <upstream url> <authorization>  → prints its port
import http from "node:http";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { LowLevelServer } from "../../lib/gateway/low-level-server";
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";

const [upstreamUrl, authorization] = process.argv.slice(2);
const upstream = new Client({ name: "floor-proxy", version: "1" });
await upstream.connect(new StreamableHTTPClientTransport(new URL(upstreamUrl), { requestInit: { headers: { authorization } } }));

function relay() {
  const server = new LowLevelServer({ name: "floor-proxy", version: "1" }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, (request) => upstream.listTools(request.params));
  server.setRequestHandler(CallToolRequestSchema, (request) => upstream.callTool(request.params));
  return server;
}

const httpServer = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    void (async () => {
      if (req.method !== "POST") return void res.writeHead(405).end();
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
      const server = relay();
      res.on("close", () => { void server.close(); });
      await server.connect(transport);
      await transport.handleRequest(req, res, JSON.parse(Buffer.concat(chunks).toString("utf8")));
    })();
  });
});
httpServer.listen(0, "127.0.0.1", () => {
  const address = httpServer.address();
  console.log(typeof address === "object" && address ? address.port : "");
});
