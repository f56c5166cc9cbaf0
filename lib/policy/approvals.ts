// Approvals waiting in the console: a call of an ask tool whose caller can't be asked in their MCP
// client (it lacks the capability, or the call came through the REST API or Try it) holds here until
// they approve or decline it on any page of the console, or it expires. The call and the decision
// may be on different instances: the row is the truth, the change bus (lib/change-bus.ts) wakes the
// waiting call at once, and a slow poll covers a notification missed.
import "server-only";
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { ApiError } from "@/lib/api/errors";
import { announce, onChange } from "@/lib/change-bus";
import { db } from "@/lib/db";
import { processWide } from "@/lib/process-wide";
import type { CallPath } from "@/lib/activity/tool-calls";
import { argumentsSummary, askTimeoutMs, type ApprovalDecision } from "@/lib/policy/ask";

const POLL_MS = 3_000;
// Decided and expired approvals stay listed (the user sees what happened) this long.
const KEEP_MS = 7 * 24 * 60 * 60_000;
const RECENT_LISTED = 20;
// Calls one person may have waiting at once, in a workspace: more than anyone decides, few enough to list.
export const MAX_PENDING = 20;

export const approvalSchema = z.object({
  id: z.string(),
  provider: z.object({ id: z.string(), name: z.string() }),
  tool: z.string(),
  via: z.string().describe('Where the call came from: "gateway" (an MCP client), "api" or "console" (Try it)'),
  arguments: z.string().describe('The call\'s arguments, summarised: secrets redacted, long values cut (JSON); "" once decided (not kept)'),
  status: z.enum(["pending", "approved", "declined", "timed_out", "cancelled"]),
  created_at: z.iso.datetime(),
  expires_at: z.iso.datetime(),
  decided_at: z.iso.datetime().nullable(),
});
export type Approval = z.infer<typeof approvalSchema>;

type ApprovalRow = Awaited<ReturnType<ReturnType<typeof db>["toolApproval"]["findUniqueOrThrow"]>>;

function approvalOf(row: ApprovalRow): Approval {
  return {
    id: row.id,
    provider: { id: row.providerId, name: row.providerName },
    tool: row.tool,
    via: row.via,
    arguments: row.summary,
    status: approvalSchema.shape.status.catch("cancelled").parse(row.status),
    created_at: row.createdAt.toISOString(),
    expires_at: row.expiresAt.toISOString(),
    decided_at: row.decidedAt?.toISOString() ?? null,
  };
}

// The calls this instance holds, by approval id: woken when a decision is announced.
const waiting = processWide("tool-approvals", () => {
  const wakers = new Map<string, () => void>();
  onChange(
    "approval",
    (id) => wakers.get(id)?.(),
    () => { for (const wake of wakers.values()) wake(); },
  );
  return wakers;
});

/** Sets a pending approval's status; false when it was no longer pending (decided, expired, gone). */
async function settle(id: string, status: Exclude<ApprovalDecision, "approved" | "declined">): Promise<boolean> {
  const { count } = await db().toolApproval.updateMany({ where: { id, status: "pending" }, data: { status, decidedAt: new Date(), summary: "" } });
  return count === 1;
}

export type ApprovalRequest = {
  workspaceId: string;
  userId: string;
  providerId: string;
  providerName: string;
  tool: string;
  via: CallPath;
  args: Record<string, unknown>;
};

/**
 * Asks the caller in the console and waits for their decision: "approved", "declined", "timed_out"
 * (no decision within TOOL_APPROVAL_TIMEOUT_SECONDS), or "cancelled" (the call was abandoned first).
 */
export async function awaitConsoleApproval(request: ApprovalRequest, signal?: AbortSignal): Promise<ApprovalDecision> {
  const id = randomUUID();
  const expiresAt = new Date(Date.now() + askTimeoutMs());
  const waitingNow = await db().toolApproval.count({ where: { workspaceId: request.workspaceId, userId: request.userId, status: "pending", expiresAt: { gt: new Date() } } });
  if (waitingNow >= MAX_PENDING) throw new ApiError("rate_limited", `You have ${waitingNow} calls waiting for your approval in the console; decide those first (Approvals), then call ${request.tool} again.`);
  await db().toolApproval.create({
    data: {
      id,
      workspaceId: request.workspaceId,
      userId: request.userId,
      providerId: request.providerId,
      providerName: request.providerName,
      tool: request.tool,
      via: request.via,
      summary: argumentsSummary(request.args),
      status: "pending",
      expiresAt,
    },
  });
  await announce("approval", `new:${request.userId}`);
  const decided = async (): Promise<ApprovalDecision | undefined> => {
    const row = await db().toolApproval.findUnique({ where: { id }, select: { status: true } });
    if (!row) return "cancelled";
    return row.status === "pending" ? undefined : approvalSchema.shape.status.exclude(["pending"]).catch("cancelled").parse(row.status);
  };
  try {
    for (;;) {
      if (signal?.aborted) {
        if (await settle(id, "cancelled")) return "cancelled";
      } else if (Date.now() >= expiresAt.getTime()) {
        if (await settle(id, "timed_out")) return "timed_out";
      }
      const decision = await decided();
      if (decision) return decision;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal?.removeEventListener("abort", done);
          waiting.delete(id);
          resolve();
        };
        const timer = setTimeout(done, Math.max(0, Math.min(POLL_MS, expiresAt.getTime() - Date.now())));
        signal?.addEventListener("abort", done, { once: true });
        waiting.set(id, done);
      });
    }
  } finally {
    waiting.delete(id);
  }
}

/** The caller's approvals in this workspace: those waiting, newest first, then the latest decided. */
export async function listApprovals(options: { workspaceId: string; userId: string }): Promise<{ pending: Approval[]; recent: Approval[] }> {
  const now = new Date();
  const where = { workspaceId: options.workspaceId, userId: options.userId };
  const [pending, recent] = await Promise.all([
    db().toolApproval.findMany({ where: { ...where, status: "pending", expiresAt: { gt: now } }, orderBy: { createdAt: "desc" }, take: MAX_PENDING }),
    db().toolApproval.findMany({ where: { ...where, NOT: { status: "pending", expiresAt: { gt: now } } }, orderBy: { createdAt: "desc" }, take: RECENT_LISTED }),
  ]);
  // One whose call ended without settling it (the instance went away) reads as what it became.
  const shown = (row: ApprovalRow) => (row.status === "pending" ? { ...row, status: "timed_out", summary: "" } : row);
  return { pending: pending.map(approvalOf), recent: recent.map(shown).map(approvalOf) };
}

/**
 * The caller approves or declines one of their own waiting calls. Another's approval is not found;
 * one decided already, or expired, is a conflict that says which.
 */
export async function decideApproval(options: { workspaceId: string; userId: string; id: string; decision: "approved" | "declined" }): Promise<Approval> {
  const where = { id: options.id, workspaceId: options.workspaceId, userId: options.userId };
  const { count } = await db().toolApproval.updateMany({ where: { ...where, status: "pending", expiresAt: { gt: new Date() } }, data: { status: options.decision, decidedAt: new Date(), summary: "" } });
  const row = await db().toolApproval.findFirst({ where });
  if (!row) throw new ApiError("not_found", "There is no such approval.");
  if (count === 0) {
    const state = row.status === "pending" ? "timed out" : row.status.replace("_", " ");
    throw new ApiError("conflict", `This call was ${state} already; it can't be ${options.decision} now.`);
  }
  await announce("approval", row.id);
  return approvalOf(row);
}

/** Approvals past their keeping time go; one left pending by an instance that went away reads as timed out until then. */
export async function pruneApprovals(now = new Date()): Promise<void> {
  await db().toolApproval.deleteMany({ where: { createdAt: { lt: new Date(now.getTime() - KEEP_MS) } } });
  await db().toolApproval.updateMany({ where: { status: "pending", expiresAt: { lt: new Date(now.getTime() - 60_000) } }, data: { status: "timed_out", decidedAt: now, summary: "" } });
}
