// How a call of an ask tool made by the console's own MCP client (the REST API, Try it, the
// workspace endpoint /mcp) gets its caller's confirmation: from the calling MCP client when it can
// answer an elicitation, else in the console. The relay (/mcp/{id}) asks on its own streams
// (lib/gateway/relay.ts) with the same pieces.
import "server-only";
import type { ClientCapabilities } from "@modelcontextprotocol/client";
import { ApiError } from "@/lib/api/errors";
import type { CallPath } from "@/lib/activity/tool-calls";
import type { ClientRelay } from "@/lib/mcp/client-relay";
import { awaitConsoleApproval } from "@/lib/policy/approvals";
import {
  approvalInputRequired,
  type UpstreamRetry,
  type AskedCall,
  approvalLabel,
  approvalRetry,
  askTimeoutMs,
  decisionOfAnswer,
  elicitationParams,
  notConfirmed,
  type ApprovalDecision,
  type ApprovalSubject,
  type AskChannel,
} from "@/lib/policy/ask";

/** Whether a client that declared `capabilities` can be asked with a form elicitation. */
export function canElicitForm(capabilities: ClientCapabilities | undefined): boolean {
  const elicitation = capabilities?.elicitation as Record<string, unknown> | undefined;
  return elicitation !== undefined && (Object.keys(elicitation).length === 0 || "form" in elicitation);
}

export type ConfirmRequest = {
  workspaceId: string;
  userId: string;
  providerId: string;
  providerName: string;
  tool: string;
  args: Record<string, unknown>;
  via: CallPath;
  relay?: ClientRelay;
  signal?: AbortSignal;
  retry?: { inputResponses?: Record<string, unknown>; requestState?: string };
};

export type Confirmation =
  /**
   * Go ahead; `label` goes on the activity record, `retry` is what the server sees of a 2026-07-28
   * retry, and a `channel` means a 2026-07-28 call whose server may still ask for input of its own.
   */
  | { confirmed: true; label: string; retry?: UpstreamRetry; subject: ApprovalSubject; channel?: AskChannel }
  /** Not yet: this input_required result asks the 2026-07-28 client. */
  | { confirmed: false; inputRequired: Record<string, unknown>; label: string };

function refusal(decision: Exclude<ApprovalDecision, "approved">, channel: AskChannel, call: AskedCall): ApiError & { approval: string } {
  return Object.assign(notConfirmed(decision, channel, call), { approval: approvalLabel(decision, channel) });
}

/** The caller's elicitation answer over the 2025-11-25 session, within the approval timeout. */
async function askByElicitation(relay: ClientRelay, request: ConfirmRequest): Promise<ApprovalDecision> {
  const timeout = AbortSignal.timeout(askTimeoutMs());
  const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
  try {
    return decisionOfAnswer(await relay.ask("elicitation/create", elicitationParams(request), signal));
  } catch (error) {
    if (request.signal?.aborted) return "cancelled";
    if (timeout.aborted) return "timed_out";
    // The client answered with an error (it couldn't show the question): not a confirmation.
    if (error instanceof Error) return "cancelled";
    throw error;
  }
}

/**
 * Gets the confirmation an ask tool's call needs, or throws the refusal (an ApiError carrying
 * `approval`, the label the activity log keeps).
 */
export async function confirmCall(request: ConfirmRequest): Promise<Confirmation> {
  const subject: ApprovalSubject = { userId: request.userId, providerId: request.providerId, tool: request.tool, args: request.args };
  const { relay } = request;
  const modern = relay?.passInputRequired === true;
  if (modern) {
    // A retry carrying the console's state: the answer to its question, or a confirmation given before the server asked its own.
    const retried = approvalRetry(request.retry, subject);
    if (retried) {
      if (retried.decision !== "approved") throw refusal(retried.decision, retried.channel, request);
      return { confirmed: true, label: approvalLabel("approved", retried.channel), retry: retried.upstream, subject, channel: retried.channel };
    }
  }
  if (relay && canElicitForm(relay.capabilities)) {
    if (modern) return { confirmed: false, inputRequired: approvalInputRequired(request, subject), label: "asked:elicitation" };
    const decision = await askByElicitation(relay, request);
    if (decision !== "approved") throw refusal(decision, "elicitation", request);
    return { confirmed: true, label: approvalLabel(decision, "elicitation"), retry: request.retry, subject };
  }
  const decision = await awaitConsoleApproval(request, request.signal);
  if (decision !== "approved") throw refusal(decision, "console", request);
  return { confirmed: true, label: approvalLabel(decision, "console"), retry: request.retry, subject, ...(modern ? { channel: "console" as const } : {}) };
}

/** The label an unconfirmed call's refusal carries for the activity log. */
export function approvalOfRefusal(error: unknown): string | undefined {
  return error instanceof ApiError && "approval" in error && typeof error.approval === "string" ? error.approval : undefined;
}
