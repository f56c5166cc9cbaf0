// The one-provider endpoint's MCP server, one per HTTP request (the transport is stateless):
// `providerServer` is a transparent proxy. It introduces itself with the upstream server's
// capabilities and forwards every request — tools, resources, prompts, completions, logging — on
// the caller's warm session, passing progress back and cancellation on. (The workspace endpoint's
// server is lib/gateway/workspace-server.ts.)
// Either way each upstream request carries what identity forwarding decides for this caller, never
// the caller's own token, and a tool call that can't be made comes back as a tool error
// (`isError: true`) whose text is the message the console's UI shows.
import "server-only";
import { ProtocolError, type Client } from "@modelcontextprotocol/client";
import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";
import {
  CancelledNotificationSchema,
  ErrorCode,
  McpError,
  type CallToolResult,
  type JSONRPCRequest,
  type Progress,
  type Result,
  type ServerCapabilities,
  type ServerNotification,
  type ServerRequest,
  type Tool,
} from "@modelcontextprotocol/sdk/types.js";
import type { StandardSchemaV1 } from "@modelcontextprotocol/server";
import { ApiError } from "@/lib/api/errors";
import type { Caller } from "@/lib/auth/request-auth";
import { cancelRequest, trackRequest } from "@/lib/gateway/in-flight";
import { LowLevelServer } from "@/lib/gateway/low-level-server";
import { log } from "@/lib/log";
import { parseDisabledTools, type ProviderRow } from "@/lib/providers/record";
import { toolNameSchema } from "@/lib/providers/schemas";
import { McpCallError } from "@/lib/mcp/client";
import { callRowTool, lastKnownTools, withProviderSession } from "@/lib/providers/tools";

export const GATEWAY_INFO = { name: "mcp-console", title: "MCP Console", version: "1.0.0" };
/** How the workspace endpoint joins a provider's identifier and a tool's name. */
export const TOOL_SEPARATOR = "__";

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
async function callTool(row: ProviderRow, tool: string, params: JSONRPCRequest["params"], request: GatewayRequest, extra: Extra): Promise<Result> {
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
      if (error instanceof ProtocolError) throw relayed(error);
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
function relayed(error: ProtocolError): RelayedError {
  return new RelayedError(error.code, error.message, error.data);
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

/** Any result, as the upstream sent it: the relay passes on what it doesn't need to read. */
const anyResult: StandardSchemaV1<Result, Result> = { "~standard": { version: 1, vendor: "mcp-console", validate: (value) => ({ value: value as Result }) } };

type Introduction = { capabilities: ServerCapabilities; info: { name: string; version: string }; instructions?: string };

/**
 * What a proxy says of itself: the upstream server's introduction, as the caller's session saw it.
 * When the upstream can't be asked as this caller, the proxy still connects, offering the tools
 * they saw last, so that each call can say what to do (sign in again, ask an admin) as a tool error.
 */
async function upstreamIntroduction(row: ProviderRow, request: GatewayRequest): Promise<Introduction> {
  try {
    return await upstream(row, request, (client) =>
      Promise.resolve({
        capabilities: client.getServerCapabilities() ?? {},
        info: client.getServerVersion() ?? { name: row.serverIdentifier, version: "unknown" },
        instructions: client.getInstructions(),
      }),
    );
  } catch (error) {
    if (!(error instanceof UpstreamUnavailable)) throw error;
    return { capabilities: { tools: {} }, info: { name: row.serverIdentifier, version: "unavailable" }, instructions: error.apiError.detail };
  }
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

/** Capabilities the proxy can honour: what the upstream offers, less what a stateless relay can't carry. */
function relayable(capabilities: ServerCapabilities): ServerCapabilities {
  const { tasks: _tasks, ...rest } = capabilities;
  return rest;
}

/**
 * The one-provider endpoint. `introduce`: the request is an initialize, so the server presents the
 * upstream's capabilities and identity (asking the upstream, on the caller's session).
 */
export async function providerServer(row: ProviderRow, request: GatewayRequest, introduce: boolean): Promise<LowLevelServer> {
  const intro = introduce ? await upstreamIntroduction(row, request) : undefined;
  const server = new LowLevelServer(intro?.info ?? GATEWAY_INFO, {
    // After initialize, the client already knows the capabilities; these only let the relay send what the upstream sends.
    capabilities: intro ? relayable(intro.capabilities) : { tools: {}, resources: {}, prompts: {}, completions: {}, logging: {} },
    ...(intro?.instructions ? { instructions: intro.instructions } : {}),
  });
  // The upstream decides logging levels; the SDK's own handler would answer for it.
  server.removeRequestHandler("logging/setLevel");
  acceptCancellations(server, request);
  server.fallbackRequestHandler = guarded(request, async (req, extra) => {
    const params = req.params;
    switch (req.method) {
      case "tools/call":
        return callTool(row, typeof params?.name === "string" ? params.name : "", params, request, extra);
      case "tools/list": {
        const disabled = new Set(parseDisabledTools(row));
        const meta = forwardedMeta(params);
        const { _meta: _dropped, ...rest } = params ?? {};
        const page = await tracked(request, extra, (signal) =>
          upstream(row, request, (client, timeoutMs) => client.request({ method: "tools/list", params: { ...rest, ...(meta ? { _meta: meta } : {}) } }, { timeout: timeoutMs, signal }), signal),
        ).catch(async (error: unknown) => {
          if (!(error instanceof UpstreamUnavailable)) throw error;
          return { tools: await lastKnownMcpTools(row, request.caller.userId) };
        });
        return { ...page, tools: (page.tools as Tool[]).filter((tool) => !disabled.has(tool.name)) };
      }
      default:
        return tracked(request, extra, (signal) =>
          upstream(row, request, (client, timeoutMs) => {
            const onprogress = progressRelay(params, extra);
            const meta = forwardedMeta(params);
            const forwardedParams = params ? { ...params, _meta: meta } : undefined;
            if (forwardedParams && !meta) delete forwardedParams._meta;
            return client.request({ method: req.method, params: forwardedParams }, anyResult, {
              timeout: timeoutMs,
              signal,
              ...(onprogress ? { onprogress, resetTimeoutOnProgress: true } : {}),
            });
          }, signal),
        );
    }
  });
  return server;
}
