// `/mcp/{server_identifier}`: a relay, not a second MCP client. Each request the client sends goes
// to the provider's server as the same bytes, with the caller's current credential (never the
// caller's own token) and the upstream session, and the answer comes back as the server sent it —
// JSON or an event stream — so whatever the server says (logs, progress, sampling, elicitation,
// roots, list changes) reaches the client, and the client's answers reach the server. The relay
// reads the envelope only: to authorize, to apply tool policy, to keep to the methods of the
// revisions it speaks, and to record the activity log. Only tools/list answers are rewritten
// (disabled tools removed), and, in 2026-07-28, the caching hints and server/discover's versions.
// The client's session id is sealed (lib/gateway/session-seal.ts), so any instance continues it.
import "server-only";
import { readCapped } from "@/lib/api/body";
import { ApiError } from "@/lib/api/errors";
import { recordedParts, recordingOf } from "@/lib/activity/recording";
import { recordToolCall } from "@/lib/activity/tool-calls";
import type { Caller } from "@/lib/auth/request-auth";
import { EVENT_STREAM_HEADERS, jsonResponse as json, MAX_BODY_BYTES, rpcError } from "@/lib/gateway/jsonrpc";
import { lastKnownMcpTools, toolError } from "@/lib/gateway/tool-results";
import { AnswerWatch, EventRelay, RelayedEvents, relayEventStream, rewriteJson, type Answer, type Unanswered } from "@/lib/gateway/answers";
import { gatewayRequestOf, webAnswer, withBody, type GatewayAnswer, type GatewayRequest } from "@/lib/gateway/request";
import {
  bodyProtocolVersion,
  CONSOLE_VERSIONS,
  headerMismatch,
  isKnownMethod,
  isModern,
  LEGACY_VERSIONS,
  MODERN_VERSIONS,
  PROTOCOL_VERSION_META,
  readEnvelope,
  type Envelope,
  type Message,
  type RequestId,
} from "@/lib/gateway/envelope";
import { MAX_UPSTREAM_SESSION_ID, openSession, sealSession, type RelaySession } from "@/lib/gateway/session-seal";
import { cancelRequest, onCancelled, trackRequest } from "@/lib/gateway/in-flight";
import { log } from "@/lib/log";
import { annotateRpcRequest, propagateTrace, startToolCallSpan, type ToolCallSpan } from "@/lib/observability/tracing";
import { classify, MAX_MESSAGE_BYTES, McpCallError, noteChallenge } from "@/lib/mcp/client";
import { outboundRequest, UpstreamAnswer } from "@/lib/mcp/outbound";
import { countSessionOpened } from "@/lib/observability/metrics";
import { sendWithProof } from "@/lib/mcp/request-proof";
import { secrets } from "@/lib/crypto";
import { env } from "@/lib/env";
import { disabledToolsOf, toDocument, type ProviderRow } from "@/lib/providers/record";
import { connectionFor, connectionNow, credentialLabel, retryAfterRefusal, upstreamApiError } from "@/lib/credentials/connection";
import type { Connection } from "@/lib/credentials/types";
import { CLIENT_CAPABILITIES_META_KEY as CLIENT_CAPABILITIES_META, type ClientCapabilities } from "@modelcontextprotocol/server";
import { fieldsOf } from "@/lib/fields";
import { askedCall, askOnStream, askSessionOf, initializeDeclaresElicitation, isApprovalAskId, takeApprovalAnswers } from "@/lib/gateway/relay-ask";
import { awaitConsoleApproval } from "@/lib/policy/approvals";
import { approvalInputRequired, approvalLabel, approvalRetry, keepConfirmation, notConfirmed, type ApprovalDecision, type ApprovalSubject, type AskChannel } from "@/lib/policy/ask";
import { canElicitForm } from "@/lib/policy/confirm";

// What the client sends that the server should see; everything else (its Authorization, cookies,
// Host, proxies' headers) stays here. The provider's own headers and the caller's credential go instead.
const FORWARDED_REQUEST_HEADERS = ["content-type", "accept", "mcp-protocol-version", "mcp-method", "mcp-name", "last-event-id", "traceparent", "tracestate"];
// What the server answers with that the client should see.
const RELAYED_RESPONSE_HEADERS = ["content-type", "cache-control", "mcp-protocol-version"];

export type RelayRequest = {
  req: GatewayRequest;
  row: ProviderRow;
  caller: Caller;
  requestId: string;
  /** Holds a long-lived answer (a 2026-07-28 subscription) to what a GET stream is held to: lib/gateway/streams.ts. */
  longLived?: (answer: Response, credentialUntil: number, toolsListChanged: boolean) => Response;
};

/**
 * What a session was opened against: the server and how the console reaches it (URL, headers,
 * identity mode and settings, OAuth). A change to any of these ends its sessions (404: the client starts again);
 * a change to anything else — a name, a tool turned off — doesn't, and the client hears list_changed.
 */
export function serverHash(row: ProviderRow): string {
  let hash = serverHashes.get(row);
  if (hash === undefined) {
    const doc = toDocument(row);
    hash = secrets(env().encryptionKey).hash(JSON.stringify([doc.server_url, doc.headers ?? {}, doc.identity_mode, doc.authentication ?? null, doc.identity_settings ?? null])).slice(0, 22);
    serverHashes.set(row, hash);
  }
  return hash;
}
// Rows come from the list cache (the same object until the provider changes): hashed once each.
const serverHashes = new WeakMap<ProviderRow, string>();

/** 404: the client's session is not one the console can continue; the client starts a new one. */
function sessionNotFound(): Response {
  return json(404, rpcError(null, -32001, "Session not found: start a new session (initialize)"));
}

/** The session a request continues: one the caller opened with this provider and its current server. */
function continuedSession(header: string | null, { row, caller }: RelayRequest): RelaySession | "none" | undefined {
  if (header === null) return "none";
  const session = openSession(header);
  if (!session) return undefined;
  const ours = session.userId === caller.userId && session.workspaceId === caller.workspaceId && session.providerId === row.id && session.serverHash === serverHash(row);
  return ours ? session : undefined;
}

/** A tools/call's arguments as MCP has them: an object, or none (null read as none). */
function isArgumentsObject(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === "object" && !Array.isArray(value));
}

const requestsOf = (envelope: Envelope) => envelope.messages.filter((message): message is Extract<Message, { kind: "request" }> => message.kind === "request");

/** A tools/call's tool (relayPost refuses one whose name is not a string before anything reads it). */
function toolNameOf(message: Extract<Message, { kind: "request" }>): string {
  return String(message.params.name);
}

/**
 * Records a tools/call through the gateway, however it ends; its arguments and answer where the
 * provider's activity_recording says so. Its span (when tracing is on) lasts as long.
 */
function recorder(relay: RelayRequest, message: Extract<Message, { kind: "request" }>, identity: () => string, approval?: string) {
  const started = performance.now();
  const { row, caller } = relay;
  const span = startToolCallSpan({ tool: toolNameOf(message), workspaceId: row.workspaceId, userId: caller.userId, providerId: row.id, providerName: row.name, via: "gateway", requestId: relay.requestId, rpcId: message.id });
  let done = false;
  const record = (outcome: string, answer?: Answer) => {
    if (done) return;
    done = true;
    const durationMs = performance.now() - started;
    const label = identity();
    // Once the answer is on its way: the client doesn't wait for the log (an answer's write goes out first, on the next tick).
    queueMicrotask(() => {
      try {
        span?.end(outcome, label);
        recordToolCall({
          workspaceId: relay.row.workspaceId,
          userId: relay.caller.userId,
          userEmail: relay.caller.email,
          providerId: relay.row.id,
          providerName: relay.row.name,
          tool: toolNameOf(message),
          via: "gateway",
          outcome,
          durationMs,
          identity: label,
          requestId: relay.requestId,
          recorded: recordedParts(recordingOf(relay.row), { arguments: message.params.arguments, result: answer && (answer.result ?? { error: answer.error }) }),
          approval,
          trace: span?.spanContext,
        });
      } catch (error) {
        // A microtask's throw would end the process: a record that can't be made is logged instead.
        log.error({ err: error, requestId: relay.requestId }, "a tool call through the gateway could not be recorded");
      }
    });
  };
  return { record, span };
}

/** What the log says of a call whose stream ended without its answer. */
const UNANSWERED_OUTCOMES: Record<Unanswered, string | undefined> = {
  left: "cancelled",
  broken: "upstream_error",
  // The server ended the stream to be polled (SEP-1699): the answer comes on the client's resumed stream.
  resumable: "resumed",
  // Answered by the console itself (answerLocally records that), or not at all (a session to start again).
  local: undefined,
};

function outcomeOf(answer: Answer): string {
  if (answer.error) return "rpc_error";
  return answer.result?.isError === true ? "tool_error" : "ok";
}

// ---- policy on the way back --------------------------------------------------------------------

const CACHEABLE = new Set(["server/discover", "tools/list", "prompts/list", "resources/list", "resources/templates/list", "resources/read"]);

/** What the relay changes in an answer: tools an admin turned off, and what a shared cache may keep. */
function rewriterFor(message: Extract<Message, { kind: "request" }>, row: ProviderRow, modern: boolean, confirmed?: { subject: ApprovalSubject; channel: AskChannel }): ((result: Record<string, unknown>) => Record<string, unknown> | undefined) | undefined {
  const disabled = message.method === "tools/list" ? disabledToolsOf(row) : undefined;
  const cacheable = modern && CACHEABLE.has(message.method);
  if (!cacheable && !disabled?.size && !confirmed) return undefined;
  return (result) => {
    // The server asks for input of its own after the user confirmed the call: the retry isn't asked again.
    if (confirmed && result.resultType === "input_required") return keepConfirmation(result, confirmed.subject, confirmed.channel);
    let out = result;
    if (disabled?.size && Array.isArray(result.tools)) {
      out = { ...out, tools: result.tools.filter((tool: unknown) => !disabled.has(String((tool as { name?: unknown } | null)?.name))) };
    }
    if (message.method === "server/discover" && Array.isArray(result.supportedVersions)) {
      // No translation between eras: only what both the console and the server speak is offered.
      out = { ...out, supportedVersions: result.supportedVersions.filter((version: unknown) => typeof version === "string" && CONSOLE_VERSIONS.includes(version)) };
    }
    // Every answer here was made for this caller's credential: no shared cache may serve it to another.
    if (cacheable && result.resultType !== "input_required") out = { ...out, cacheScope: "private" };
    return out === result ? undefined : out;
  };
}

// ---- answering without the server ---------------------------------------------------------------

/** A call the console answers itself, as a tool error; 2026-07-28 results say they are complete. */
function refusedCall(detail: string, modern: boolean) {
  return modern ? { ...toolError(detail), resultType: "complete" } : toolError(detail);
}

/**
 * The server can't be asked as this caller (identity, network, refusal): each request gets what
 * the UI would say, as MCP. An initialize still opens a session (with no upstream one), so that
 * every tool call can tell the user what to do; tools/list gives what they saw last.
 */
async function answerLocally(relay: RelayRequest, envelope: Envelope, failure: ApiError, modern: boolean, approved?: { message: Message; approval: string | undefined }): Promise<Response> {
  const { row, caller } = relay;
  let sessionId: string | undefined;
  const answers = await Promise.all(
    requestsOf(envelope).map(async (message) => {
      switch (message.method) {
        case "initialize": {
          const asked = message.params.protocolVersion;
          const protocolVersion = typeof asked === "string" && (LEGACY_VERSIONS as readonly string[]).includes(asked) ? asked : LEGACY_VERSIONS[0];
          sessionId = sealSession({ userId: caller.userId, workspaceId: caller.workspaceId, providerId: row.id, providerVersion: row.version, serverHash: serverHash(row), upstreamSessionId: "", protocolVersion });
          countSessionOpened(caller.workspaceId, "provider");
          return { jsonrpc: "2.0", id: message.id, result: { protocolVersion, capabilities: { tools: {} }, serverInfo: { name: row.serverIdentifier, version: "unavailable" }, instructions: failure.detail } };
        }
        case "ping":
          return { jsonrpc: "2.0", id: message.id, result: {} };
        case "tools/call":
          recorder(relay, message, () => credentialLabel(row), message === approved?.message ? approved.approval : undefined).record(failure.code);
          return { jsonrpc: "2.0", id: message.id, result: refusedCall(failure.detail, modern) };
        case "tools/list": {
          const disabled = disabledToolsOf(row);
          const tools = (await lastKnownMcpTools(row, caller.userId)).filter((tool) => !disabled.has(tool.name));
          return { jsonrpc: "2.0", id: message.id, result: { tools, ...(modern ? { resultType: "complete", ttlMs: 0, cacheScope: "private" } : {}) } };
        }
        case "server/discover":
          return {
            jsonrpc: "2.0",
            id: message.id,
            result: {
              resultType: "complete",
              supportedVersions: [...MODERN_VERSIONS],
              capabilities: { tools: {} },
              instructions: failure.detail,
              _meta: { "io.modelcontextprotocol/serverInfo": { name: row.serverIdentifier, version: "unavailable" } },
              ttlMs: 0,
              cacheScope: "private",
            },
          };
        default:
          return rpcError(message.id, -32603, failure.detail, { code: failure.code });
      }
    }),
  );
  if (answers.length === 0) return new Response(null, { status: 202 });
  return json(200, envelope.batch ? answers : answers[0], sessionId ? { "mcp-session-id": sessionId } : {});
}

// ---- forwarding ---------------------------------------------------------------------------------

/** The request's headers upstream, with lower-case names (as Node sends them). */
function upstreamHeaders(req: GatewayRequest, connection: Connection, upstreamSessionId: string | undefined, span: ToolCallSpan | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(connection.headers)) headers[name.toLowerCase()] = value;
  for (const name of FORWARDED_REQUEST_HEADERS) {
    const value = req.headers.get(name);
    if (value !== null) headers[name] = value;
  }
  // With tracing on, the server's spans are children of the console's (the call's, else the request's), not the client's.
  propagateTrace(headers, span);
  req.headers.forEach((value, name) => {
    if (name.startsWith("mcp-param-")) headers[name] = value;
  });
  if (upstreamSessionId) headers["mcp-session-id"] = upstreamSessionId;
  return headers;
}

type Sent = { upstream: UpstreamAnswer; connection: Connection };

const endUserOf = (caller: Caller) => ({ userId: caller.userId, workspaceId: caller.workspaceId });

/**
 * Sends the request upstream as the caller. A refusal (401/403) comes before the server acted, so
 * it is tried once more only when retryAfterRefusal hands back a fresh credential (an OAuth
 * connection refreshed); identity and network failures are ApiErrors with the UI's words.
 */
async function send(relay: RelayRequest, init: { method: string; body?: string; upstreamSessionId?: string; signal?: AbortSignal; streaming?: boolean; span?: ToolCallSpan }, timeoutMs: (connection: Connection) => number): Promise<Sent> {
  const { row, caller, req } = relay;
  const user = endUserOf(caller);
  let connection = connectionNow(row, user) ?? (await connectionFor(row, user));
  for (let attempt = 0; ; attempt++) {
    const headers = upstreamHeaders(req, connection, init.upstreamSessionId, init.span);
    let response: UpstreamAnswer;
    try {
      // An answer that goes quiet for longer than the provider's read timeout is given up on; a
      // stream that is meant to stay open (a GET's, a subscription's) may be quiet as long as it likes.
      const streaming = init.streaming ?? init.method === "GET";
      const { url } = connection;
      const upstream = (signed: Record<string, string>) => outboundRequest(url, { method: init.method, headers: signed, body: init.body, signal: init.signal ?? req.signal, headersTimeoutMs: timeoutMs(connection), bodyTimeoutMs: streaming ? 0 : connection.sseReadTimeoutMs });
      // A credential with a proof (DPoP) signs each request, and sends it again if the server asks for its nonce.
      response = connection.proof ? UpstreamAnswer.of(await sendWithProof(connection.proof, { method: init.method, url, headers: new Headers(headers), body: init.body }, async (signed) => (await upstream(Object.fromEntries(signed))).response())) : await upstream(headers);
    } catch (error) {
      throw upstreamApiError(classify(error), row, connection.forwarded);
    }
    if (response.status >= 300 && response.status < 400) {
      await response.discard();
      throw new ApiError("upstream_error", `Couldn't talk to ${row.name}: it answered with a redirect (HTTP ${response.status}), which the console doesn't follow; an admin should check its URL.`);
    }
    if (response.status !== 401 && response.status !== 403) return { upstream: response, connection };
    noteChallenge(headers.authorization, response.header("www-authenticate"));
    await response.discard();
    const next = await retryAfterRefusal(row, user, connection, response.status, attempt);
    if (!next) throw upstreamApiError(new McpCallError("unauthorized", "refused", response.status), row, connection.forwarded);
    connection = next;
  }
}

function relayedHeaders(response: { header(name: string): string | null }): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of RELAYED_RESPONSE_HEADERS) {
    const value = response.header(name);
    if (value !== null) headers[name] = value;
  }
  return headers;
}

/** The server's answer on its way to the client: streamed, with the watched answers read. */
async function relayAnswer(upstream: UpstreamAnswer, watch: AnswerWatch, extraHeaders: Record<string, string>, brokenMessage: string): Promise<GatewayAnswer> {
  const headers = { ...relayedHeaders(upstream), ...extraHeaders };
  const type = upstream.header("content-type") ?? "";
  const events = upstream.ok && type.includes("text/event-stream");
  // An event stream goes on in Node's streams while it is one (lib/gateway/node-http.ts writes it to the client).
  const source = events ? upstream.takeSource() : undefined;
  if (source) return new RelayedEvents(upstream.status, { ...headers, ...EVENT_STREAM_HEADERS }, source, new EventRelay(watch, brokenMessage));
  const response = upstream.response();
  if (!response.body) {
    watch.unanswered("broken");
    return new Response(null, { status: response.status, headers });
  }
  if (events) return new Response(relayEventStream(response.body, watch, brokenMessage), { status: response.status, headers: { ...headers, ...EVENT_STREAM_HEADERS } });
  let text: string | null;
  try {
    text = await readCapped(response, MAX_MESSAGE_BYTES, () => new McpCallError("protocol", `the server sent an MCP message larger than ${MAX_MESSAGE_BYTES / 1024 / 1024} MiB`));
  } catch {
    await response.body.cancel().catch(() => undefined);
    text = null;
  }
  if (text === null) {
    watch.unanswered("broken");
    return json(502, rpcError(null, -32603, brokenMessage));
  }
  const body = response.ok && type.includes("json") ? rewriteJson(text, watch) : text;
  if (watch.waiting()) watch.unanswered("broken");
  return new Response(body, { status: response.status, headers });
}

/** POST: one client message (or batch), relayed. */
export async function relayPost(relay: RelayRequest): Promise<GatewayAnswer> {
  const { req, row, caller } = relay;
  const text = await req.text(MAX_BODY_BYTES);
  const read = readEnvelope(text);
  if (!read) return json(400, rpcError(null, -32700, "Parse error: the body is not a JSON-RPC message (or a batch of 1–100)"));
  const envelope: Envelope = read;
  const first = envelope.messages[0];
  const modern = isModern(bodyProtocolVersion(first) ?? req.headers.get("mcp-protocol-version") ?? undefined);
  if (!envelope.batch && first.kind !== "response") annotateRpcRequest(first);

  const unknown = envelope.messages.find((message) => !isKnownMethod(message));
  if (unknown) {
    const method = unknown.kind === "response" ? "" : unknown.method;
    if (unknown.kind === "request") return json(modern ? 404 : 200, rpcError(unknown.id, -32601, `Method not found: ${method.slice(0, 100)}`));
    return json(400, rpcError(null, -32601, `Unknown notification: ${method.slice(0, 100)}`));
  }
  // A request with a tool name the relay can't read is refused: policy can't be judged on it.
  const unnamed = envelope.messages.find((message) => message.kind === "request" && message.method === "tools/call" && typeof message.params.name !== "string");
  if (unnamed?.kind === "request") return json(200, rpcError(unnamed.id, -32602, "Invalid params: tools/call names its tool with a string"));
  // Nor one whose arguments aren't an object: a tool that asks first would show its caller a call that isn't the one sent.
  const shapeless = envelope.messages.find((message) => message.kind === "request" && message.method === "tools/call" && !isArgumentsObject(message.params.arguments));
  if (shapeless?.kind === "request") return json(200, rpcError(shapeless.id, -32602, "Invalid params: tools/call's arguments are an object"));
  if (modern || req.headers.has("mcp-method") || req.headers.has("mcp-name")) {
    // The relay decides by the body: what mirrors it in headers must say the same (whatever the
    // revision: something upstream may route by them). A body that lacks its _meta goes on, for
    // the server to refuse in its own words.
    const id = first.kind === "request" ? first.id : null;
    const mismatch = envelope.batch ? "a 2026-07-28 POST carries one message" : headerMismatch(first, req.headers);
    if (mismatch) return json(400, rpcError(id, -32020, `Header mismatch: ${mismatch}`));
    const version = bodyProtocolVersion(first);
    if (version !== undefined && !CONSOLE_VERSIONS.includes(version)) {
      return json(400, rpcError(id, -32022, "Unsupported protocol version", { supported: await versionsBothSpeak(relay), requested: version.slice(0, 64) }));
    }
  }

  const requests = requestsOf(envelope);
  const initialize = requests.some((message) => message.method === "initialize");
  // 2026-07-28 has no sessions: a session id on such a request is ignored, as the spec says.
  const session = initialize || modern ? "none" : continuedSession(req.headers.get("mcp-session-id"), relay);
  if (!session) return sessionNotFound();

  // The client's answers to the console's own questions stop here: the server never asked them.
  if (session !== "none" && envelope.messages.some((message) => message.kind === "response" && isApprovalAskId(message.id))) {
    const rest = await takeApprovalAnswers(text, { userId: caller.userId, sessionId: askSessionOf(session) });
    if (rest.length === 0) return new Response(null, { status: 202 });
    // What else the POST carried goes on as if sent alone.
    return relayPost({ ...relay, req: withBody(req, JSON.stringify(envelope.batch ? rest : rest[0])) });
  }
  let body = text;

  const disabled = disabledToolsOf(row);
  const refusedCalls = requests.filter((message) => message.method === "tools/call" && disabled.has(toolNameOf(message)));
  if (refusedCalls.length > 0) {
    const refusal = (message: Extract<Message, { kind: "request" }>) => `An admin has turned off ${toolNameOf(message).slice(0, 200)} on ${row.name}; it can't be called.`;
    for (const message of refusedCalls) recorder(relay, message, () => credentialLabel(row)).record("tool_disabled");
    if (!envelope.batch) return json(200, { jsonrpc: "2.0", id: refusedCalls[0].id, result: refusedCall(refusal(refusedCalls[0]), modern) });
    return json(200, requests.map((message) => rpcError(message.id, -32600, refusedCalls.includes(message) ? refusal(message) : "This batch holds a call of a disabled tool; send the other requests on their own")));
  }

  // A tool an admin set to ask first waits for its caller's confirmation (lib/policy/ask.ts).
  const asking = askedCall(relay, requests);
  let approval: string | undefined;
  let confirmed: { subject: ApprovalSubject; channel: AskChannel } | undefined;
  if (asking) {
    if (envelope.batch) return json(200, requests.map((message) => rpcError(message.id, -32600, message === asking.message ? `${asking.call.tool} on ${row.name} asks you first: send its call on its own` : "This batch holds a call of a tool that asks first; send the other requests on their own")));
    const refuse = (decision: Exclude<ApprovalDecision, "approved">, channel: AskChannel) => {
      const error = notConfirmed(decision, channel, asking.call);
      recorder(relay, asking.message, () => credentialLabel(row), approvalLabel(decision, channel)).record(error.code);
      return json(200, { jsonrpc: "2.0", id: asking.message.id, result: refusedCall(error.detail, modern) });
    };
    const { params } = asking.message;
    // 2026-07-28: a retry carrying the console's state — the answer to its question, or a confirmation given before the server asked its own.
    const retried = modern ? approvalRetry({ inputResponses: fieldsOf(params.inputResponses), requestState: params.requestState }, asking.subject) : undefined;
    // While the person decides, the client's notifications/cancelled ends the wait as it would the call.
    const waitKey = { userId: caller.userId, sessionId: `relay:${session === "none" ? "" : session.upstreamSessionId}`, requestId: asking.message.id };
    if (retried) {
      if (retried.decision !== "approved") return refuse(retried.decision, retried.channel);
      approval = approvalLabel("approved", retried.channel);
      confirmed = { subject: asking.subject, channel: retried.channel };
      const { inputResponses: _answers, requestState: _state, ...rest } = params;
      body = JSON.stringify({ jsonrpc: "2.0", id: asking.message.id, method: asking.message.method, params: { ...rest, ...retried.upstream } });
    } else if (modern && canElicitForm(fieldsOf(params._meta)[CLIENT_CAPABILITIES_META] as ClientCapabilities | undefined)) {
      // 2026-07-28: the question is an input_required result; the retry carries the answer.
      recorder(relay, asking.message, () => credentialLabel(row), "asked:elicitation").record("input_required");
      return json(200, { jsonrpc: "2.0", id: asking.message.id, result: approvalInputRequired(asking.call, asking.subject) });
    } else if (!modern && session !== "none" && session.elicitation && session.upstreamSessionId) {
      // 2025-11-25: the question goes on the call's own stream; the answer comes in another POST.
      return askOnStream(relay, asking, session, waitKey, async (decided) => {
        approval = decided;
        return webAnswer(await forward());
      }, (decision) => { recorder(relay, asking.message, () => credentialLabel(row), approvalLabel(decision, "elicitation")).record(notConfirmed(decision, "elicitation", asking.call).code); });
    } else {
      const decision = await trackRequest(waitKey, req.signal, (signal) => awaitConsoleApproval({ workspaceId: row.workspaceId, userId: caller.userId, providerId: row.id, providerName: row.name, tool: asking.call.tool, args: asking.call.args, via: "gateway" }, signal));
      if (decision !== "approved") return refuse(decision, "console");
      approval = approvalLabel("approved", "console");
      // The server may still ask for input of its own: the client's retry is then not asked again.
      if (modern) confirmed = { subject: asking.subject, channel: "console" };
    }
  }
  // Awaited: one turn of the microtask queue, where handing its promise on takes three (every relayed answer comes back this way).
  return await forward();

  async function forward(): Promise<GatewayAnswer> {
    if (!session) return sessionNotFound();

    // A session the console answered itself (the server couldn't be asked) has no upstream session.
    // Notifications for it stop here; a request is tried without one — a server that keeps sessions
    // refuses it unread (400/404), and then the client starts a new session, now that it may work.
    const local = session !== "none" && !session.upstreamSessionId;
    if (local && requests.length === 0) return new Response(null, { status: 202 });
    const upstreamSessionId = session === "none" || local ? undefined : session.upstreamSessionId;
    // The client's cancellations reach the server as it sent them; they also end the relayed stream here.
    const inFlightKey = (id: RequestId) => ({ userId: caller.userId, sessionId: `relay:${upstreamSessionId ?? ""}`, requestId: id });
    if (upstreamSessionId) {
      for (const message of envelope.messages) {
        const cancelled = message.kind === "notification" && message.method === "notifications/cancelled" ? message.params.requestId : undefined;
        if (typeof cancelled === "string" || typeof cancelled === "number") void cancelRequest(inFlightKey(cancelled));
      }
    }

    const calls = requests.filter((message) => message.method === "tools/call");
    const listen = !envelope.batch && first.kind === "request" && first.method === "subscriptions/listen";
    const abandon = new AbortController();
    // Each request is watched from before it is sent, so a cancellation that comes first is heard.
    let identity = credentialLabel(row);
    const watch = new AnswerWatch();
    let callSpan: ToolCallSpan | undefined;
    for (const message of requests) {
      const call = message.method === "tools/call" ? recorder(relay, message, () => identity, message === asking?.message ? approval : undefined) : undefined;
      const record = call?.record;
      // A POST of one call goes upstream as that call's child; anything else as the request's.
      if (requests.length === 1) callSpan = call?.span;
      watch.watch(message.id, {
        rewrite: rewriterFor(message, row, modern, message === asking?.message ? confirmed : undefined),
        onAnswer: record && ((answer) => { record(outcomeOf(answer), answer); }),
        onUnanswered: record && ((why) => {
          const outcome = UNANSWERED_OUTCOMES[why];
          if (outcome) record(outcome);
        }),
      });
      if (record) {
        // Until it is answered, a call can be cancelled from another POST (on any instance): the
        // server was told by the client's own notification; the relayed request ends here.
        watch.onSettled(onCancelled(inFlightKey(message.id), () => {
          record("cancelled");
          abandon.abort();
        }));
      }
    }
    // The client leaving ends the relayed request too (linked by hand: AbortSignal.any costs the hot
    // path), and whatever it still waited for is owed to no one.
    const left = () => {
      abandon.abort();
      watch.unanswered("left");
    };
    if (req.signal.aborted) left();
    else req.signal.addEventListener("abort", left, { once: true });
    const { signal } = abandon;
    let sent: Sent;
    try {
      sent = await send(relay, { method: "POST", body, upstreamSessionId, signal, streaming: listen, span: callSpan }, (connection) => (calls.length > 0 ? connection.sseReadTimeoutMs : connection.timeoutMs));
    } catch (error) {
      // The client cancelled or left before the server began to answer: nothing is owed to anyone.
      if (signal.aborted) {
        watch.unanswered("left");
        return new Response(null, { status: 204 });
      }
      watch.unanswered("local");
      if (error instanceof ApiError) return answerLocally(relay, envelope, error, modern, asking && { message: asking.message, approval });
      throw error;
    }
    const { upstream: response, connection } = sent;
    identity = connection.mode;
    if (local && (response.status === 400 || response.status === 404)) {
      watch.unanswered("local");
      await response.discard();
      return sessionNotFound();
    }
    const extra: Record<string, string> = {};
    if (initialize && response.ok) {
      const upstreamSession = response.header("mcp-session-id");
      if (upstreamSession !== null) {
        if (upstreamSession.length > MAX_UPSTREAM_SESSION_ID || !/^[\x21-\x7e]+$/.test(upstreamSession)) {
          watch.unanswered("local");
          await response.discard();
          return answerLocally(relay, envelope, new ApiError("upstream_error", `Couldn't talk to ${row.name}: its session id is not one the console can carry.`), modern);
        }
        const asked = requests.find((message) => message.method === "initialize")?.params.protocolVersion;
        extra["mcp-session-id"] = sealSession({
          userId: caller.userId,
          workspaceId: caller.workspaceId,
          providerId: row.id,
          providerVersion: row.version,
          serverHash: serverHash(row),
          upstreamSessionId: upstreamSession,
          protocolVersion: typeof asked === "string" ? asked.slice(0, 64) : "",
          elicitation: initializeDeclaresElicitation(requests),
        });
        countSessionOpened(caller.workspaceId, "provider");
      }
    }
    const answer = await relayAnswer(response, watch, extra, `${row.name} stopped answering before it finished (the connection to it broke)`);
    // A subscription is a stream like a GET's: it ends when the caller's token does, and counts as one of theirs.
    if (!listen || !relay.longLived) return answer;
    const subscription = webAnswer(answer);
    if (!subscription.body || !subscription.ok) return subscription;
    const asked = requests[0].params.notifications as { toolsListChanged?: unknown } | undefined;
    return relay.longLived(subscription, connection.validUntil, asked?.toolsListChanged === true);
  }
}

/**
 * What the console and the server both speak: the server's server/discover, asked as the caller,
 * less what the console doesn't relay. Only a client asking for a revision the console doesn't
 * know pays for this; a server that can't say is taken to speak what the console does.
 */
async function versionsBothSpeak(relay: RelayRequest): Promise<string[]> {
  const meta = { [PROTOCOL_VERSION_META]: MODERN_VERSIONS[0], "io.modelcontextprotocol/clientInfo": { name: "mcp-console", version: "1.0.0" }, "io.modelcontextprotocol/clientCapabilities": {} };
  const headers = new Headers({ "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": MODERN_VERSIONS[0], "mcp-method": "server/discover" });
  const probe = { ...relay, req: gatewayRequestOf(new Request(relay.req.url, { method: "POST", headers, signal: relay.req.signal })) };
  let supported: unknown[] | undefined;
  try {
    const { upstream } = await send(probe, { method: "POST", body: JSON.stringify({ jsonrpc: "2.0", id: 0, method: "server/discover", params: { _meta: meta } }) }, (connection) => connection.timeoutMs);
    const watch = new AnswerWatch();
    watch.watch(0, { onAnswer: (answer) => { supported = Array.isArray(answer.result?.supportedVersions) ? answer.result.supportedVersions : undefined; } });
    await webAnswer(await relayAnswer(upstream, watch, {}, "")).text();
  } catch {
    supported = undefined;
  }
  const both = CONSOLE_VERSIONS.filter((version) => supported?.includes(version));
  return both.length > 0 ? both : [...CONSOLE_VERSIONS];
}

/** The session a GET or DELETE continues, or the 404 that tells the client to start again. */
export function sessionFor(relay: RelayRequest): RelaySession | "none" | Response {
  const session = continuedSession(relay.req.headers.get("mcp-session-id"), relay);
  return session ?? sessionNotFound();
}

/** DELETE: ends the upstream session too. A session the console answered itself holds nothing. */
export async function relayDelete(relay: RelayRequest): Promise<Response> {
  const session = sessionFor(relay);
  if (session instanceof Response) return session;
  if (session !== "none" && !session.upstreamSessionId) return new Response(null, { status: 204 });
  try {
    const { upstream } = await send(relay, { method: "DELETE", upstreamSessionId: session === "none" ? undefined : session.upstreamSessionId }, (connection) => connection.timeoutMs);
    const response = upstream.response();
    const body = response.body ? await readCapped(response, 64 * 1024, () => new Error("too large")).catch(() => null) : null;
    return new Response(body, { status: response.status, headers: relayedHeaders(upstream) });
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    log.info({ providerId: relay.row.id, reason: error.detail }, "the gateway couldn't end an upstream session");
    return json(502, rpcError(null, -32603, error.detail));
  }
}

/** GET: the server's own stream for the session (its requests and notifications), relayed. */
export async function relayGet(relay: RelayRequest, session: RelaySession | "none"): Promise<Sent | Response> {
  try {
    return await send(relay, { method: "GET", upstreamSessionId: session === "none" ? undefined : session.upstreamSessionId }, (connection) => connection.timeoutMs);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return json(502, rpcError(null, -32603, error.detail));
  }
}
