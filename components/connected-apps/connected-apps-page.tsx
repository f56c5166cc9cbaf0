"use client";
import { useState } from "react";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { useConnectedApps, useRevokeConnectedApp, type ConnectedApp } from "@/lib/client/hooks";
import { relativeTime } from "@/lib/client/time";
import { tableFrameClass } from "@/components/ui/table-frame";
import { RowActions } from "@/components/ui/row-actions";
import { LoadError } from "@/components/ui/load-error";

export function ConnectedAppsPage({ canSeeEveryone }: { canSeeEveryone: boolean }) {
  const [scope, setScope] = useState<"mine" | "workspace">("mine");
  const apps = useConnectedApps(scope);
  const revoke = useRevokeConnectedApp();
  const [revoking, setRevoking] = useState<ConnectedApp | undefined>();
  const everyone = scope === "workspace";

  return (
    <section aria-labelledby="apps-heading">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 id="apps-heading" className="text-2xl font-semibold tracking-tight">Connected apps</h1>
          <p className="mt-1 max-w-2xl text-sm text-muted">
            MCP clients — agents, IDEs — authorised with OAuth to call this workspace&apos;s tools as {everyone ? "their user" : "you"}. Revoking one refuses its next call.
          </p>
        </div>
        {canSeeEveryone ? (
          <div role="group" aria-label="Whose apps" className="inline-flex rounded-md border border-zinc-300 p-0.5 text-sm dark:border-zinc-700">
            {(["mine", "workspace"] as const).map((option) => (
              <button
                key={option}
                type="button"
                aria-pressed={scope === option}
                onClick={() => { setScope(option); }}
                className={`rounded px-3 py-1 ${scope === option ? "bg-zinc-900 text-white dark:bg-zinc-100 dark:text-zinc-900" : "text-zinc-600 dark:text-zinc-300"}`}
              >
                {option === "mine" ? "Mine" : "Everyone"}
              </button>
            ))}
          </div>
        ) : null}
      </div>

      <div className="mt-6">
        {apps.isError && apps.data && <LoadError banner what="connected apps" error={apps.error} retry={() => void apps.refetch()} />}
      </div>
      <div className={tableFrameClass}>
        {apps.isPending ? (
          <p role="status" className="p-8 text-center text-sm text-muted">Loading connected apps…</p>
        ) : !apps.data ? (
          <LoadError what="connected apps" error={apps.error} retry={() => void apps.refetch()} />
        ) : apps.data.data.length === 0 ? (
          <p className="p-10 text-center text-sm text-muted">
            No apps yet. Point an MCP client at this console&apos;s <code className="font-mono">/mcp</code> endpoint; it will ask you to authorise it here.
          </p>
        ) : (
          <table className="w-full text-left text-sm">
            <thead className="bg-zinc-50 text-xs uppercase tracking-wide text-muted dark:bg-zinc-900">
              <tr>
                <th scope="col" className="px-4 py-2.5 font-medium">App</th>
                {everyone ? <th scope="col" className="px-4 py-2.5 font-medium">User</th> : null}
                <th scope="col" className="px-4 py-2.5 font-medium">Returns to</th>
                <th scope="col" className="px-4 py-2.5 font-medium">Last used</th>
                <th scope="col" className="px-4 py-2.5 font-medium">Authorised</th>
                <th scope="col" className="px-4 py-2.5"><span className="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-200 dark:divide-zinc-800">
              {apps.data.data.map((app) => (
                <tr key={app.id}>
                  <td className="px-4 py-3">
                    <span className="font-medium">{app.client_name}</span>
                    <span className="block max-w-xs truncate font-mono text-xs text-muted" title={app.client_id}>{app.client_id}</span>
                  </td>
                  {everyone ? <td className="px-4 py-3 text-muted">{app.user.email}</td> : null}
                  <td className="px-4 py-3 text-xs text-muted">
                    {app.source === "enterprise_idp" ? (
                      <span className="inline-flex rounded-full bg-indigo-50 px-2 py-0.5 font-medium text-indigo-800 dark:bg-indigo-950 dark:text-indigo-200" title="Authorised by your identity provider (an ID-JAG), with no consent screen">
                        Enterprise IdP
                      </span>
                    ) : (
                      <span className="font-mono">{app.redirect_host}</span>
                    )}
                  </td>
                  <td className="px-4 py-3 text-muted">{app.last_used_at ? relativeTime(app.last_used_at) : "Never"}</td>
                  <td className="px-4 py-3 text-muted">{relativeTime(app.created_at)}</td>
                  <td className="px-4 py-3 text-right">
                    <RowActions subject={app.client_name} actions={[{ label: "Revoke", destructive: true, onSelect: () => { setRevoking(app); } }]} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>

      <ConfirmDialog
        open={Boolean(revoking)}
        onOpenChange={(open) => {
          if (!open) setRevoking(undefined);
        }}
        title={`Revoke ${revoking?.client_name ?? "app"}?`}
        description={
          revoking?.source === "enterprise_idp"
            ? "Its tokens stop working now. It was authorised by your identity provider: while the workspace's enterprise-managed authorization allows it, it can get a new token from the provider."
            : "Its tokens stop working now; to use it again, its user must authorise it again."
        }
        confirmLabel="Revoke app"
        onConfirm={() => {
          if (revoking) revoke.mutate(revoking);
        }}
      />
    </section>
  );
}
