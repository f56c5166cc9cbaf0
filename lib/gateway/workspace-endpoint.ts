// POST /mcp — the workspace endpoint, served by the SDK v2 handler, which tells the eras apart:
// a 2026-07-28 request (its `_meta` names the revision; `Mcp-Method`/`Mcp-Name` must match the
// body, `server/discover` answers what the console speaks) or a 2025-11-25 one (initialize, then
// the session). Before the handler sees a POST, what is not a request is taken out of it: a
// client's answers to requests the gateway passed on (lib/gateway/client-requests.ts) and its
// cancellations (lib/gateway/in-flight.ts) — they belong to calls that run in other POSTs.
import "server-only";
import { createMcpHandler, type ServerEventBus } from "@modelcontextprotocol/server";
import { z } from "zod";
import { readCappedText } from "@/lib/api/body";
import type { Caller } from "@/lib/auth/request-auth";
import { onChange } from "@/lib/change-bus";
import { answerRequest, clientAnswerOf } from "@/lib/gateway/client-requests";
import { cancelRequest } from "@/lib/gateway/in-flight";
import { jsonRpcError, MAX_BODY_BYTES } from "@/lib/gateway/jsonrpc";
import { gatewayEventStream, stillAllowed, takeStreamSlot } from "@/lib/gateway/streams";
import { workspaceServer, type GatewayRequest } from "@/lib/gateway/workspace-server";
import { newWorkspaceSessionId } from "@/lib/gateway/workspace-session";
import { log } from "@/lib/log";
import { countSessionOpened } from "@/lib/observability/metrics";
import { annotateRpcRequest } from "@/lib/observability/tracing";

const MAX_BATCH = 100;

const messageSchema = z.looseObject({
  jsonrpc: z.literal("2.0"),
  id: z.union([z.string(), z.number()]).optional(),
  method: z.string().optional(),
  params: z.record(z.string(), z.unknown()).optional(),
});
type Message = z.infer<typeof messageSchema>;

function parseMessages(text: string): Message[] | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    const messages = Array.isArray(parsed) ? parsed : [parsed];
    if (messages.length === 0 || messages.length > MAX_BATCH) return undefined;
    return messages.map((message) => messageSchema.parse(message));
  } catch {
    return undefined;
  }
}

/** `subscriptions/listen` (2026-07-28): the workspace's tools change when its providers do. */
function workspaceEvents(workspaceId: string): ServerEventBus {
  return {
    publish: () => undefined,
    subscribe: (listener) =>
      onChange(
        "providers",
        (changed) => { if (changed === workspaceId) listener({ kind: "tools_list_changed" }); },
        () => { listener({ kind: "tools_list_changed" }); },
      ),
  };
}

/** Takes a client's answers and cancellations out of the POST, to the calls they belong to; returns the rest. */
async function routeToCalls(messages: Message[], caller: Caller, sessionId: string | undefined): Promise<Message[]> {
  const rest: Message[] = [];
  for (const message of messages) {
    const answer = clientAnswerOf(message);
    if (answer) {
      if (sessionId) await answerRequest({ userId: caller.userId, sessionId }, answer.id, answer.answer);
    } else if (message.method === "notifications/cancelled") {
      const { requestId, reason } = message.params ?? {};
      if (sessionId && (typeof requestId === "string" || typeof requestId === "number")) {
        await cancelRequest({ userId: caller.userId, sessionId, requestId }, typeof reason === "string" ? reason : undefined);
      }
    } else {
      rest.push(message);
    }
  }
  return rest;
}

export async function postWorkspace(req: Request, caller: Caller, requestId: string): Promise<Response> {
  const text = await readCappedText(req, MAX_BODY_BYTES);
  const messages = parseMessages(text);
  if (!messages) return jsonRpcError(400, -32700, `Parse error: the body is not a JSON-RPC message (or a batch of 1–${MAX_BATCH})`);
  const sent = req.headers.get("mcp-session-id") ?? undefined;
  const rest = await routeToCalls(messages, caller, sent);
  if (rest.length === 0) return new Response(null, { status: 202, headers: { "x-request-id": requestId } });
  const [single] = rest;
  if (rest.length === 1 && single.method) annotateRpcRequest({ method: single.method, id: single.id, params: single.params });

  const initialize = rest.find((message) => message.method === "initialize");
  const sessionId = initialize ? newWorkspaceSessionId(initialize.params?.capabilities as never) : sent;
  const request: GatewayRequest = { caller, requestId, sessionId };
  const handler = createMcpHandler(({ era }) => workspaceServer(request, era, req.signal), {
    bus: workspaceEvents(caller.workspaceId),
    maxRequestBodySize: MAX_BODY_BYTES,
    onerror: (error) => { log.debug({ requestId, reason: error.message }, "MCP request refused or failed in the SDK"); },
  });
  const response = await handler.fetch(req, { parsedBody: rest.length === 1 ? rest[0] : rest });
  if (initialize && response.ok && sessionId) {
    response.headers.set("mcp-session-id", sessionId);
    countSessionOpened(caller.workspaceId, "workspace");
  }
  response.headers.set("x-request-id", requestId);
  const listen = rest.length === 1 && rest[0].method === "subscriptions/listen";
  return listen && response.ok && response.body ? subscription(req, caller, response) : response;
}

/**
 * A 2026-07-28 subscription is what a GET stream was: it ends when the caller's token is revoked or
 * expires, and counts as one of their streams (the SDK's handler tells it of the workspace's changes).
 */
function subscription(req: Request, caller: Caller, response: Response): Response {
  const release = takeStreamSlot(caller.userId);
  if (release instanceof Response) {
    void response.body?.cancel().catch(() => undefined);
    return release;
  }
  return gatewayEventStream(
    { req, caller, endpoint: "workspace", stillAllowed: stillAllowed(req, caller, undefined), listChanged: () => Promise.resolve(false), upstream: response.body ?? undefined, headers: Object.fromEntries(response.headers) },
    release,
  );
}
