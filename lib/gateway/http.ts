// The gateway's HTTP face: `/mcp` (the workspace) and `/mcp/{server_identifier}` (one provider),
// Streamable HTTP. Every POST is served by a fresh MCP server on a stateless transport, so any
// instance can answer any request; the Mcp-Session-Id handed out at initialize only scopes the
// client's request ids (for cancellation) and its GET stream of `notifications/tools/list_changed`.
// Callers authenticate with a Bearer token — a personal API token or an OAuth access token from the
// console's authorization server (lib/oauth/access.ts) — never a cookie.
import "server-only";
import { randomUUID } from "node:crypto";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { isInitializeRequest, JSONRPCMessageSchema, type JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { readCappedText } from "@/lib/api/body";
import { ApiError, problemResponse } from "@/lib/api/errors";
import { requestIdOf, toApiError } from "@/lib/api/handler";
import type { Caller } from "@/lib/auth/request-auth";
import { onChange } from "@/lib/change-bus";
import { db } from "@/lib/db";
import { noteDatabaseAvailable } from "@/lib/db-availability";
import { providerServer, type GatewayRequest } from "@/lib/gateway/servers";
import { postWorkspace } from "@/lib/gateway/workspace-endpoint";
import { cachedPage } from "@/lib/providers/list-cache";
import { serverIdentifierSchema } from "@/lib/providers/schemas";
import { log } from "@/lib/log";
import { gatewayCaller } from "@/lib/oauth/access";
import { processWide } from "@/lib/process-wide";

/** Tool arguments can carry files; still, a body is read whole before it is parsed. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;
const KEEPALIVE_MS = 25_000;
// Several changes in a row (a save, then its discovery) make one notification.
const LIST_CHANGED_DEBOUNCE_MS = 500;

type Target = { serverIdentifier?: string };

async function findProvider(caller: Caller, serverIdentifier: string) {
  // Anything that can't be an identifier names no server (and never reaches the database).
  // Kept like a list page (lib/providers/list-cache.ts): any change to the workspace's providers drops it.
  const row = serverIdentifierSchema.safeParse(serverIdentifier).success
    ? (
        await cachedPage(caller.workspaceId, { gatewayProvider: serverIdentifier }, async () => {
          const found = await db().mcpProvider.findUnique({ where: { workspaceId_serverIdentifier: { workspaceId: caller.workspaceId, serverIdentifier } } });
          return { data: found ? [found] : [] };
        })
      ).data[0]
    : undefined;
  if (!row) throw new ApiError("not_found", `No MCP server "${serverIdentifier.slice(0, 64)}" in the ${caller.workspaceName} workspace`);
  return row;
}

const MAX_BATCH = 100;

function parseMessages(text: string): JSONRPCMessage[] | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    const messages = Array.isArray(parsed) ? parsed : [parsed];
    if (messages.length === 0 || messages.length > MAX_BATCH) return undefined;
    return messages.map((message) => JSONRPCMessageSchema.parse(message));
  } catch {
    return undefined;
  }
}

function jsonRpcError(status: number, code: number, message: string): Response {
  return Response.json({ jsonrpc: "2.0", error: { code, message }, id: null }, { status });
}

async function post(req: Request, target: Target & { serverIdentifier: string }, caller: Caller, requestId: string): Promise<Response> {
  const text = await readCappedText(req, MAX_BODY_BYTES);
  const messages = parseMessages(text);
  if (!messages) return jsonRpcError(400, -32700, `Parse error: the body is not a JSON-RPC message (or a batch of 1–${MAX_BATCH})`);
  const introduce = messages.some((message) => isInitializeRequest(message));
  const sessionId = introduce ? randomUUID() : (req.headers.get("mcp-session-id") ?? undefined);
  const request: GatewayRequest = { caller, requestId, sessionId };
  const server = await providerServer(await findProvider(caller, target.serverIdentifier), request, introduce);
  // Answers come as an event stream, as most servers send them (a JSON answer would be a little
  // cheaper, but the conformance suite, for one, tells the two apart).
  const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined });
  await server.connect(transport);
  // When the client goes away, its requests are abandoned: the server's close aborts them (and the upstream calls).
  req.signal.addEventListener("abort", () => { void server.close(); }, { once: true });
  if (req.signal.aborted) void server.close(); // it left while the server was being made
  const response = await transport.handleRequest(req, { parsedBody: messages.length === 1 ? messages[0] : messages });
  if (introduce && response.ok && sessionId) response.headers.set("mcp-session-id", sessionId);
  response.headers.set("x-request-id", requestId);
  return response;
}

// Open event streams per user on this instance: each holds a connection and a listener.
const MAX_STREAMS_PER_USER = 10;
const openStreams = processWide("gateway-streams", () => new Map<string, number>());

/** GET: a stream of `notifications/tools/list_changed` whenever the workspace's providers change. */
function listChangedStream(req: Request, caller: Caller): Response {
  const open = openStreams.get(caller.userId) ?? 0;
  if (open >= MAX_STREAMS_PER_USER) {
    return problemResponse(new ApiError("rate_limited", `At most ${MAX_STREAMS_PER_USER} open event streams per user; close one first`, { headers: { "retry-after": "30" } }));
  }
  openStreams.set(caller.userId, open + 1);
  let closed = false;
  const release = () => {
    if (closed) return;
    closed = true;
    const left = (openStreams.get(caller.userId) ?? 1) - 1;
    if (left > 0) openStreams.set(caller.userId, left);
    else openStreams.delete(caller.userId);
  };
  const encoder = new TextEncoder();
  let stop = (): void => undefined;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      let pending: NodeJS.Timeout | undefined;
      const send = (chunk: string) => {
        try {
          controller.enqueue(encoder.encode(chunk));
        } catch {
          stop();
        }
      };
      const notify = () => {
        clearTimeout(pending);
        pending = setTimeout(() => { send(`event: message\ndata: ${JSON.stringify({ jsonrpc: "2.0", method: "notifications/tools/list_changed" })}\n\n`); }, LIST_CHANGED_DEBOUNCE_MS);
      };
      const unsubscribe = onChange("providers", (workspaceId) => { if (workspaceId === caller.workspaceId) notify(); }, notify);
      const keepAlive = setInterval(() => { send(": keep-alive\n\n"); }, KEEPALIVE_MS);
      stop = () => {
        unsubscribe();
        clearInterval(keepAlive);
        clearTimeout(pending);
        release();
      };
      send(": listening for changes\n\n");
    },
    cancel() {
      stop();
    },
  });
  req.signal.addEventListener("abort", () => { stop(); }, { once: true });
  if (req.signal.aborted) stop();
  return new Response(stream, { status: 200, headers: { "content-type": "text/event-stream", "cache-control": "no-cache, no-transform", "x-accel-buffering": "no" } });
}

const GATEWAY_METHODS = ["GET", "POST", "DELETE"] as const;
type GatewayMethod = (typeof GATEWAY_METHODS)[number];
const isGatewayMethod = (method: string): method is GatewayMethod => (GATEWAY_METHODS as readonly string[]).includes(method);

/** A route handler's method for the gateway; `target` names the provider for `/mcp/{server_identifier}`. */
export async function serveGateway(req: Request, target: Target): Promise<Response> {
  const requestId = requestIdOf(req);
  const started = performance.now();
  let userId: string | undefined;
  let response: Response;
  try {
    const method = req.method;
    if (!isGatewayMethod(method)) {
      // Methods the gateway doesn't speak are refused before anyone is asked who they are.
      response = new Response(null, { status: method === "OPTIONS" ? 204 : 405, headers: { allow: [...GATEWAY_METHODS, "OPTIONS"].join(", ") } });
    } else {
      const caller = await gatewayCaller(req, target.serverIdentifier);
      userId = caller.userId;
      switch (method) {
        case "POST":
          response = target.serverIdentifier ? await post(req, { serverIdentifier: target.serverIdentifier }, caller, requestId) : await postWorkspace(req, caller, requestId);
          break;
        case "GET":
          if (target.serverIdentifier) await findProvider(caller, target.serverIdentifier);
          response = req.headers.get("accept")?.includes("text/event-stream")
            ? listChangedStream(req, caller)
            : jsonRpcError(406, -32000, "Not Acceptable: a GET opens an event stream; send Accept: text/event-stream");
          break;
        case "DELETE":
          // Sessions hold nothing on the server: ending one is always done.
          response = new Response(null, { status: 204 });
          break;
      }
      // The database answered who the caller is: if an outage was noted, it may be over.
      noteDatabaseAvailable();
    }
  } catch (error) {
    response = problemResponse(toApiError(error, req, requestId));
  }
  log.info({ requestId, method: req.method, path: new URL(req.url).pathname, status: response.status, ms: Math.round(performance.now() - started), userId }, "mcp request");
  return response;
}
