// The MCP server `/mcp` answers with, one per HTTP request (the transport is stateless): every
// enabled tool of every provider in the caller's workspace, named `{server_identifier}__{tool}`.
// (`/mcp/{server_identifier}` is no MCP server of the console's: it relays, lib/gateway/relay.ts.)
// Each upstream request carries what identity forwarding decides for this caller, never
// the caller's own token, and a tool call that can't be made comes back as a tool error
// (`isError: true`) whose text is the message the console's UI shows.
import "server-only";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";
import {
  CancelledNotificationSchema,
  ErrorCode,
  ListToolsResultSchema,
  McpError,
  type CallToolResult,
  type JSONRPCRequest,
  type Progress,
  type Result,
  type ServerNotification,
  type ServerRequest,
  type Tool,
} from "@modelcontextprotocol/sdk/types.js";
import { ApiError } from "@/lib/api/errors";
import type { Caller } from "@/lib/auth/request-auth";
import { db } from "@/lib/db";
import { cancelRequest, trackRequest } from "@/lib/gateway/in-flight";
import { LowLevelServer } from "@/lib/gateway/low-level-server";
import { log } from "@/lib/log";
import { cachedPage } from "@/lib/providers/list-cache";
import { parseDisabledTools, type ProviderRow } from "@/lib/providers/record";
import { toolNameSchema } from "@/lib/providers/schemas";
import { McpCallError } from "@/lib/mcp/client";
import { callRowTool, lastKnownTools, withProviderSession } from "@/lib/providers/tools";

export const GATEWAY_INFO = { name: "mcp-console", title: "MCP Console", version: "1.0.0" };
/** How the workspace endpoint joins a provider's identifier and a tool's name. */
export const TOOL_SEPARATOR = "__";
// The workspace endpoint asks every provider at once; a provider slower than this is listed from
// what the caller saw last.
const LIST_TIMEOUT_MS = 10_000;
const MAX_LISTED_TOOLS = 1000;
const MAX_PROVIDERS = 200;

export type GatewayRequest = {
  caller: Caller;
  requestId: string;
  /** The client's MCP session (the gateway's Mcp-Session-Id), which scopes its request ids. */
  sessionId: string | undefined;
};

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

function endUser(caller: Caller) {
  return { userId: caller.userId, workspaceId: caller.workspaceId };
}

/** Cancellations arrive in POSTs of their own: they are matched to requests in flight (lib/gateway/in-flight.ts). */
function acceptCancellations(server: LowLevelServer, request: GatewayRequest) {
  server.setNotificationHandler(CancelledNotificationSchema, (notification) => {
    const { requestId, reason } = notification.params;
    if (requestId !== undefined) return cancelRequest({ userId: request.caller.userId, sessionId: request.sessionId, requestId }, reason);
    return Promise.resolve();
  });
}

function tracked<T>(request: GatewayRequest, extra: Extra, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  return trackRequest({ userId: request.caller.userId, sessionId: request.sessionId, requestId: extra.requestId }, extra.signal, work);
}

/** The downstream request's progress token, and a way to pass the upstream's progress back under it. */
function progressRelay(params: JSONRPCRequest["params"], extra: Extra): ((progress: Progress) => void) | undefined {
  const token = params?._meta?.progressToken;
  if (token === undefined) return undefined;
  return (progress) => {
    void extra.sendNotification({ method: "notifications/progress", params: { ...progress, progressToken: token } }).catch(() => undefined);
  };
}

/** The request's own metadata, less the progress token (the upstream request gets one of its own). */
function forwardedMeta(params: JSONRPCRequest["params"]): Record<string, unknown> | undefined {
  const meta = params?._meta;
  if (!meta) return undefined;
  const { progressToken: _token, ...rest } = meta;
  return Object.keys(rest).length > 0 ? rest : undefined;
}

function toolError(text: string): CallToolResult {
  return { content: [{ type: "text", text }], isError: true };
}

/** A call through the gateway: recorded, refused when disabled, failures as the UI words them. */
async function callTool(row: ProviderRow, tool: string, params: JSONRPCRequest["params"], request: GatewayRequest, extra: Extra): Promise<CallToolResult> {
  if (!toolNameSchema.safeParse(tool).success) throw new RelayedError(ErrorCode.InvalidParams, `Unknown tool: ${JSON.stringify(tool.slice(0, 200))}`);
  const args = params?.arguments;
  return tracked(request, extra, async (signal) => {
    try {
      return await callRowTool(row, {
        tool,
        args: typeof args === "object" && args !== null && !Array.isArray(args) ? (args as Record<string, unknown>) : {},
        user: endUser(request.caller),
        context: {
          via: "gateway",
          requestId: request.requestId,
          email: request.caller.email,
          signal,
          onprogress: progressRelay(params, extra),
          meta: forwardedMeta(params),
        },
      });
    } catch (error) {
      if (error instanceof ApiError) return toolError(error.detail);
      if (error instanceof McpError) throw relayed(error);
      throw error;
    }
  });
}

/**
 * An error the MCP client receives as a JSON-RPC error with exactly this code, message and data
 * (the SDK's McpError would prefix its message with "MCP error <code>:" a second time).
 */
class RelayedError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

/** The upstream server's JSON-RPC error, passed on as it came. */
function relayed(error: McpError): RelayedError {
  return new RelayedError(error.code, error.message.replace(/^MCP error -?\d+: /, ""), error.data);
}

/** The upstream server couldn't be asked as this caller (identity, network, refusal): the UI's message. */
class UpstreamUnavailable extends RelayedError {
  constructor(readonly apiError: ApiError) {
    super(ErrorCode.InternalError, apiError.detail, { code: apiError.code });
  }
}

/** Runs `work` on the caller's upstream session; API errors (identity, transport) become JSON-RPC errors. */
async function upstream<T>(row: ProviderRow, request: GatewayRequest, work: (client: Client, timeoutMs: number) => Promise<T>, signal?: AbortSignal): Promise<T> {
  try {
    return await withProviderSession(row, endUser(request.caller), (client, connection) => work(client, connection.timeoutMs), signal);
  } catch (error) {
    if (error instanceof ApiError) throw new UpstreamUnavailable(error);
    if (error instanceof McpCallError && error.rpc) throw relayed(error.rpc);
    throw error;
  }
}

/**
 * What reaches the client when a handler fails: JSON-RPC errors as they are; anything unexpected
 * is logged here and answered with a generic message (never a stack, a query or a host name).
 */
function guarded(request: GatewayRequest, handler: (req: JSONRPCRequest, extra: Extra) => Promise<Result>) {
  return async (req: JSONRPCRequest, extra: Extra): Promise<Result> => {
    try {
      return await handler(req, extra);
    } catch (error) {
      if (error instanceof RelayedError || error instanceof McpError) throw error;
      log.error({ err: error, requestId: request.requestId, method: req.method }, "unhandled error in the MCP gateway");
      throw new RelayedError(ErrorCode.InternalError, `Something went wrong on our side. It has been logged as ${request.requestId}.`);
    }
  };
}

async function listUpstreamTools(client: Client, timeoutMs: number, signal?: AbortSignal): Promise<Tool[]> {
  const tools: Tool[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.request({ method: "tools/list", params: cursor ? { cursor } : {} }, ListToolsResultSchema, { timeout: timeoutMs, signal });
    tools.push(...page.tools);
    cursor = page.nextCursor;
  } while (cursor && tools.length < MAX_LISTED_TOOLS);
  return tools;
}

/** The caller's last known tools of a provider, in MCP's shape (for when the live list can't be had). */
async function lastKnownMcpTools(row: ProviderRow, userId: string): Promise<Tool[]> {
  const known = await lastKnownTools(row, userId);
  return known.data.map((tool) => ({
    name: tool.name,
    ...(tool.title ? { title: tool.title } : {}),
    ...(tool.description ? { description: tool.description } : {}),
    inputSchema: { type: "object", ...tool.input_schema },
  }));
}

/** The workspace's providers, kept like a list page: any change to them drops it (lib/providers/list-cache.ts). */
async function workspaceProviders(workspaceId: string): Promise<ProviderRow[]> {
  const { data } = await cachedPage(workspaceId, { gatewayProviders: true }, async () => ({
    data: await db().mcpProvider.findMany({ where: { workspaceId }, orderBy: [{ serverIdentifier: "asc" }], take: MAX_PROVIDERS }),
  }));
  return data;
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
    return await Promise.race([upstream(row, request, (client) => listUpstreamTools(client, timeoutMs, signal), signal), deadline]);
  } catch (error) {
    if (!(error instanceof RelayedError) && !(error instanceof McpError) && !(error instanceof TooSlow)) throw error;
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

/** The workspace endpoint: every enabled tool of every provider. */
export function workspaceServer(request: GatewayRequest): LowLevelServer {
  const server = new LowLevelServer(GATEWAY_INFO, {
    capabilities: { tools: { listChanged: true } },
    instructions: `The tools of the MCP servers in the ${request.caller.workspaceName} workspace, named {server}${TOOL_SEPARATOR}{tool}. Every call is made as ${request.caller.email}.`,
  });
  acceptCancellations(server, request);
  server.fallbackRequestHandler = guarded(request, async (req, extra) => {
    const params = req.params;
    switch (req.method) {
      case "tools/list": {
        const rows = await workspaceProviders(request.caller.workspaceId);
        const lists = await tracked(request, extra, (signal) => Promise.all(rows.map((row) => toolsOf(row, request, signal))));
        const tools = rows.flatMap((row, index) => {
          const disabled = new Set(parseDisabledTools(row));
          return lists[index].filter((tool) => !disabled.has(tool.name)).map((tool) => ({ ...tool, name: `${row.serverIdentifier}${TOOL_SEPARATOR}${tool.name}` }));
        });
        return { tools: tools.slice(0, MAX_LISTED_TOOLS) };
      }
      case "tools/call": {
        const name = typeof params?.name === "string" ? params.name : "";
        const target = resolveTool(await workspaceProviders(request.caller.workspaceId), name);
        if (!target) throw new RelayedError(ErrorCode.InvalidParams, `Unknown tool: ${name}. Tools here are named {server}${TOOL_SEPARATOR}{tool}; list them with tools/list.`);
        return callTool(target.row, target.tool, params, request, extra);
      }
      default:
        throw new RelayedError(ErrorCode.MethodNotFound, `Method not found: ${req.method}`);
    }
  });
  return server;
}
