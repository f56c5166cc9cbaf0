// A provider's tools: discovery (tools/list) and calls, both made as the calling user when the
// provider forwards identity.
//
// Who may write what a discovery finds:
// - the shared record, which everyone sees: a discovery by an admin, or one made without
//   forwarding (every caller would see the same); always only onto the provider version it ran
//   against, so a discovery that started before a URL change can't overwrite the new server's state;
// - with forwarding, each user's result is also their own view, which is what they are shown.
// A server refusing one user's token is that user's problem: it never marks the provider
// unauthenticated for everyone.
import "server-only";
import { randomUUID } from "node:crypto";
import { ApiError } from "@/lib/api/errors";
import { runAfterResponse } from "@/lib/background";
import { hasRole, type Role } from "@/lib/auth/roles";
import { db } from "@/lib/db";
import { connectionFor, credentialLabel, forwards, retryAfterRefusal, upstreamApiError } from "@/lib/credentials/connection";
import type { Connection, EndUser } from "@/lib/credentials/types";
import { processWide } from "@/lib/process-wide";
import { enforce, LIMITS } from "@/lib/rate-limit";
import type { Client, Progress } from "@modelcontextprotocol/client";
import type { ClientRelay } from "@/lib/mcp/client-relay";
import { recordedParts, recordingOf } from "@/lib/activity/recording";
import { recordToolCall, type CallPath } from "@/lib/activity/tool-calls";
import { inSpan, startToolCallSpan } from "@/lib/observability/tracing";
import { callTool, listTools, McpCallError, withWarmSession, type McpConnection, type SessionScope, type ToolCallOutcome } from "@/lib/mcp/client";
import { discoveryPending, findProviderRow } from "@/lib/providers/data";
import { providersChanged } from "@/lib/providers/list-cache";
import { applyProviderPatch } from "@/lib/providers/merge-patch";
import { askToolsOf, disabledToolsOf, oauthOf, parseStoredTools, toColumns, toDocument, type ProviderRow } from "@/lib/providers/record";
import type { ConnectionCheck, DiscoveryFailure, ProviderDocument, ProviderPatch } from "@/lib/providers/schemas";
import { assertStorable } from "@/lib/providers/tool-limits";
import { keepConfirmation } from "@/lib/policy/ask";
import { approvalOfRefusal, confirmCall, type Confirmation } from "@/lib/policy/confirm";
import type { ListedTool, StoredTool, ToolList } from "@/lib/providers/tool-schemas";

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The caller of a tool route: who they are and what their role lets them write. */
export type ToolCaller = EndUser & { role: Role };

/**
 * Whether each user may see the server differently: their identity token, or their own OAuth
 * connection. Then what a user discovers is their own view. (With forwarding on, the identity
 * token is what is sent, never an OAuth connection's.)
 */
function personal(row: ProviderRow): boolean {
  return forwards(row) || oauthOf(row) === "per_user";
}

function withPolicy(row: ProviderRow, tools: StoredTool[]): ListedTool[] {
  const disabled = disabledToolsOf(row);
  return tools.map((tool) => ({ ...tool, enabled: !disabled.has(tool.name) }));
}

/** The tools the caller saw last: their own view when the provider forwards identity, else the shared one. */
export async function lastKnownTools(row: ProviderRow, userId: string): Promise<Omit<ToolList, "data"> & { data: StoredTool[] }> {
  if (personal(row)) {
    const view = await db().providerToolView.findUnique({ where: { providerId_userId: { providerId: row.id, userId } } });
    if (view && view.providerVersion === row.version) {
      return { data: parseStoredTools(view.tools), fetched_at: view.fetchedAt.toISOString(), authed: view.authed, view: "yours" };
    }
  }
  return { data: parseStoredTools(row.tools), fetched_at: row.toolsFetchedAt?.toISOString() ?? null, authed: row.authed, view: "shared" };
}

/** The tools as the caller sees them, each saying whether agents may use it. */
export async function listProviderTools(options: { workspaceId: string; id: string; userId: string }): Promise<ToolList> {
  const row = await findProviderRow(options);
  const known = await lastKnownTools(row, options.userId);
  return { ...known, data: withPolicy(row, known.data) };
}

/** Runs `work` on a connection to the server as `user`, as retryAfterRefusal says after a refusal. */
async function withConnection<T>(row: ProviderRow, user: EndUser | undefined, work: (connection: Connection) => Promise<T>): Promise<T> {
  let connection = await connectionFor(row, user);
  for (let attempt = 0; ; attempt++) {
    try {
      return await work(connection);
    } catch (error) {
      if (!(error instanceof McpCallError) || error.failure !== "unauthorized") throw error;
      const next = await retryAfterRefusal(row, user, connection, error.status, attempt);
      if (!next) throw error;
      connection = next;
    }
  }
}

/** What a server listed, as stored — all of it, or nothing (see assertStorable). */
function toStoredTools(tools: Awaited<ReturnType<typeof listTools>>): StoredTool[] {
  return assertStorable(
    tools.map((tool) => ({
      name: tool.name,
      title: tool.title ?? tool.annotations?.title ?? null,
      description: tool.description ?? null,
      input_schema: tool.inputSchema,
    })),
  );
}

/** What one discovery found: the tools, or why not. `refused`: the server refused the credentials. */
type Outcome = { ok: true; tools: StoredTool[] } | { ok: false; failure: DiscoveryFailure; message: string; refused: boolean };

const MESSAGE_MAX = 500;

/** Writes an outcome where the caller may: the shared record (an admin, or nothing personal) and, when each user sees their own server, their view. */
async function recordDiscovery(row: ProviderRow, caller: ToolCaller, own: boolean, outcome: Outcome) {
  const at = new Date();
  if (hasRole(caller.role, "admin") || !own) {
    const shared = outcome.ok
      ? { tools: JSON.stringify(outcome.tools), toolsCount: outcome.tools.length, authed: true, toolsFetchedAt: at, discoveryStatus: "ok", discoveryFailure: null, discoveryMessage: null }
      : {
          ...(outcome.refused ? { authed: false, toolsFetchedAt: at } : {}),
          discoveryStatus: "failed",
          discoveryFailure: outcome.failure,
          discoveryMessage: outcome.message.slice(0, MESSAGE_MAX),
        };
    // Discovery is not a configuration change: the version (ETag) stays, and guards the write.
    await db().mcpProvider.updateMany({ where: { id: row.id, workspaceId: row.workspaceId, version: row.version }, data: { ...shared, discoveryAt: at } });
    await providersChanged(row.workspaceId);
  }
  if (own && (outcome.ok || outcome.refused)) {
    const tools = outcome.ok ? outcome.tools : (await lastKnownTools(row, caller.userId)).data;
    const view = { providerVersion: row.version, tools: JSON.stringify(tools), authed: outcome.ok, fetchedAt: at };
    await db().providerToolView.upsert({
      where: { providerId_userId: { providerId: row.id, userId: caller.userId } },
      create: { providerId: row.id, userId: caller.userId, ...view },
      update: view,
    });
  }
  return at;
}

// Refreshes the same caller asks for while one runs share it: one tools/list reaches the server.
const refreshesInFlight = processWide("tool-refreshes", () => new Map<string, Promise<ToolList>>());

/**
 * Refresh tools, asked for by the caller: limited per user and provider (429 rate_limited), and
 * requests made while one runs for the same caller and provider share its answer.
 */
export async function refreshToolsOnRequest(options: { workspaceId: string; id: string; caller: ToolCaller }): Promise<ToolList> {
  await enforce([[LIMITS.toolRefreshPerUserProvider, `${options.caller.userId}:${options.id}`]], "tool refreshes of this provider");
  const key = `${options.workspaceId}:${options.id}:${options.caller.userId}:${options.caller.role}`;
  let pending = refreshesInFlight.get(key);
  if (!pending) {
    pending = refreshProviderTools(options).finally(() => refreshesInFlight.delete(key));
    refreshesInFlight.set(key, pending);
  }
  return pending;
}

/** tools/list now, as the caller; returns what they now see. Failures are recorded where the caller may write. */
export async function refreshProviderTools(options: { workspaceId: string; id: string; caller: ToolCaller }): Promise<ToolList> {
  const row = await findProviderRow(options);
  const own = personal(row);
  try {
    const tools = await withConnection(row, options.caller, async (connection) => toStoredTools(await listTools(connection)));
    const fetchedAt = await recordDiscovery(row, options.caller, own, { ok: true, tools });
    return { data: withPolicy(row, tools), fetched_at: fetchedAt.toISOString(), authed: true, view: own ? "yours" : "shared" };
  } catch (error) {
    const failed = discoveryFailed(error, row);
    await recordDiscovery(row, options.caller, own, failed.outcome);
    throw failed.error;
  }
}

/** Why a tools/list failed, as an outcome to record and the error for the caller; anything else is rethrown. */
function discoveryFailed(error: unknown, row: ProviderRow): { outcome: Extract<Outcome, { ok: false }>; error: ApiError } {
  if (error instanceof ApiError) {
    const failure = error.code === "connection_required" ? "unauthorized" : "identity";
    return { outcome: { ok: false, failure, message: error.detail, refused: false }, error };
  }
  if (!(error instanceof McpCallError)) throw error;
  const apiError = upstreamApiError(error, row, forwards(row));
  return { outcome: { ok: false, failure: error.failure, message: apiError.detail, refused: error.failure === "unauthorized" }, error: apiError };
}

/**
 * Asks a server for its tools with settings nobody has saved — a new provider's, or a provider's
 * with an edit applied — as the caller, the way discovery would after saving. Nothing is written.
 */
async function checkRow(row: ProviderRow, caller: ToolCaller): Promise<ConnectionCheck> {
  const checkedAt = new Date().toISOString();
  try {
    // One attempt, and no refresh, step-up note or dropped connection: a check writes nothing.
    const tools = toStoredTools(await listTools(await connectionFor(row, caller)));
    return { ok: true, tools_count: tools.length, failure: null, message: null, checked_at: checkedAt };
  } catch (error) {
    const { outcome } = discoveryFailed(error, row);
    // An OAuth server nobody has connected to yet: saving, then Connect, is the way on.
    const failure = error instanceof ApiError && error.code === "connection_required" ? "identity" : outcome.failure;
    return { ok: false, tools_count: null, failure, message: outcome.message.slice(0, MESSAGE_MAX), checked_at: checkedAt };
  }
}

/** A provider not yet registered: its settings as a row that exists only for this check (limited per user). */
export async function checkNewProvider(options: { workspaceId: string; caller: ToolCaller; input: ProviderDocument }): Promise<ConnectionCheck> {
  await enforce([[LIMITS.connectionCheckPerUser, options.caller.userId]], "connection tests");
  const now = new Date();
  const row: ProviderRow = {
    id: randomUUID(),
    workspaceId: options.workspaceId,
    createdBy: options.caller.userId,
    createdAt: now,
    updatedAt: now,
    version: 0,
    authed: false,
    tools: "[]",
    toolsCount: 0,
    toolsFetchedAt: null,
    ...discoveryPending(now),
    ...toColumns(options.input),
    identityMode: options.input.identity_mode,
  };
  return checkRow(row, options.caller);
}

/** A registered provider with `patch` applied as a save would apply it (a new server gets none of the old secrets); limited per user and provider. */
export async function checkProviderEdit(options: { workspaceId: string; id: string; caller: ToolCaller; patch: ProviderPatch }): Promise<ConnectionCheck> {
  const row = await findProviderRow(options);
  await enforce([[LIMITS.connectionCheckPerUserProvider, `${options.caller.userId}:${row.id}`]], "connection tests of this provider");
  const { document } = applyProviderPatch(toDocument(row), options.patch);
  return checkRow({ ...row, ...toColumns(document) }, options.caller);
}

/** Where a call came from, for the activity log; progress and cancellation for callers that pass them through. */
export type CallContext = {
  via: CallPath;
  requestId: string;
  email: string;
  onprogress?: (progress: Progress) => void;
  signal?: AbortSignal;
  /** The caller's request metadata, passed on (progress tokens are the transport's own). */
  meta?: Record<string, unknown>;
  /** Where what the server asks during the call goes: the gateway's calling client. */
  relay?: ClientRelay;
  /** A 2026-07-28 retry with the client's input responses (see lib/mcp/client.ts). */
  retry?: { inputResponses?: Record<string, unknown>; requestState?: string };
};

function refused(row: ProviderRow, tool: string): ApiError {
  return new ApiError("tool_disabled", `An admin has turned off ${tool} on ${row.name}; it can't be called.`);
}

/** The scope of a warm session: only a call made for a user gets one (see lib/mcp/session-pool.ts). */
function scopeOf(row: ProviderRow, connection: Connection, user: EndUser): SessionScope {
  return { userId: user.userId, providerId: row.id, version: row.version, validUntil: connection.validUntil };
}

/**
 * Calls a tool of `row` as `user`, unless an admin turned it off. Every call with a context is
 * recorded in the activity log, however it ends.
 */
export async function callRowTool(row: ProviderRow, options: { tool: string; args: Record<string, unknown>; user: EndUser | undefined; context?: CallContext }): Promise<ToolCallOutcome> {
  const { tool, user, context } = options;
  const started = performance.now();
  let outcome = "internal_error";
  // What the call would carry; a call that fails getting the identity token still tried to forward it.
  let identity = credentialLabel(row);
  let answered: unknown;
  let approval: string | undefined;
  const span = context && user ? startToolCallSpan({ tool, workspaceId: row.workspaceId, userId: user.userId, providerId: row.id, providerName: row.name, via: context.via, requestId: context.requestId }) : undefined;
  try {
    if (disabledToolsOf(row).has(tool)) throw refused(row, tool);
    let retry = context?.retry;
    let confirmation: Confirmation | undefined;
    if (askToolsOf(row).has(tool)) {
      confirmation = await confirmedCall(row, options);
      approval = confirmation.label;
      if (!confirmation.confirmed) {
        outcome = "input_required";
        return confirmation.inputRequired as ToolCallOutcome;
      }
      retry = confirmation.retry;
    }
    try {
      const result = await inSpan(span, () => withConnection(row, user, (connection) => {
        identity = connection.mode;
        return callTool(connection, tool, options.args, user ? scopeOf(row, connection, user) : undefined, {
          onprogress: context?.onprogress,
          signal: context?.signal,
          meta: context?.meta,
          relay: context?.relay,
          retry,
        });
      }));
      outcome = !("content" in result) ? "input_required" : result.isError ? "tool_error" : "ok";
      answered = result;
      // The server asks for input of its own after the user confirmed: their retry isn't asked again.
      if (confirmation?.confirmed && confirmation.channel && !("content" in result)) return keepConfirmation(result, confirmation.subject, confirmation.channel) as ToolCallOutcome;
      return result;
    } catch (error) {
      if (!(error instanceof McpCallError)) throw error;
      // Through the gateway the server's own JSON-RPC error goes back to the client as it came.
      if (error.rpc && context?.via === "gateway") {
        outcome = "rpc_error";
        throw error.rpc;
      }
      throw upstreamApiError(error, row, forwards(row));
    }
  } catch (error) {
    if (error instanceof ApiError) outcome = error.code;
    approval = approvalOfRefusal(error) ?? approval;
    throw error;
  } finally {
    if (context?.signal?.aborted) outcome = "cancelled";
    span?.end(outcome, identity);
    if (context && user) {
      recordToolCall({
        workspaceId: row.workspaceId,
        userId: user.userId,
        userEmail: context.email,
        providerId: row.id,
        providerName: row.name,
        tool,
        via: context.via,
        outcome,
        durationMs: performance.now() - started,
        identity,
        requestId: context.requestId,
        recorded: recordedParts(recordingOf(row), { arguments: options.args, result: answered }),
        approval,
        trace: span?.spanContext,
      });
    }
  }
}

/** The caller's confirmation of a call of an ask tool (lib/policy/confirm.ts); only a call made for a user can have one. */
async function confirmedCall(row: ProviderRow, options: { tool: string; args: Record<string, unknown>; user: EndUser | undefined; context?: CallContext }): Promise<Confirmation> {
  const { user, context } = options;
  if (!user || !context) throw new ApiError("approval_declined", `${options.tool} on ${row.name} runs only once its caller confirms it, and this call has nobody to ask.`);
  return confirmCall({
    workspaceId: row.workspaceId,
    userId: user.userId,
    providerId: row.id,
    providerName: row.name,
    tool: options.tool,
    args: options.args,
    via: context.via,
    relay: context.relay,
    signal: context.signal,
    retry: context.retry,
  });
}

export async function callProviderTool(options: { workspaceId: string; id: string; tool: string; args: Record<string, unknown>; user: EndUser | undefined; context?: CallContext }) {
  const row = await findProviderRow(options);
  const result = await callRowTool(row, options);
  // Only a relay passes an `input_required` result on; here the SDK asks for the input itself, and fails without it.
  if (!("content" in result)) throw new ApiError("upstream_error", `${row.name} asked for input the console can't give here.`);
  return {
    content: result.content as Record<string, unknown>[],
    structured_content: isRecord(result.structuredContent) ? result.structuredContent : null,
    is_error: Boolean(result.isError),
  };
}

/**
 * Runs `work` on the caller's warm session to the provider's server, with the credentials §5
 * decides for them. Identity and transport failures become API errors, as for a tool call.
 */
export async function withProviderSession<T>(row: ProviderRow, user: EndUser, work: (client: Client, connection: McpConnection) => Promise<T>, signal?: AbortSignal): Promise<T> {
  try {
    return await withConnection(row, user, (connection) => withWarmSession(connection, scopeOf(row, connection, user), (client) => work(client, connection), signal));
  } catch (error) {
    // The server's own JSON-RPC error is an answer for the caller, not a failure to reach it.
    if (!(error instanceof McpCallError) || error.rpc) throw error;
    throw upstreamApiError(error, row, forwards(row));
  }
}

/** Discovery after a create or a URL change: the response doesn't wait for a slow server; the result shows up on the provider. */
export function discoverAfterResponse(options: { workspaceId: string; id: string; caller: ToolCaller }) {
  runAfterResponse("discovery", () => refreshProviderTools(options));
}
