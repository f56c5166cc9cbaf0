// Tool policy `ask`: a call of such a tool waits until the calling user confirms it. Their MCP client
// is asked when it can be (an elicitation: in the session's stream for 2025-11-25, an
// `input_required` result for 2026-07-28); otherwise — a client without the capability, the REST
// API, Try it — an approval waits for them in the console (lib/policy/approvals.ts). No answer
// within TOOL_APPROVAL_TIMEOUT_SECONDS refuses the call. What was decided, and how the user was
// asked, goes on the call's activity record ("approved:elicitation", "timed_out:console", …).
import "server-only";
import { createHash } from "node:crypto";
import { z } from "zod";
import { ApiError } from "@/lib/api/errors";
import { sealerFollowing } from "@/lib/crypto";
import { env } from "@/lib/env";
import { redact } from "@/lib/redact";

export const APPROVAL_DECISIONS = ["approved", "declined", "timed_out", "cancelled"] as const;
export type ApprovalDecision = (typeof APPROVAL_DECISIONS)[number];
export type AskChannel = "elicitation" | "console";

/** What the activity log keeps of a confirmation. */
export function approvalLabel(decision: ApprovalDecision, channel: AskChannel): string {
  return `${decision}:${channel}`;
}

export function askTimeoutMs(): number {
  return env().TOOL_APPROVAL_TIMEOUT_SECONDS * 1000;
}

const MAX_VALUE_CHARS = 200;
const MAX_SUMMARY_CHARS = 2000;

function shortened(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return value.length > MAX_VALUE_CHARS ? `${value.slice(0, MAX_VALUE_CHARS)}…` : value;
  if (value === null || typeof value !== "object") return value;
  if (depth > 3) return "…";
  if (Array.isArray(value)) return [...value.slice(0, 10).map((item) => shortened(item, depth + 1)), ...(value.length > 10 ? [`… ${value.length - 10} more`] : [])];
  const entries = Object.entries(value);
  return Object.fromEntries([...entries.slice(0, 20).map(([key, inner]) => [key.slice(0, 100), shortened(inner, depth + 1)]), ...(entries.length > 20 ? [["…", `${entries.length - 20} more`]] : [])]);
}

/**
 * What the user is shown of a call's arguments: secrets replaced (the logs' redaction list), long
 * values cut, at most MAX_SUMMARY_CHARS of JSON. Enough to judge the call by, never a credential.
 */
export function argumentsSummary(args: Record<string, unknown>): string {
  const text = JSON.stringify(shortened(redact(args)));
  return text.length > MAX_SUMMARY_CHARS ? `${text.slice(0, MAX_SUMMARY_CHARS - 1)}…` : text;
}

export type AskedCall = { providerName: string; tool: string; args: Record<string, unknown> };

/** The question, as the user's MCP client shows it. */
export function askMessage(call: AskedCall): string {
  const summary = argumentsSummary(call.args);
  return `An admin set ${call.tool} on ${call.providerName} to ask you first. Run it${summary === "{}" ? " (no arguments)" : ` with ${summary}`}? Accept runs it as you; decline refuses it.`;
}

/** The elicitation that asks: nothing to fill in — accepting is the confirmation. */
export function elicitationParams(call: AskedCall): Record<string, unknown> {
  return { mode: "form", message: askMessage(call), requestedSchema: { type: "object", properties: {} } };
}

const elicitResultSchema = z.object({ action: z.enum(["accept", "decline", "cancel"]) }).loose();

/** The decision an elicitation's answer carries; anything unreadable is a refusal. */
export function decisionOfAnswer(answer: unknown): ApprovalDecision {
  const parsed = elicitResultSchema.safeParse(answer);
  if (!parsed.success) return "cancelled";
  return parsed.data.action === "accept" ? "approved" : parsed.data.action === "decline" ? "declined" : "cancelled";
}

/** The refusal a call gets when it wasn't confirmed, in words that say why and what to do. */
export function notConfirmed(decision: Exclude<ApprovalDecision, "approved">, channel: AskChannel, call: Omit<AskedCall, "args">): ApiError {
  const where = channel === "console" ? "in the console (Approvals)" : "in your MCP client";
  switch (decision) {
    case "declined":
      return new ApiError("approval_declined", `You declined the call of ${call.tool} on ${call.providerName} ${where}; it did not run.`);
    case "cancelled":
      return new ApiError("approval_declined", `The confirmation for ${call.tool} on ${call.providerName} was dismissed ${where}; it did not run.`);
    case "timed_out":
      return new ApiError(
        "approval_timed_out",
        `${call.tool} on ${call.providerName} runs only once you confirm it (an admin set it to ask first), and no confirmation came ${where} within ${env().TOOL_APPROVAL_TIMEOUT_SECONDS} s; it did not run. Call it again and confirm it.`,
      );
  }
}

// ---- 2026-07-28: the confirmation as an input_required round trip --------------------------------

/** The key of the console's own input request among a server's. */
export const APPROVAL_INPUT_KEY = "mcp-console/approval";
// Once confirmed, the state carries the server's own round trips for this long.
const CONFIRMED_LIFETIME_MS = 15 * 60_000;

const stateSchema = z.object({
  /** The caller, provider and tool the confirmation is for, and a hash of the arguments. */
  u: z.string(),
  p: z.string(),
  t: z.string(),
  a: z.string(),
  /** Confirmed already, and how (the server asked for input of its own after the confirmation). */
  ok: z.boolean(),
  c: z.enum(["elicitation", "console"]).optional(),
  /** The server's own requestState, carried inside the console's. */
  s: z.string().optional(),
  e: z.number(),
});

const stateSealer = sealerFollowing(() => env().encryptionKey, "approval-request-state");

export type ApprovalSubject = { userId: string; providerId: string; tool: string; args: Record<string, unknown> };

function argumentsHash(args: Record<string, unknown>): string {
  return createHash("sha256").update(JSON.stringify(args)).digest("base64url").slice(0, 22);
}

/**
 * The requestState the console sends: a question good for the approval timeout, or — confirmed,
 * carrying the server's own state — good while the server's round trips go on.
 */
function sealApprovalState(subject: ApprovalSubject, confirmed: AskChannel | undefined, serverState?: string): string {
  const lifetime = confirmed ? CONFIRMED_LIFETIME_MS : askTimeoutMs();
  return stateSealer().seal(JSON.stringify({ u: subject.userId, p: subject.providerId, t: subject.tool, a: argumentsHash(subject.args), ok: confirmed !== undefined, ...(confirmed ? { c: confirmed } : {}), ...(serverState !== undefined ? { s: serverState } : {}), e: Date.now() + lifetime }));
}

type OpenedState = { confirmed?: AskChannel; serverState?: string; expired: boolean };

/** The console's state in a retry, if it is one the console sealed for this very call. */
function openApprovalState(requestState: unknown, subject: ApprovalSubject): OpenedState | undefined {
  if (typeof requestState !== "string" || requestState.length > 16_384) return undefined;
  let state: z.infer<typeof stateSchema>;
  try {
    state = stateSchema.parse(JSON.parse(stateSealer().open(requestState)));
  } catch {
    return undefined;
  }
  const ours = state.u === subject.userId && state.p === subject.providerId && state.t === subject.tool && state.a === argumentsHash(subject.args);
  if (!ours) return undefined;
  return { ...(state.ok ? { confirmed: state.c ?? "elicitation" } : {}), ...(state.s !== undefined ? { serverState: state.s } : {}), expired: state.e <= Date.now() };
}

/** The console's question as a 2026-07-28 input_required result. */
export function approvalInputRequired(call: AskedCall, subject: ApprovalSubject): Record<string, unknown> {
  return {
    resultType: "input_required",
    inputRequests: { [APPROVAL_INPUT_KEY]: { method: "elicitation/create", params: elicitationParams(call) } },
    requestState: sealApprovalState(subject, undefined),
  };
}

export type UpstreamRetry = { inputResponses?: Record<string, unknown>; requestState?: string };

/**
 * A 2026-07-28 retry of an ask tool's call that carries the console's state: the decision (an
 * answer to the console's question, or a confirmation given before the server asked its own), how
 * it was asked, and the retry as the server should see it (the console's input response and state
 * taken out, the server's own state put back). Undefined: not a retry the console asked for.
 */
export function approvalRetry(retry: { inputResponses?: Record<string, unknown>; requestState?: unknown } | undefined, subject: ApprovalSubject): { decision: ApprovalDecision; channel: AskChannel; upstream: UpstreamRetry | undefined } | undefined {
  if (!retry) return undefined;
  const state = openApprovalState(retry.requestState, subject);
  if (!state) return undefined;
  const { [APPROVAL_INPUT_KEY]: answer, ...others } = retry.inputResponses ?? {};
  let decision: ApprovalDecision | undefined;
  if (state.expired) decision = state.confirmed ? undefined : "timed_out";
  else decision = state.confirmed ? "approved" : answer === undefined ? undefined : decisionOfAnswer(answer);
  if (!decision) return undefined;
  const upstream = { ...(Object.keys(others).length > 0 ? { inputResponses: others } : {}), ...(state.serverState !== undefined ? { requestState: state.serverState } : {}) };
  return { decision, channel: state.confirmed ?? "elicitation", upstream: Object.keys(upstream).length > 0 ? upstream : undefined };
}

/** A server's own input_required result after the user confirmed: its state goes inside the console's, so the retry isn't asked again. */
export function keepConfirmation(result: Record<string, unknown>, subject: ApprovalSubject, channel: AskChannel): Record<string, unknown> {
  const serverState = typeof result.requestState === "string" ? result.requestState : undefined;
  return { ...result, requestState: sealApprovalState(subject, channel, serverState) };
}
