// The workspace endpoint's MCP server (`/mcp`; `/mcp/{server_identifier}` is no MCP server of the
// console's: it relays, lib/gateway/relay.ts): every enabled tool of every provider in the
// caller's workspace, named `{server_identifier}__{tool}`, in both eras — 2026-07-28 (each
// request carries its protocol version and the client's capabilities) and 2025-11-25 (initialize,
// then requests in a session). One is made per POST (lib/gateway/workspace-endpoint.ts).
//
// A tool call is made as the caller on their upstream session, and what the upstream server says
// during it goes to the client whose call it is: progress and log messages on the call's stream;
// its requests for input (elicitation, sampling, roots) too, for a 2025-11-25 client that declared
// it can answer them — the answer comes back in a POST of its own (lib/gateway/client-requests.ts).
// A 2026-07-28 client gets the server's `input_required` result as it came, and its retry goes to
// the same provider (the tool's name says which).
import "server-only";
import { lastKnownMcpTools, toolError } from "@/lib/gateway/tool-results";
import { randomUUID } from "node:crypto";
import {
  CLIENT_CAPABILITIES_META_KEY,
  ProtocolError,
  ProtocolErrorCode,
  Server as SdkServer,
  type ClientCapabilities,
  type JSONRPCRequest,
  type Progress,
  type Result,
  type ServerContext,
  type Tool,
} from "@modelcontextprotocol/server";
import type { Client } from "@modelcontextprotocol/client";
import { ApiError } from "@/lib/api/errors";
import type { Caller } from "@/lib/auth/request-auth";
import { db } from "@/lib/db";
import { askClient } from "@/lib/gateway/client-requests";
import { trackRequest } from "@/lib/gateway/in-flight";
import { capabilitiesOfSession } from "@/lib/gateway/workspace-session";
import { log } from "@/lib/log";
import { relayableCapabilities, type ClientRelay } from "@/lib/mcp/client-relay";
import { listToolsPage, McpCallError } from "@/lib/mcp/client";
import { cachedPage } from "@/lib/providers/list-cache";
import { disabledToolsOf, type ProviderRow } from "@/lib/providers/record";
import { toolNameSchema } from "@/lib/providers/schemas";
import { callRowTool, withProviderSession } from "@/lib/providers/tools";

export const GATEWAY_INFO = { name: "mcp-console", title: "MCP Console", version: "1.0.0" };
/** How the workspace endpoint joins a provider's identifier and a tool's name. */
export const TOOL_SEPARATOR = "__";

export type GatewayRequest = {
  caller: Caller;
  requestId: string;
  /** The client's MCP session (the gateway's Mcp-Session-Id): it scopes the client's request ids and what the gateway asks it. */
  sessionId: string | undefined;
};

// The SDK's low-level server: McpServer serves only tools it registered itself, and this endpoint's
// tools are computed for each caller.
// eslint-disable-next-line @typescript-eslint/no-deprecated -- see above
const Server = SdkServer;
type Server = InstanceType<typeof Server>;

// The workspace endpoint asks every provider at once; a provider slower than this is listed from
// what the caller saw last.
const LIST_TIMEOUT_MS = 10_000;
const MAX_LISTED_TOOLS = 1000;
const MAX_PROVIDERS = 200;

export type Era = "legacy" | "modern";

function endUser(request: GatewayRequest) {
  return { userId: request.caller.userId, workspaceId: request.caller.workspaceId };
}

/** An error the MCP client receives as a JSON-RPC error with exactly this code, message and data. */
class RelayedError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

function relayed(error: ProtocolError): RelayedError {
  return new RelayedError(error.code, error.message, error.data);
}

/** The upstream's progress, passed back under the downstream request's own token. */
function progressRelay(params: JSONRPCRequest["params"], ctx: ServerContext): ((progress: Progress) => void) | undefined {
  const token = params?._meta?.progressToken;
  if (token === undefined) return undefined;
  return (progress) => {
    void ctx.mcpReq.notify({ method: "notifications/progress", params: { ...progress, progressToken: token } }).catch(() => undefined);
  };
}

/** The request's own metadata, less the progress token (the upstream request gets one of its own). */
function forwardedMeta(params: JSONRPCRequest["params"]): Record<string, unknown> | undefined {
  const meta = params?._meta;
  if (!meta) return undefined;
  const { progressToken: _token, ...rest } = meta;
  return Object.keys(rest).length > 0 ? rest : undefined;
}

/** Where what the upstream server says during this call goes: to the client that made it. */
function relayFor(server: Server, request: GatewayRequest, era: Era, ctx: ServerContext, signal: AbortSignal): ClientRelay {
  const envelope: Record<string, unknown> = ctx.mcpReq.envelope ?? {};
  const declared = era === "modern" ? (envelope[CLIENT_CAPABILITIES_META_KEY] as ClientCapabilities | undefined) : capabilitiesOfSession(request.sessionId);
  const sessionId = request.sessionId;
  return {
    capabilities: relayableCapabilities(declared),
    passInputRequired: era === "modern",
    log: (params) => {
      void ctx.mcpReq.notify({ method: "notifications/message", params }).catch(() => undefined);
    },
    ask: async (method, params, withdrawn) => {
      // A 2026-07-28 client takes no requests from a server: only `input_required` results reach it.
      if (era === "modern" || !sessionId) throw new ProtocolError(ProtocolErrorCode.MethodNotFound, `Method not found: ${method}`);
      const answer = await askClient({ userId: request.caller.userId, sessionId }, AbortSignal.any([signal, withdrawn]), async (id) => {
        if (!server.transport) throw new ProtocolError(ProtocolErrorCode.InternalError, "the client's call has ended");
        await server.transport.send({ jsonrpc: "2.0", id, method, params: params as Record<string, unknown> }, { relatedRequestId: ctx.mcpReq.id });
      });
      if ("error" in answer) throw new ProtocolError(answer.error.code, answer.error.message, answer.error.data);
      return answer.result;
    },
  };
}

/** A 2026-07-28 retry: the client's answers to an `input_required` result and the state it echoes. */
function retryOf(ctx: ServerContext): { inputResponses?: Record<string, unknown>; requestState?: string } | undefined {
  const inputResponses = ctx.mcpReq.inputResponses;
  const requestState = ctx.mcpReq.requestState<string>();
  if (inputResponses === undefined && requestState === undefined) return undefined;
  return { ...(inputResponses ? { inputResponses } : {}), ...(requestState !== undefined ? { requestState } : {}) };
}

type Call = { server: Server; request: GatewayRequest; era: Era; ctx: ServerContext; httpSignal: AbortSignal };

function tracked<T>(call: Call, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const linked = AbortSignal.any([call.ctx.mcpReq.signal, call.httpSignal]);
  // Without a session (2026-07-28 closes the stream to cancel), a request id names nothing another
  // POST could cancel: two clients of one user count their ids alike.
  const sessionId = call.era === "legacy" && call.request.sessionId ? call.request.sessionId : `unshared:${randomUUID()}`;
  return trackRequest({ userId: call.request.caller.userId, sessionId, requestId: call.ctx.mcpReq.id }, linked, work);
}

/** A call through the gateway: recorded, refused when disabled, failures as the UI words them. */
async function callTool(call: Call, row: ProviderRow, tool: string, params: JSONRPCRequest["params"]): Promise<Result> {
  if (!toolNameSchema.safeParse(tool).success) throw new RelayedError(ProtocolErrorCode.InvalidParams, `Unknown tool: ${JSON.stringify(tool.slice(0, 200))}`);
  const args = params?.arguments;
  return tracked(call, async (signal) => {
    try {
      return await callRowTool(row, {
        tool,
        args: typeof args === "object" && args !== null && !Array.isArray(args) ? (args as Record<string, unknown>) : {},
        user: endUser(call.request),
        context: {
          via: "gateway",
          requestId: call.request.requestId,
          email: call.request.caller.email,
          signal,
          onprogress: progressRelay(params, call.ctx),
          meta: forwardedMeta(params),
          relay: relayFor(call.server, call.request, call.era, call.ctx, signal),
          retry: retryOf(call.ctx),
        },
      });
    } catch (error) {
      if (error instanceof ApiError) return toolError(error.detail);
      if (error instanceof ProtocolError) throw relayed(error);
      throw error;
    }
  });
}

/** The workspace's providers, kept like a list page: any change to them drops it (lib/providers/list-cache.ts). */
async function workspaceProviders(workspaceId: string): Promise<ProviderRow[]> {
  const { data } = await cachedPage(workspaceId, { gatewayProviders: true }, async () => ({
    data: await db().mcpProvider.findMany({ where: { workspaceId }, orderBy: [{ serverIdentifier: "asc" }], take: MAX_PROVIDERS }),
  }));
  return data;
}

async function listUpstreamTools(client: Client, timeoutMs: number, signal?: AbortSignal): Promise<Tool[]> {
  const tools: Tool[] = [];
  let cursor: string | undefined;
  do {
    const page = await listToolsPage(client, cursor, { timeout: timeoutMs, signal });
    tools.push(...(page.tools as Tool[]));
    cursor = page.nextCursor;
  } while (cursor && tools.length < MAX_LISTED_TOOLS);
  return tools;
}

class TooSlow extends Error {}

/**
 * One provider's tools for the workspace list: live as the caller sees them, else — the server
 * failed, refused, or took longer than LIST_TIMEOUT_MS including connecting — what they saw last.
 */
async function toolsOf(row: ProviderRow, request: GatewayRequest, signal: AbortSignal): Promise<Tool[]> {
  const timeoutMs = Math.min(row.timeout * 1000, LIST_TIMEOUT_MS);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => { timer = setTimeout(() => { reject(new TooSlow(`no answer within ${timeoutMs} ms`)); }, timeoutMs); });
  try {
    return await Promise.race([withProviderSession(row, endUser(request), (client) => listUpstreamTools(client, timeoutMs, signal), signal), deadline]);
  } catch (error) {
    if (!(error instanceof ApiError) && !(error instanceof McpCallError) && !(error instanceof ProtocolError) && !(error instanceof TooSlow)) throw error;
    log.info({ providerId: row.id, reason: error.message }, "gateway lists a provider's last known tools");
    return await lastKnownMcpTools(row, request.caller.userId);
  } finally {
    clearTimeout(timer);
  }
}

/** `{identifier}__{tool}` back to its provider and tool; the longest identifier that fits wins. */
function resolveTool(rows: ProviderRow[], name: string): { row: ProviderRow; tool: string } | undefined {
  let best: { row: ProviderRow; tool: string } | undefined;
  for (const row of rows) {
    const prefix = row.serverIdentifier + TOOL_SEPARATOR;
    if (name.startsWith(prefix) && name.length > prefix.length && (!best || row.serverIdentifier.length > best.row.serverIdentifier.length)) {
      best = { row, tool: name.slice(prefix.length) };
    }
  }
  return best;
}

/**
 * What reaches the client when a handler fails: JSON-RPC errors as they are; anything unexpected
 * is logged here and answered with a generic message (never a stack, a query or a host name).
 */
async function guarded(request: GatewayRequest, method: string, work: () => Promise<Result>): Promise<Result> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof RelayedError || error instanceof ProtocolError) throw error;
    log.error({ err: error, requestId: request.requestId, method }, "unhandled error in the MCP gateway");
    throw new RelayedError(ProtocolErrorCode.InternalError, `Something went wrong on our side. It has been logged as ${request.requestId}.`);
  }
}

/** The workspace endpoint's server for one POST. `httpSignal` aborts when the client goes away. */
export function workspaceServer(request: GatewayRequest, era: Era, httpSignal: AbortSignal): Server {
  const server = new Server(GATEWAY_INFO, {
    capabilities: { tools: { listChanged: true }, logging: {} },
    instructions: `The tools of the MCP servers in the ${request.caller.workspaceName} workspace, named {server}${TOOL_SEPARATOR}{tool}. Every call is made as ${request.caller.email}.`,
  });
  server.fallbackRequestHandler = (req: JSONRPCRequest, ctx: ServerContext) =>
    guarded(request, req.method, async () => {
      const call: Call = { server, request, era, ctx, httpSignal };
      const params = req.params;
      switch (req.method) {
        case "tools/list": {
          const rows = await workspaceProviders(request.caller.workspaceId);
          const lists = await tracked(call, (signal) => Promise.all(rows.map((row) => toolsOf(row, request, signal))));
          const tools = rows.flatMap((row, index) => {
            const disabled = disabledToolsOf(row);
            return lists[index].filter((tool) => !disabled.has(tool.name)).map((tool) => ({ ...tool, name: `${row.serverIdentifier}${TOOL_SEPARATOR}${tool.name}` }));
          });
          // Which tools there are depends on who asks (their identity, their connections).
          return { tools: tools.slice(0, MAX_LISTED_TOOLS), ...(era === "modern" ? { ttlMs: 0, cacheScope: "private" } : {}) };
        }
        case "tools/call": {
          const name = typeof params?.name === "string" ? params.name : "";
          const target = resolveTool(await workspaceProviders(request.caller.workspaceId), name);
          if (!target) throw new RelayedError(ProtocolErrorCode.InvalidParams, `Unknown tool: ${name}. Tools here are named {server}${TOOL_SEPARATOR}{tool}; list them with tools/list.`);
          return callTool(call, target.row, target.tool, params);
        }
        default:
          throw new RelayedError(ProtocolErrorCode.MethodNotFound, `Method not found: ${req.method}`);
      }
    });
  return server;
}
