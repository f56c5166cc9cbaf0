// A test MCP server of our own that implements the whole server specification of the official
// conformance suite (@modelcontextprotocol/conformance 0.1.16 and 0.2.0-alpha.12), in both
// protocol eras, written with the SDK v2 (`@modelcontextprotocol/server`) from the suite's scenario
// descriptions: 2025-11-25 with sessions (initialize, Mcp-Session-Id, GET stream, DELETE,
// Last-Event-ID) and 2026-07-28 stateless (server/discover, InputRequiredResult,
// subscriptions/listen, Mcp-Method/Mcp-Name, ttlMs/cacheScope). Foreign Host/Origin → 403.
import {
  createMcpHandler,
  createRequestStateCodec,
  hostHeaderValidationResponse,
  isLegacyRequest,
  localhostAllowedHostnames,
  localhostAllowedOrigins,
  originValidationResponse,
  type McpHttpHandler,
} from "@modelcontextprotocol/server";
import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { StepState } from "./conformance-mcp/input-tools";
import { createLegacySessions } from "./conformance-mcp/legacy-sessions";
import { createConformanceMcpServer } from "./conformance-mcp/server";

export type ConformanceServer = { url: string; stop(): Promise<void> };

export async function startConformanceServer(): Promise<ConformanceServer> {
  const states = createRequestStateCodec<StepState>({ key: randomBytes(32) });
  const legacy = createLegacySessions(states);
  const modern: McpHttpHandler = createMcpHandler(
    () => createConformanceMcpServer({ era: "modern", states, listChanges: modern.notify }),
    { legacy: "reject" },
  );

  async function route(request: Request): Promise<Response> {
    const rejected = hostHeaderValidationResponse(request, localhostAllowedHostnames()) ?? originValidationResponse(request, localhostAllowedOrigins());
    if (rejected) return rejected;
    if (new URL(request.url).pathname !== "/mcp") return new Response("Not found", { status: 404 });
    if (!(await isLegacyRequest(request))) return modern.fetch(request);
    const body: unknown = request.method === "POST" ? await request.json().catch(() => undefined) : undefined;
    return legacy.handle(request, body);
  }

  const server = http.createServer((req, res) => {
    serveNode(req, res, route).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    async stop() {
      await Promise.all([legacy.close(), modern.close()]);
      server.closeAllConnections();
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
    },
  };
}

/** Node's (req, res) in, a Fetch handler's Response out — streamed, and aborted when the client goes. */
async function serveNode(req: http.IncomingMessage, res: http.ServerResponse, handle: (request: Request) => Promise<Response>): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const aborted = new AbortController();
  res.once("close", () => {
    aborted.abort();
  });
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  const hasBody = req.method !== "GET" && req.method !== "HEAD" && chunks.length > 0;
  const request = new Request(`http://${req.headers.host ?? "127.0.0.1"}${req.url ?? "/"}`, {
    method: req.method,
    headers,
    body: hasBody ? Buffer.concat(chunks) : undefined,
    signal: aborted.signal,
  });
  const response = await handle(request);
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.flushHeaders();
  if (!response.body) {
    res.end();
    return;
  }
  const reader = response.body.getReader();
  aborted.signal.addEventListener("abort", () => void reader.cancel().catch(() => undefined));
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      res.write(value);
    }
  } catch {
    // The client went away or the stream was cancelled: nothing left to deliver.
  }
  res.end();
}
