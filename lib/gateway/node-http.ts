// The gateway served straight from server.mjs, as the OAuth server is: an MCP client's every call
// is an HTTP request, and Next.js's routing would add about a millisecond to each (docs/performance.md).
// server.mjs has already done the edge's work (client address, security headers); this turns the
// node request into a web one for serveGateway and streams its answer back. The route handlers in
// app/mcp answer the same way whenever this isn't registered.
import "server-only";
import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { serveGateway } from "@/lib/gateway/http";
import { log } from "@/lib/log";
import { processWide } from "@/lib/process-wide";

/** `/mcp` → {}; `/mcp/{server_identifier}` → that identifier; anything else isn't the gateway's. */
export function gatewayTarget(pathname: string): { serverIdentifier?: string } | undefined {
  if (pathname === "/mcp") return {};
  const match = /^\/mcp\/([^/]+)$/.exec(pathname);
  return match ? { serverIdentifier: decodeURIComponent(match[1]) } : undefined;
}

function webRequest(req: IncomingMessage, signal: AbortSignal): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) value.forEach((item) => { headers.append(name, item); });
    else if (value !== undefined) headers.set(name, value);
  }
  const method = req.method ?? "GET";
  const hasBody = method !== "GET" && method !== "HEAD";
  return new Request(`http://${req.headers.host ?? "localhost"}${req.url ?? "/"}`, {
    method,
    headers,
    signal,
    ...(hasBody ? { body: Readable.toWeb(req), duplex: "half" } : {}),
  } as RequestInit);
}

async function send(response: Response, res: ServerResponse) {
  res.statusCode = response.status;
  response.headers.forEach((value, name) => { res.setHeader(name, value); });
  if (!response.body) return void res.end();
  // Event streams must reach the client as they are written.
  res.flushHeaders();
  const reader = response.body.getReader();
  res.on("close", () => { void reader.cancel().catch(() => undefined); });
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    res.write(value);
  }
  res.end();
}

async function handleGatewayHttp(req: IncomingMessage, res: ServerResponse, target: { serverIdentifier?: string }) {
  const abort = new AbortController();
  res.on("close", () => { if (!res.writableFinished) abort.abort(); });
  try {
    await send(await serveGateway(webRequest(req, abort.signal), target), res);
  } catch (error) {
    if (abort.signal.aborted) return; // the client left mid-stream
    log.error({ err: error }, "the gateway's answer could not be sent");
    if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
    res.end();
  }
}

/** What instrumentation registers for server.mjs (which is not bundled and can't import TypeScript). */
export function registerGatewayHttp() {
  processWide("gateway-http", () => ({ target: gatewayTarget, handle: handleGatewayHttp }));
}
