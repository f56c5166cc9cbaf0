// The gateway served straight from server.mjs, as the OAuth server is: an MCP client's every call
// is an HTTP request, and Next.js's routing would add about a millisecond to each (docs/performance.md).
// server.mjs has already done the edge's work (client address, security headers); this turns the
// node request into a web one for serveGateway and streams its answer back. The route handlers in
// app/mcp answer the same way whenever this isn't registered.
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import "server-only";
import type { IncomingMessage, ServerResponse } from "node:http";
import { ApiError, problemResponse } from "@/lib/api/errors";
import { serveGateway } from "@/lib/gateway/http";
import { log } from "@/lib/log";
import { processWide } from "@/lib/process-wide";
import { webStreamOf } from "@/lib/node-streams";

/** `/mcp` → {}; `/mcp/{server_identifier}` → that identifier; anything else isn't the gateway's. */
export function gatewayTarget(pathname: string): { serverIdentifier?: string } | undefined {
  if (pathname === "/mcp") return {};
  const match = /^\/mcp\/([^/]+)$/.exec(pathname);
  return match ? { serverIdentifier: decodeURIComponent(match[1]) } : undefined;
}

// Nothing decides anything by the request's origin (audiences and metadata URLs come from
// NEXTAUTH_URL), so a fixed one keeps a hostile Host header out of the URL altogether.
const ORIGIN = "http://localhost";

function webRequest(req: IncomingMessage, signal: AbortSignal): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) value.forEach((item) => { headers.append(name, item); });
    else if (value !== undefined) headers.set(name, value);
  }
  const method = req.method ?? "GET";
  const hasBody = method !== "GET" && method !== "HEAD";
  return new Request(`${ORIGIN}${req.url ?? "/"}`, {
    method,
    headers,
    signal,
    ...(hasBody ? { body: webStreamOf(req), duplex: "half" } : {}),
  });
}

const FIRST_CHUNK_WAIT_MS = 5;

// The node response frames the body itself.
const FRAMING = new Set(["content-length", "transfer-encoding", "content-encoding", "connection", "keep-alive"]);

/** The response can take more, or the client left; either way both listeners go (a long stream waits many times). */
async function drained(res: ServerResponse, signal: AbortSignal): Promise<void> {
  await once(res, "drain", { signal }).catch(() => undefined);
}

async function send(response: Response, res: ServerResponse, signal: AbortSignal) {
  res.statusCode = response.status;
  response.headers.forEach((value, name) => {
    // The edge's headers (server.mjs) stand, as they do in front of Next.js.
    if (FRAMING.has(name) || name === "set-cookie" || res.hasHeader(name)) return;
    res.setHeader(name, value);
  });
  for (const cookie of response.headers.getSetCookie()) res.appendHeader("set-cookie", cookie);
  const body = response.body;
  if (!body) return void res.end();
  // The client left while the answer was being made: an event stream would otherwise wait forever.
  if (signal.aborted) {
    await body.cancel().catch(() => undefined);
    return;
  }
  const reader = body.getReader();
  const cancel = () => { void reader.cancel().catch(() => undefined); };
  signal.addEventListener("abort", cancel, { once: true });
  try {
    // The headers go with the first chunk when it comes at once (one write, not two); an event
    // stream that has nothing to say yet gets its headers now, so the client knows it is open.
    let next = reader.read();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const soon = await Promise.race([next, new Promise<undefined>((resolve) => { timer = setTimeout(() => { resolve(undefined); }, FIRST_CHUNK_WAIT_MS); })]);
    clearTimeout(timer);
    if (!soon) res.flushHeaders();
    for (;;) {
      const { done, value } = await next;
      if (done) break;
      if (!res.write(value)) await drained(res, signal);
      next = reader.read();
    }
    res.end();
  } finally {
    signal.removeEventListener("abort", cancel);
  }
}

async function handleGatewayHttp(req: IncomingMessage, res: ServerResponse, target: { serverIdentifier?: string }) {
  const abort = new AbortController();
  res.on("close", () => { if (!res.writableFinished) abort.abort(); });
  try {
    await send(await serveGateway(webRequest(req, abort.signal), target), res, abort.signal);
  } catch (error) {
    if (abort.signal.aborted) return; // the client left
    const requestId = randomUUID();
    log.error({ err: error, requestId, method: req.method }, "the gateway's answer could not be sent");
    // A stream cut short must not look complete to the client.
    if (res.headersSent) return void res.destroy(error instanceof Error ? error : undefined);
    const answer = problemResponse(new ApiError("internal_error", `Something went wrong on our side. It has been logged as ${requestId}.`));
    res.writeHead(answer.status, { ...Object.fromEntries(answer.headers), "x-request-id": requestId });
    res.end(await answer.text());
  }
}

/** What server.mjs finds registered: which paths are the gateway's, and how to answer them. */
export type GatewayHttp = { target: typeof gatewayTarget; handle: typeof handleGatewayHttp };

/** What instrumentation registers for server.mjs (which is not bundled and can't import TypeScript). */
export function registerGatewayHttp() {
  processWide<GatewayHttp>("gateway-http", () => ({ target: gatewayTarget, handle: handleGatewayHttp }));
}
