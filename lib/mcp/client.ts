// Talking MCP to a provider's server: Streamable HTTP (SSE for legacy servers), the provider's
// headers on every request, its timeouts, and a clean shutdown. No OAuth provider is attached, so
// the SDK can never retry a refused request with other credentials. The SDK v2 client asks a
// server which revisions it speaks (`server/discover`) and talks 2026-07-28 to one that does,
// 2025-11-25 (initialize) to the others.
import "server-only";
import {
  Client,
  InsufficientScopeError,
  ProtocolError,
  ProtocolErrorCode,
  SdkError,
  SdkErrorCode,
  SdkHttpError,
  SSEClientTransport,
  StreamableHTTPClientTransport,
  type CallToolResult,
  type ClientCapabilities,
  type InputRequiredResult,
  type Progress,
  type Tool,
  type Transport,
} from "@modelcontextprotocol/client";
import { createHash } from "node:crypto";
import { callWithRelay, currentRelay, outsideAnyCall, type ClientRelay, type RelayedRequestMethod } from "@/lib/mcp/client-relay";
import { setBounded } from "@/lib/bounded-map";
import { readCapped } from "@/lib/api/body";
import { outboundFetch } from "@/lib/mcp/outbound";
import { propagateTrace } from "@/lib/observability/tracing";
import { sendWithProof, type RequestProof } from "@/lib/mcp/request-proof";
import { isTimeoutError } from "@/lib/timeouts";
import { createSessionPool, sessionKey } from "@/lib/mcp/session-pool";
import { fieldsOf } from "@/lib/fields";
import { processWide } from "@/lib/process-wide";

export type McpConnection = {
  url: string;
  headers: Record<string, string>;
  /** A proof every request carries besides the headers (lib/mcp/request-proof.ts). */
  proof?: RequestProof;
  timeoutMs: number;
  sseReadTimeoutMs: number;
};

/** Who a warm session may be reused for, and until when (see lib/mcp/session-pool.ts). */
export type SessionScope = { userId: string; providerId: string; version: number; validUntil: number };

export type McpFailure = "unauthorized" | "timeout" | "unreachable" | "blocked" | "protocol";

export class McpCallError extends Error {
  constructor(
    readonly failure: McpFailure,
    message: string,
    readonly status?: number,
    /** The JSON-RPC error the server answered with, when that is what happened. */
    readonly rpc?: ProtocolError,
  ) {
    super(message);
  }
}

/** A JSON-RPC error the server answered with: an answer, not a broken session. */
export function isRpcAnswer(error: unknown): error is ProtocolError {
  return error instanceof ProtocolError && !isTooLarge(error);
}

const CLIENT_INFO = { name: "mcp-console", version: "1.0.0" };

/**
 * The most one MCP message from a server may take (a JSON answer, or one event of a stream): tool
 * results carry images and files, base64 in JSON, a few MiB at most in practice; past that a
 * server is broken or hostile, and every byte of it would be held (several times over, parsed) in
 * the console's memory.
 */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

const tooLarge = () => new McpCallError("protocol", `the server sent an MCP message larger than ${MAX_MESSAGE_BYTES / 1024 / 1024} MiB, the console's limit for one message; nothing of it was used`);

// Requests that change nothing on the server, so sending one twice is harmless.
const IDEMPOTENT_METHODS = new Set(["server/discover", "initialize", "tools/list"]);
const CLOSED_SOCKET_CODES = new Set(["UND_ERR_SOCKET", "ECONNRESET", "EPIPE"]);

function isIdempotent(body: RequestInit["body"]): boolean {
  if (typeof body !== "string") return false;
  try {
    const { method } = fieldsOf(JSON.parse(body));
    return typeof method === "string" && IDEMPOTENT_METHODS.has(method);
  } catch {
    return false;
  }
}

/** The connection closed before an answer began: a pooled keep-alive socket the server had already closed, typically. */
function closedBeforeAnswer(error: unknown): boolean {
  const { code } = fieldsOf(fieldsOf(error).cause);
  return error instanceof TypeError && typeof code === "string" && CLOSED_SOCKET_CODES.has(code);
}

/**
 * The provider's headers on every request, and the credential's proof when it needs one (a fresh
 * DPoP proof per request, sent again with the server's nonce when it asks); what the transport sets
 * itself (session, protocol, content type) wins. An initialize or tools/list whose connection closed before any answer is sent
 * once more, on a fresh one; a tools/call never is (the server may have acted on it).
 */
function fetchWith(connection: McpConnection): typeof fetch {
  return (input, init) => {
    const headers = new Headers(connection.headers);
    new Headers(init?.headers).forEach((value, name) => { headers.set(name, value); });
    propagateTrace(headers);
    const request = { method: init?.method ?? "GET", url: input instanceof Request ? input.url : String(input), headers, body: init?.body };
    const send = () => sendWithProof(connection.proof, request, (signed) => outboundFetch(input, { ...init, headers: signed }));
    const sent = send().catch((error: unknown) => {
      if (closedBeforeAnswer(error) && !init?.signal?.aborted && isIdempotent(init?.body)) return send();
      throw error;
    });
    return sent.then((response) => {
      if (response.status === 401 || response.status === 403) noteChallenge(headers.get("authorization"), response.headers.get("www-authenticate"));
      return capped(response, requestIdsOf(init?.body));
    });
  };
}

/** The ids of the JSON-RPC requests a POST carries: the ones its answer stream owes an answer. */
function requestIdsOf(body: unknown): (string | number)[] {
  if (typeof body !== "string") return [];
  try {
    const parsed: unknown = JSON.parse(body);
    return (Array.isArray(parsed) ? parsed : [parsed]).flatMap((message) => {
      const { id, method } = fieldsOf(message);
      return typeof method === "string" && (typeof id === "string" || typeof id === "number") ? [id] : [];
    });
  } catch {
    return [];
  }
}

/**
 * The response with each MCP message held to MAX_MESSAGE_BYTES. A JSON answer past it is refused
 * before any of it is parsed. In a stream, an event past it ends the stream, and each request the
 * stream owed an answer gets an error saying so at once (instead of waiting out its timeout).
 */
async function capped(response: Response, owed: (string | number)[]): Promise<Response> {
  if (!response.body) return response;
  const rebuilt = (text: string | null) => new Response(text, { status: response.status, statusText: response.statusText, headers: response.headers });
  const type = response.headers.get("content-type") ?? "";
  if (!response.ok || !type.includes("text/event-stream")) {
    const text = await readCapped(response, MAX_MESSAGE_BYTES, tooLarge).catch(async (error: unknown) => {
      await response.body?.cancel().catch(() => undefined);
      // A refusal keeps its status (what it says is only for the logs); an answer is refused whole.
      if (!response.ok) return null;
      throw error;
    });
    return rebuilt(text);
  }
  let inEvent = 0;
  let lineStart = true;
  const body = response.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        for (let i = 0; i < chunk.length; i++) {
          const byte = chunk[i];
          // A blank line ends an event (\n\n, \r\n\r\n): count from there.
          if (byte === 0x0a) {
            if (lineStart) inEvent = 0;
            lineStart = true;
          } else if (byte !== 0x0d) {
            lineStart = false;
          }
          if (++inEvent > MAX_MESSAGE_BYTES) {
            const message = tooLarge().message;
            const answers = owed.map((id) => `\n\nevent: message\ndata: ${JSON.stringify({ jsonrpc: "2.0", id, error: { code: ProtocolErrorCode.InternalError, message, data: { console: "message_too_large" } } })}\n\n`);
            controller.enqueue(new TextEncoder().encode(answers.join("")));
            controller.terminate();
            return;
          }
        }
        controller.enqueue(chunk);
      },
    }),
  );
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}

/** The error a stream cut for size answered with (see capped). */
function isTooLarge(error: unknown): boolean {
  return error instanceof ProtocolError && fieldsOf(error.data).console === "message_too_large";
}

// The server's last WWW-Authenticate challenge per credential: a warm session's requests go through
// the fetch of the call that opened it, so the challenge is found by what was sent, not by call.
const challenges = processWide("mcp-challenges", () => new Map<string, string>());

function credentialKey(authorization: string): string {
  return createHash("sha256").update(authorization).digest("base64url");
}

/** Keeps the challenge of the latest refusal only: one without a challenge clears what an earlier one said. */
export function noteChallenge(authorization: string | null | undefined, challenge: string | null) {
  if (!authorization) return;
  if (challenge) setBounded(challenges, credentialKey(authorization), challenge.slice(0, 2000), 10_000);
  else challenges.delete(credentialKey(authorization));
}

/** What the server said with its last refusal of `authorization` (401/403), if anything. */
export function lastChallengeFor(authorization: string | undefined): string | undefined {
  return authorization ? challenges.get(credentialKey(authorization)) : undefined;
}

function statusOf(error: unknown): number | undefined {
  if (error instanceof SdkHttpError) return error.status;
  // The SDK's word for a 403 step-up challenge (without an OAuth provider it only reports it).
  if (error instanceof InsufficientScopeError) return 403;
  const { code } = fieldsOf(error);
  return typeof code === "number" && code >= 100 && code < 600 ? code : undefined;
}

// Why a connection to the server couldn't be made or kept: the system's network errors, and TLS's
// (a certificate that doesn't hold). Listed, not guessed from a code's shape: the SDK has codes of
// its own (ERA_NEGOTIATION_FAILED, for a server that answered its version check with a 503).
const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ECONNABORTED", "ETIMEDOUT", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "EHOSTDOWN", "ENETDOWN", "EPIPE", "EADDRNOTAVAIL", "EPROTO"]);
const isNetworkCode = (code: string) => NETWORK_CODES.has(code) || /CERT|^ERR_TLS_|^ERR_SSL_/.test(code);

export function classify(error: unknown): McpCallError {
  if (error instanceof McpCallError) return error;
  // The SDK wraps what went wrong underneath (a failed fetch while probing the server's revisions, say).
  if (error instanceof SdkError && !(error instanceof SdkHttpError) && error.cause instanceof Error) {
    const underneath = classify(error.cause);
    if (underneath.failure !== "protocol") return underneath;
  }
  if (isTooLarge(error)) return tooLarge();
  const status = statusOf(error);
  if (status === 401 || status === 403) return new McpCallError("unauthorized", `the server refused the credentials (${status})`, status);
  if (error instanceof SdkError && error.code === SdkErrorCode.RequestTimeout) return new McpCallError("timeout", "the server did not answer in time");
  if (isTimeoutError(error)) return new McpCallError("timeout", "the server did not answer in time");
  const cause = fieldsOf(fieldsOf(error).cause);
  const causeCode = typeof cause.code === "string" ? cause.code : undefined;
  if (fieldsOf(error).code === "BLOCKED_DESTINATION" || causeCode === "BLOCKED_DESTINATION") {
    return new McpCallError("blocked", "it is blocked by the network policy (a private or local address); ask your operator to allow this host");
  }
  // fetch's network failures carry the system's code on their cause; node:http's (the relay's request) on themselves.
  const ownCode = fieldsOf(error).code;
  const networkCode = causeCode ?? (!(error instanceof SdkError) && typeof ownCode === "string" && isNetworkCode(ownCode) ? ownCode : undefined);
  if (error instanceof TypeError || networkCode) {
    const why = networkCode ? ` (${networkCode})` : typeof cause.message === "string" ? `: ${cause.message}` : "";
    return new McpCallError("unreachable", `the server is unreachable${why}`);
  }
  if (status) return new McpCallError("protocol", `the server answered HTTP ${status}`, status);
  const message = error instanceof Error ? error.message.slice(0, 300) : "";
  return new McpCallError("protocol", message || "the server's answer was not valid MCP", undefined, isRpcAnswer(error) ? error : undefined);
}

/** The relay of the call a server's request arrived during; without one, nobody can answer it. */
function relayFor(method: RelayedRequestMethod): ClientRelay {
  const relay = currentRelay();
  if (!relay) throw new ProtocolError(ProtocolErrorCode.MethodNotFound, `Method not found: ${method}`);
  return relay;
}

/**
 * A client declaring what the calling MCP client can answer, and passing what the server asks
 * during a call to that call's relay (lib/mcp/client-relay.ts).
 */
function newClient(capabilities: ClientCapabilities): Client {
  const client = new Client(CLIENT_INFO, { capabilities, versionNegotiation: { mode: "auto" } });
  const ask = (method: RelayedRequestMethod) => async (request: { params?: unknown }, ctx: { mcpReq: { signal: AbortSignal } }) =>
    relayFor(method).ask(method, request.params, ctx.mcpReq.signal);
  // Each answer is passed on as the client gave it; the server judges it.
  if (capabilities.elicitation) client.setRequestHandler("elicitation/create", ask("elicitation/create") as never);
  if (capabilities.sampling) client.setRequestHandler("sampling/createMessage", ask("sampling/createMessage") as never);
  if (capabilities.roots) client.setRequestHandler("roots/list", ask("roots/list") as never);
  client.setNotificationHandler("notifications/message", (notification) => {
    currentRelay()?.log(notification.params);
  });
  return client;
}

function isRefusedTransport(error: unknown): boolean {
  const status = statusOf(error);
  return status === 404 || status === 405;
}

async function connect(connection: McpConnection, capabilities: ClientCapabilities = {}): Promise<{ client: Client; transport: Transport }> {
  const url = new URL(connection.url);
  const fetch = fetchWith(connection);
  const client = newClient(capabilities);
  const streamable = new StreamableHTTPClientTransport(url, { fetch });
  try {
    await client.connect(streamable, { timeout: connection.timeoutMs });
    return { client, transport: streamable };
  } catch (error) {
    // Legacy servers answer the Streamable HTTP POST with 404/405: try the older SSE transport.
    // Never after a 401/403: a refusal is final.
    if (!isRefusedTransport(error)) throw classify(error);
    await streamable.close().catch(() => undefined);
  }
  const legacy = newClient(capabilities);
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- servers that speak only the legacy transport still exist; this is their fallback
  const sse = new SSEClientTransport(url, { fetch, eventSourceInit: { fetch } });
  try {
    await legacy.connect(sse, { timeout: connection.timeoutMs });
    return { client: legacy, transport: sse };
  } catch (error) {
    throw classify(error);
  }
}

async function disconnect(client: Client, transport: Transport) {
  if (transport instanceof StreamableHTTPClientTransport) await transport.terminateSession().catch(() => undefined);
  await client.close().catch(() => undefined);
}

/** A session of its own for one piece of work, closed afterwards. */
async function withSession<T>(connection: McpConnection, work: (client: Client) => Promise<T>, capabilities: ClientCapabilities = {}): Promise<T> {
  const { client, transport } = await connect(connection, capabilities);
  try {
    return await work(client);
  } catch (error) {
    throw classify(error);
  } finally {
    await disconnect(client, transport);
  }
}

// One pool per process, whichever bundle (route handlers, the gateway served by server.mjs) calls.
const pool = processWide("mcp-session-pool", () => createSessionPool<Client>());

/** Tests close every warm session between scenarios. */
export function closeWarmSessionsForTests() {
  pool.clear();
}

/**
 * The caller's warm session for this provider and these credentials (opened on first use). A call
 * the caller cancelled (`signal`) or that the server answered with a JSON-RPC error leaves it open.
 * `capabilities`: what the session declares the client can answer — sessions differ by it, so a
 * server never asks a client for what it can't give.
 */
export async function withWarmSession<T>(connection: McpConnection, scope: SessionScope, work: (client: Client) => Promise<T>, signal?: AbortSignal, capabilities: ClientCapabilities = {}): Promise<T> {
  const key = sessionKey({ userId: scope.userId, providerId: scope.providerId, version: scope.version, url: connection.url, headers: connection.headers, capabilities });
  // The session outlives the call that opens it: none of that call's relay goes along.
  const open = () =>
    outsideAnyCall(async () => {
      const { client, transport } = await connect(connection, capabilities);
      return { session: client, close: () => disconnect(client, transport) };
    });
  // A server refuses a session it no longer knows (restarted, expired) at the HTTP level — 404 per
  // the spec, 400 from many SDK servers — before acting on the request. Only that is safe to repeat
  // on a fresh session; a tool's own failure comes back as a result, never as an HTTP error.
  const sessionExpired = (error: unknown) => statusOf(error) === 404 || statusOf(error) === 400;
  try {
    return await pool.use(key, scope.validUntil, open, work, { retryable: sessionExpired, harmless: (error) => isRpcAnswer(error) || Boolean(signal?.aborted) });
  } catch (error) {
    throw classify(error);
  }
}

/** The most tools a server may list (and pages it may take to list them): more is refused, not cut short. */
export const MAX_TOOLS = 1000;
const MAX_PAGES = 100;

/** One page of a server's tools (the SDK's listTools() would walk every page itself). */
export async function listToolsPage(client: Client, cursor: string | undefined, options: { timeout: number; signal?: AbortSignal }) {
  return client.request({ method: "tools/list", params: cursor ? { cursor } : {} }, options);
}

export async function listTools(connection: McpConnection): Promise<Tool[]> {
  return withSession(connection, async (client) => {
    const tools: Tool[] = [];
    let cursor: string | undefined;
    for (let pages = 0; ; pages++) {
      if (pages === MAX_PAGES) throw new McpCallError("protocol", `the server's tool list goes on for more than ${MAX_PAGES} pages`);
      const page = await listToolsPage(client, cursor, { timeout: connection.timeoutMs });
      tools.push(...page.tools);
      if (tools.length > MAX_TOOLS) throw new McpCallError("protocol", `the server lists more than ${MAX_TOOLS} tools, the most the console keeps for one provider`);
      cursor = page.nextCursor;
      if (!cursor) return tools;
    }
  });
}

export type CallExtras = {
  onprogress?: (progress: Progress) => void;
  signal?: AbortSignal;
  meta?: Record<string, unknown>;
  /** Where what the server asks during the call goes (the gateway's calling client). */
  relay?: ClientRelay;
  /** A 2026-07-28 retry: the client's answers to an earlier `input_required` result, and the state it echoed. */
  retry?: { inputResponses?: Record<string, unknown>; requestState?: string };
};

/**
 * A tool's result — or, for a relay that passes it on, the server's `input_required` result as it
 * came (2026-07-28: the client answers and retries the call).
 */
export type ToolCallOutcome = CallToolResult | InputRequiredResult;

/** With a scope, the call runs on the caller's warm session; without one, on a session of its own. */
export async function callTool(connection: McpConnection, name: string, args: Record<string, unknown>, scope?: SessionScope, extras: CallExtras = {}): Promise<ToolCallOutcome> {
  const capabilities = extras.relay?.capabilities ?? {};
  const run = (work: (client: Client) => Promise<ToolCallOutcome>) =>
    scope ? withWarmSession(connection, scope, work, extras.signal, capabilities) : withSession(connection, work, capabilities);
  return run((client) =>
    callWithRelay(extras.relay, async () => {
      const result = await client.callTool({ name, arguments: args, ...(extras.meta ? { _meta: extras.meta } : {}), ...extras.retry }, {
        timeout: connection.sseReadTimeoutMs,
        resetTimeoutOnProgress: true,
        ...(extras.relay?.passInputRequired ? { allowInputRequired: true } : {}),
        ...(extras.onprogress ? { onprogress: extras.onprogress } : {}),
        ...(extras.signal ? { signal: extras.signal } : {}),
      });
      return result;
    }),
  );
}
