// The gateway's HTTP face, Streamable HTTP:
// - `/mcp/{server_identifier}` (one provider) is a relay (lib/gateway/relay.ts): what the client
//   and the server say passes through, and a sealed session id lets any instance continue it;
// - `/mcp` (the workspace) is the console's own MCP server, made fresh for every POST
//   (lib/gateway/workspace-endpoint.ts), in both eras; its GET stream tells of
//   `notifications/tools/list_changed`.
// Callers authenticate with a Bearer token — a personal API token or an OAuth access token from the
// console's authorization server (lib/oauth/access.ts) — never a cookie. A browser's request is
// served only for the console's own origin and those an operator allows (lib/gateway/origin.ts).
import "server-only";
import type { Span } from "@opentelemetry/api";
import { readCapped } from "@/lib/api/body";
import { ApiError, problemResponse } from "@/lib/api/errors";
import { requestIdOf, toApiError } from "@/lib/api/handler";
import type { Caller } from "@/lib/auth/request-auth";
import { db } from "@/lib/db";
import { noteDatabaseAvailable } from "@/lib/db-availability";
import { AnswerWatch, relayEventStream } from "@/lib/gateway/answers";
import { jsonRpcError } from "@/lib/gateway/jsonrpc";
import { corsHeaders, originAllowed, preflight } from "@/lib/gateway/origin";
import { relayDelete, relayGet, relayPost, sessionFor, type RelayRequest } from "@/lib/gateway/relay";
import { gatewayEventStream, stillAllowed, takeStreamSlot } from "@/lib/gateway/streams";
import { postWorkspace } from "@/lib/gateway/workspace-endpoint";
import { gatewayRequestOf, setAnswerHeaders, webAnswer, type GatewayAnswer, type GatewayRequest } from "@/lib/gateway/request";
import { disabledToolsOf, type ProviderRow } from "@/lib/providers/record";
import { cachedPage, keptPage } from "@/lib/providers/list-cache";
import { LIMITS, serverIdentifierSchema } from "@/lib/providers/schemas";
import { log } from "@/lib/log";
import { gatewayCallerNow } from "@/lib/oauth/access";
import { ATTR } from "@/lib/observability/otlp";
import { traceRequest } from "@/lib/observability/tracing";

type Target = { serverIdentifier?: string };

const providerRequest = (serverIdentifier: string) => ({ gatewayProvider: serverIdentifier });

/** The provider from the list cache, without a wait (every relayed call asks); undefined when findProvider must look. */
function keptProvider(caller: Caller, serverIdentifier: string): ProviderRow | undefined {
  // Only a valid identifier is ever read, and so kept: anything else misses, and findProvider refuses
  // it. One too long to be valid isn't made into a key at all (a path can hold kilobytes).
  if (serverIdentifier.length > LIMITS.identifierMax) return undefined;
  return keptPage(caller.workspaceId, providerRequest(serverIdentifier))?.data[0] as ProviderRow | undefined;
}

async function findProvider(caller: Caller, serverIdentifier: string) {
  // Anything that can't be an identifier names no server (and never reaches the database).
  // Kept like a list page (lib/providers/list-cache.ts): any change to the workspace's providers drops it.
  const row = serverIdentifierSchema.safeParse(serverIdentifier).success
    ? (
        await cachedPage(caller.workspaceId, providerRequest(serverIdentifier), async () => {
          const found = await db().mcpProvider.findUnique({ where: { workspaceId_serverIdentifier: { workspaceId: caller.workspaceId, serverIdentifier } } });
          return { data: found ? [found] : [] };
        })
      ).data[0]
    : undefined;
  if (!row) throw new ApiError("not_found", `No MCP server "${serverIdentifier.slice(0, 64)}" in the ${caller.workspaceName} workspace`);
  return row;
}

/** GET on `/mcp`: the console's own stream, telling the client when the workspace's providers change. */
function workspaceStream(req: GatewayRequest, caller: Caller): Response {
  const release = takeStreamSlot(caller.userId);
  if (release instanceof Response) return release;
  return gatewayEventStream({ req, caller, endpoint: "workspace", stillAllowed: stillAllowed(req, caller, undefined), listChanged: () => Promise.resolve(true) }, release);
}

/**
 * The provider as a long-lived stream last saw it: `changed` says whether a change in the workspace
 * touched it (its version moved) or it is gone; `disabledTools` what is turned off now.
 */
function watchedProvider(caller: Caller, row: ProviderRow) {
  let current = row;
  return {
    changed: async () => {
      const now = await findProvider(caller, row.serverIdentifier).catch((error: unknown) => {
        if (error instanceof ApiError && error.code === "not_found") return undefined;
        throw error;
      });
      if (!now || now.id !== row.id) return "gone" as const;
      if (now.version === current.version) return false;
      current = now;
      return true;
    },
    disabledTools: () => disabledToolsOf(current),
  };
}

/** A server's stream may replay answers to earlier POSTs (Last-Event-ID): tools lists in them are held to policy too. */
function policyWatch(disabledTools: () => ReadonlySet<string>): AnswerWatch {
  return new AnswerWatch((result) => {
    if (!Array.isArray(result.tools)) return undefined;
    const disabled = disabledTools();
    return disabled.size > 0 ? { ...result, tools: result.tools.filter((tool: unknown) => !disabled.has(String((tool as { name?: unknown } | null)?.name))) } : undefined;
  });
}

/**
 * GET on `/mcp/{id}`: the server's own stream for the session, relayed, with list changes of this
 * provider between its events. A session the console answered itself (the server couldn't be
 * asked) has no upstream stream: it gets the console's.
 */
async function providerStream(relay: RelayRequest): Promise<Response> {
  const { req, caller, row } = relay;
  const session = sessionFor(relay);
  if (session instanceof Response) return session;
  const release = takeStreamSlot(caller.userId);
  if (release instanceof Response) return release;
  const provider = watchedProvider(caller, row);
  const options = { req, caller, endpoint: "provider" as const, stillAllowed: stillAllowed(req, caller, row.serverIdentifier), listChanged: provider.changed };
  if (session !== "none" && !session.upstreamSessionId) return gatewayEventStream(options, release);
  const sent = await relayGet(relay, session).catch((error: unknown) => {
    release();
    throw error;
  });
  if (sent instanceof Response) {
    release();
    return sent;
  }
  const response = sent.upstream.response();
  const { connection } = sent;
  if (!response.ok || !response.body || !(response.headers.get("content-type") ?? "").includes("text/event-stream")) {
    release();
    const body = response.body ? await readCapped(response, 64 * 1024, () => new Error("too large")).catch(() => null) : null;
    return new Response(body, { status: response.status, headers: { "content-type": response.headers.get("content-type") ?? "application/json" } });
  }
  const upstream = relayEventStream(response.body, policyWatch(provider.disabledTools), "");
  return gatewayEventStream({ ...options, upstream, until: connection.validUntil }, release);
}

/**
 * A 2026-07-28 subscription on `/mcp/{id}`: held like a GET stream (revocation, expiry, the
 * caller's stream count, tools/list_changed when an admin changes the provider, if it asked for those).
 */
function subscriptionStream(req: GatewayRequest, caller: Caller, row: ProviderRow) {
  return (answer: Response, credentialUntil: number, toolsListChanged: boolean): Response => {
    const release = takeStreamSlot(caller.userId);
    if (release instanceof Response) {
      void answer.body?.cancel().catch(() => undefined);
      return release;
    }
    const provider = watchedProvider(caller, row);
    // The client chose what it hears: a change to the provider (a tool turned off) only if it asked for tool list changes.
    const changed = async () => {
      const change = await provider.changed();
      return change === "gone" || (change && toolsListChanged);
    };
    return gatewayEventStream({ req, caller, endpoint: "provider", stillAllowed: stillAllowed(req, caller, row.serverIdentifier), listChanged: changed, upstream: answer.body ?? undefined, until: credentialUntil, headers: Object.fromEntries(answer.headers) }, release);
  };
}

const GATEWAY_METHODS = ["GET", "POST", "DELETE"] as const;
type GatewayMethod = (typeof GATEWAY_METHODS)[number];
const isGatewayMethod = (method: string): method is GatewayMethod => (GATEWAY_METHODS as readonly string[]).includes(method);

function relayRequest(req: GatewayRequest, caller: Caller, row: ProviderRow, requestId: string, span: Span | undefined): RelayRequest {
  span?.setAttributes({ [ATTR.providerId]: row.id, [ATTR.providerName]: row.name, [ATTR.serverIdentifier]: row.serverIdentifier });
  return { req, row, caller, requestId, longLived: subscriptionStream(req, caller, row) };
}

function serveProvider(method: GatewayMethod, relay: RelayRequest): Promise<GatewayAnswer> {
  switch (method) {
    case "POST":
      return relayPost(relay);
    case "GET":
      return providerStream(relay);
    case "DELETE":
      return relayDelete(relay);
  }
}

async function serveWorkspace(method: GatewayMethod, req: GatewayRequest, caller: Caller, requestId: string): Promise<Response> {
  switch (method) {
    case "POST":
      return postWorkspace(req.web(), caller, requestId);
    case "GET":
      return req.headers.get("accept")?.includes("text/event-stream")
        ? workspaceStream(req, caller)
        : jsonRpcError(406, -32000, "Not Acceptable: a GET opens an event stream; send Accept: text/event-stream");
    case "DELETE":
      // Sessions hold nothing on the server: ending one is always done.
      return new Response(null, { status: 204 });
  }
}

/** A route handler's method for the gateway; `target` names the provider for `/mcp/{server_identifier}`. */
export async function serveGateway(req: Request, target: Target): Promise<Response> {
  return webAnswer(await answerGateway(gatewayRequestOf(req), target));
}

/** The gateway's answer to `req`, for lib/gateway/node-http.ts to write (and serveGateway to make a Response of). */
export function answerGateway(req: GatewayRequest, target: Target): Promise<GatewayAnswer> {
  return traceRequest(req, target.serverIdentifier ? "/mcp/{server_identifier}" : "/mcp", (span) => serve(req, target, span));
}

async function serve(req: GatewayRequest, target: Target, span: Span | undefined): Promise<GatewayAnswer> {
  const requestId = requestIdOf(req);
  span?.setAttribute(ATTR.requestId, requestId);
  const started = performance.now();
  const origin = req.headers.get("origin");
  let userId: string | undefined;
  let response: GatewayAnswer;
  try {
    const method = req.method;
    if (method === "OPTIONS") {
      response = preflight(req, GATEWAY_METHODS);
    } else if (!isGatewayMethod(method)) {
      // Methods the gateway doesn't speak are refused before anyone is asked who they are.
      response = new Response(null, { status: 405, headers: { allow: [...GATEWAY_METHODS, "OPTIONS"].join(", ") } });
    } else if (!originAllowed(origin)) {
      // A page of another origin — or a DNS-rebound name — never reaches a provider.
      response = jsonRpcError(403, -32000, "Forbidden: requests from this Origin are not allowed (an operator can allow a web client's origin with MCP_CORS_ORIGINS)");
    } else {
      // A caller and a provider checked moments ago come without a wait: every relayed call asks.
      const found = gatewayCallerNow(req, target.serverIdentifier);
      const caller = found instanceof Promise ? await found : found;
      userId = caller.userId;
      span?.setAttributes({ [ATTR.userId]: caller.userId, [ATTR.workspaceId]: caller.workspaceId });
      const { serverIdentifier } = target;
      if (serverIdentifier) {
        const row = keptProvider(caller, serverIdentifier) ?? (await findProvider(caller, serverIdentifier));
        response = await serveProvider(method, relayRequest(req, caller, row, requestId, span));
      } else {
        response = await serveWorkspace(method, req, caller, requestId);
      }
      // The database answered who the caller is: if an outage was noted, it may be over.
      noteDatabaseAvailable();
    }
  } catch (error) {
    response = problemResponse(toApiError(error, req, requestId));
  }
  setAnswerHeaders(response, { ...corsHeaders(origin), "x-request-id": requestId });
  const line = { requestId, method: req.method, status: response.status, ms: Math.round(performance.now() - started), userId, traceId: span?.spanContext().traceId };
  req.afterAnswer(() => { log.info({ ...line, path: new URL(req.url).pathname }, "mcp request"); });
  return response;
}
