"use client";
import { useState } from "react";
import { Button, buttonClass } from "@/components/ui/button";
import { inputClass } from "@/components/ui/field";
import { canManageProviders } from "@/lib/auth/roles";
import { useFeatures, useProviders, useToolCalls, type ToolCallEntry, type ToolCallFilters } from "@/lib/client/hooks";
import { relativeTime } from "@/lib/client/time";
import { tableFrameClass } from "@/components/ui/table-frame";
import { LoadError } from "@/components/ui/load-error";
import { ActivityCharts } from "@/components/activity/activity-charts";
import { identityLabel } from "@/components/activity/identity-labels";

const VIA_LABELS: Record<ToolCallEntry["via"], string> = { gateway: "MCP client", api: "API", console: "Try it" };

const DECIDED: Record<string, string> = { approved: "Approved", declined: "Declined", timed_out: "Not confirmed in time", cancelled: "Dismissed", asked: "Asked" };

/** How a call of an ask-first tool was confirmed: "Approved in the MCP client", "Declined in the console", … */
function approvalText(approval: string): string {
  const [decision = "", channel = ""] = approval.split(":");
  return `${DECIDED[decision] ?? decision} ${channel === "console" ? "in the console" : "in the MCP client"}`;
}

function Outcome({ outcome }: { outcome: string }) {
  const tone = outcome === "ok" ? "bg-emerald-100 text-emerald-800 dark:bg-emerald-900 dark:text-emerald-200" : outcome === "tool_error" ? "bg-amber-100 text-amber-900 dark:bg-amber-900 dark:text-amber-100" : "bg-red-100 text-red-800 dark:bg-red-900 dark:text-red-100";
  const label = outcome === "ok" ? "OK" : outcome === "tool_error" ? "Tool error" : outcome.replaceAll("_", " ");
  return <span className={`rounded px-1.5 py-0.5 text-xs font-medium ${tone}`}>{label}</span>;
}

/** The download's filters: the ones on screen. */
function exportQuery(filters: ToolCallFilters): string {
  const query = new URLSearchParams(Object.entries(filters).filter((entry): entry is [string, string] => Boolean(entry[1]))).toString();
  return query ? `?${query}` : "";
}

export function ActivityPage({ userId }: { userId: string }) {
  const features = useFeatures();
  const admin = features.data ? canManageProviders(features.data.role) : false;
  const providers = useProviders("");
  const [provider, setProvider] = useState("");
  const [outcome, setOutcome] = useState("");
  const [onlyMine, setOnlyMine] = useState(false);
  const filters: ToolCallFilters = { ...(provider ? { provider } : {}), ...(outcome ? { outcome } : {}), ...(admin && onlyMine ? { user: userId } : {}) };
  const calls = useToolCalls(filters);
  const rows = calls.data?.pages.flatMap((page) => page.data) ?? [];

  return (
    <section aria-labelledby="activity-heading" className="space-y-6">
      <div>
        <h1 id="activity-heading" className="text-2xl font-semibold tracking-tight">Activity</h1>
        <p className="mt-1 text-sm text-muted">
          {admin ? "Every tool call in this workspace" : "Your tool calls"} — from MCP clients, the API and Try it. Arguments and results are kept only where an admin turned recording on for the provider.
        </p>
      </div>
      <div className="flex flex-wrap items-end gap-3">
        <label className="text-sm">
          <span className="mb-1 block font-medium">Provider</span>
          <select className={inputClass} value={provider} onChange={(event) => { setProvider(event.target.value); }}>
            <option value="">All providers</option>
            {providers.data?.data.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
          </select>
        </label>
        <label className="text-sm">
          <span className="mb-1 block font-medium">Outcome</span>
          <select className={inputClass} value={outcome} onChange={(event) => { setOutcome(event.target.value); }}>
            <option value="">Any outcome</option>
            <option value="ok">OK</option>
            <option value="error">Failed or tool error</option>
          </select>
        </label>
        {admin && (
          <label className="flex items-center gap-2 pb-2 text-sm">
            <input type="checkbox" checked={onlyMine} onChange={(event) => { setOnlyMine(event.target.checked); }} /> Only my calls
          </label>
        )}
        {admin && (
          // A plain link: the browser streams the download to disk, however long the log is.
          <a className={`${buttonClass()} sm:ml-auto`} href={`/api/v1/tool-calls/export${exportQuery(filters)}`} download>
            Export JSON Lines
          </a>
        )}
      </div>
      <ActivityCharts provider={provider || undefined} user={admin && onlyMine ? userId : undefined} />
      <h2 className="text-lg font-semibold">Calls</h2>
      {/* Focusable: on a phone the table may scroll sideways, and keyboards must be able to scroll it. */}
      <div className={tableFrameClass} tabIndex={0} role="region" aria-label="Tool calls">
        {calls.isPending ? (
          <p role="status" className="p-8 text-center text-sm text-muted">Loading activity…</p>
        ) : calls.isError && rows.length === 0 ? (
          <LoadError what="the activity" error={calls.error} retry={() => void calls.refetch()} />
        ) : rows.length === 0 ? (
          <p className="p-10 text-center text-sm text-muted">No tool calls yet{provider || outcome ? " that match these filters" : ""}. Calls from MCP clients, the API and Try it show up here.</p>
        ) : (
          <table className="w-full text-left text-sm">
            <thead className="bg-zinc-50 text-xs uppercase tracking-wide text-muted dark:bg-zinc-900">
              <tr>
                <th scope="col" className="px-4 py-2.5 font-medium">When</th>
                {admin && <th scope="col" className="px-4 py-2.5 font-medium">User</th>}
                <th scope="col" className="px-4 py-2.5 font-medium">Tool</th>
                <th scope="col" className="hidden px-4 py-2.5 font-medium sm:table-cell">From</th>
                <th scope="col" className="px-4 py-2.5 font-medium">Outcome</th>
                <th scope="col" className="hidden px-4 py-2.5 text-right font-medium sm:table-cell">Duration</th>
                <th scope="col" className="hidden px-4 py-2.5 font-medium sm:table-cell">Identity</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-200 dark:divide-zinc-800">
              {rows.map((row) => (
                <tr key={row.id}>
                  <td className="px-4 py-2.5 whitespace-nowrap text-muted" title={new Date(row.at).toLocaleString()}>{relativeTime(row.at)}</td>
                  {admin && <td className="px-4 py-2.5">{row.user.email}</td>}
                  <td className="px-4 py-2.5"><span className="text-muted">{row.provider.name} · </span><span className="font-mono text-xs">{row.tool}</span></td>
                  <td className="hidden px-4 py-2.5 text-muted sm:table-cell">{VIA_LABELS[row.via]}</td>
                  <td className="px-4 py-2.5">
                    <Outcome outcome={row.outcome} />
                    {row.approval && <span className="mt-1 block text-xs text-muted">{approvalText(row.approval)}</span>}
                  </td>
                  <td className="hidden px-4 py-2.5 text-right tabular-nums text-muted sm:table-cell">{row.duration_ms} ms</td>
                  <td className="hidden px-4 py-2.5 text-muted sm:table-cell">{identityLabel(row.identity)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      {calls.hasNextPage && (
        <Button onClick={() => void calls.fetchNextPage()} disabled={calls.isFetchingNextPage}>
          {calls.isFetchingNextPage ? "Loading…" : "Show older calls"}
        </Button>
      )}
    </section>
  );
}
