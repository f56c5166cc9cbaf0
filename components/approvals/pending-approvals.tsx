"use client";
import Link from "next/link";
import { Button } from "@/components/ui/button";
import { useApprovals, useDecideApproval, type Approval } from "@/lib/client/hooks";
import { relativeTime } from "@/lib/client/time";

const VIA: Record<string, string> = { gateway: "your MCP client", api: "the REST API", console: "Try it" };

/** One call waiting for the signed-in person: what would run, and the two answers. */
export function ApprovalItem({ approval }: { approval: Approval }) {
  const decide = useDecideApproval();
  const label = `${approval.tool} on ${approval.provider.name}`;
  return (
    <li className="flex flex-col gap-2 sm:flex-row sm:items-start sm:justify-between" data-testid={`approval-${approval.tool}`}>
      <div className="min-w-0">
        <p>
          <strong className="break-all font-mono">{approval.tool}</strong> on <strong>{approval.provider.name}</strong>
          <span className="text-muted"> · from {VIA[approval.via] ?? approval.via} · expires {relativeTime(approval.expires_at)}</span>
        </p>
        <pre className="mt-1 max-h-24 overflow-y-auto whitespace-pre-wrap break-all rounded bg-white/70 p-2 font-mono text-xs dark:bg-black/30">{approval.arguments === "{}" ? "No arguments" : approval.arguments}</pre>
      </div>
      <span className="flex shrink-0 gap-2">
        <Button size="sm" onClick={() => { decide.mutate({ approval, status: "declined" }); }} disabled={decide.isPending} aria-label={`Decline ${label}`}>Decline</Button>
        <Button size="sm" variant="primary" onClick={() => { decide.mutate({ approval, status: "approved" }); }} disabled={decide.isPending} aria-label={`Approve ${label}`}>Approve</Button>
      </span>
    </li>
  );
}

/** On every page: the signed-in person's calls waiting for their confirmation (a tool an admin set to ask first). */
export function PendingApprovals() {
  const approvals = useApprovals();
  const pending = approvals.data?.pending ?? [];
  const heading = pending.length === 1 ? "A tool call is waiting for your approval" : `${pending.length} tool calls are waiting for your approval`;
  return (
    <>
      {/* Always there, and saying only how many wait: a screen reader hears a call start waiting, not the list again on every refresh. */}
      <p aria-live="polite" className="sr-only">{pending.length > 0 ? heading : ""}</p>
      {pending.length > 0 && (
        <section aria-labelledby="pending-approvals-heading" className="mb-6 rounded-xl border border-amber-300 bg-amber-50 p-4 text-sm dark:border-amber-800 dark:bg-amber-950">
          <h2 id="pending-approvals-heading" className="font-semibold">{heading}</h2>
          <p className="text-xs text-muted">An admin set these tools to ask first. Nothing runs until you approve; <Link href="/approvals" className="underline">all approvals</Link>.</p>
          <ul className="mt-3 space-y-3">
            {pending.map((approval) => <ApprovalItem key={approval.id} approval={approval} />)}
          </ul>
        </section>
      )}
    </>
  );
}
