"use client";
import { ApprovalItem } from "@/components/approvals/pending-approvals";
import { LoadError } from "@/components/ui/load-error";
import { useApprovals } from "@/lib/client/hooks";
import { relativeTime } from "@/lib/client/time";

const STATUS: Record<string, string> = { approved: "Approved", declined: "Declined", timed_out: "Not decided in time", cancelled: "Abandoned by the caller", pending: "Waiting" };

/** Your calls of tools that ask first: those waiting, and what became of the latest. */
export function ApprovalsPage() {
  const approvals = useApprovals();
  if (approvals.isError) return <LoadError what="your approvals" error={approvals.error} retry={() => void approvals.refetch()} />;
  const { pending = [], recent = [] } = approvals.data ?? {};
  return (
    <div className="space-y-8">
      <header>
        <h1 className="text-2xl font-semibold">Approvals</h1>
        <p className="mt-1 text-sm text-muted">
          Calls you made of tools an admin set to ask first, where your MCP client couldn&apos;t ask you — or through the REST API or Try it. They run only once you approve them here.
        </p>
      </header>
      <section aria-labelledby="waiting-heading">
        <h2 id="waiting-heading" className="text-lg font-semibold">Waiting</h2>
        {approvals.isPending ? (
          <p className="mt-2 text-sm text-muted">Loading…</p>
        ) : pending.length === 0 ? (
          <p className="mt-2 text-sm text-muted">Nothing is waiting for you.</p>
        ) : (
          <ul className="mt-3 space-y-3 rounded-xl border border-amber-300 bg-amber-50 p-4 text-sm dark:border-amber-800 dark:bg-amber-950">
            {pending.map((approval) => <ApprovalItem key={approval.id} approval={approval} />)}
          </ul>
        )}
      </section>
      <section aria-labelledby="recent-heading">
        <h2 id="recent-heading" className="text-lg font-semibold">Recent</h2>
        {recent.length === 0 ? (
          <p className="mt-2 text-sm text-muted">No decisions yet.</p>
        ) : (
          <ul className="mt-3 divide-y divide-zinc-200 rounded-xl border border-zinc-200 text-sm dark:divide-zinc-800 dark:border-zinc-800">
            {recent.map((approval) => (
              <li key={approval.id} className="flex flex-wrap items-baseline justify-between gap-2 p-3">
                <span className="min-w-0 break-all"><span className="font-mono">{approval.tool}</span> on {approval.provider.name}</span>
                <span className="text-muted">{STATUS[approval.status] ?? approval.status} · {relativeTime(approval.decided_at ?? approval.created_at)}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
