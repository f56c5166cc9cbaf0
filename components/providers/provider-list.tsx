"use client";
import Link from "next/link";
import { useDeferredValue, useState } from "react";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Input } from "@/components/ui/field";
import { DiscoveryStatus } from "@/components/providers/discovery-status";
import { ForwardingBadge, ForwardingToggle } from "@/components/providers/forwarding";
import dynamic from "next/dynamic";
import { ProviderIcon } from "@/components/providers/provider-icon";
import { useDeleteProvider, useFeatures, useProviders, useToggleForwarding } from "@/lib/client/hooks";
import { canManageProviders } from "@/lib/auth/roles";
import type { Provider } from "@/lib/providers/schemas";
import { relativeTime } from "@/lib/client/time";
import { tableFrameClass } from "@/components/ui/table-frame";
import { RowActions } from "@/components/ui/row-actions";
import { LoadError } from "@/components/ui/load-error";

// The dialog carries the form, its schemas and validation: load it when it is first opened.
const ProviderDialog = dynamic(() => import("@/components/providers/provider-dialog").then((module) => module.ProviderDialog), { ssr: false });

export function ProviderList() {
  const [search, setSearch] = useState("");
  const q = useDeferredValue(search.trim());
  const features = useFeatures();
  // Where this page starts, and where the pages before it started; a new search starts at its first page.
  const [at, setAt] = useState("");
  const [earlier, setEarlier] = useState<string[]>([]);
  const [pagedFor, setPagedFor] = useState(q);
  if (pagedFor !== q) {
    setPagedFor(q);
    setAt("");
    setEarlier([]);
  }
  const providers = useProviders(q, at);
  const remove = useDeleteProvider();
  const toggleForwarding = useToggleForwarding();
  const [editing, setEditing] = useState<Provider | undefined>();
  const [dialogOpen, setDialogOpen] = useState(false);
  const [deleting, setDeleting] = useState<Provider | undefined>();

  const canManage = features.data ? canManageProviders(features.data.role) : false;
  const showForwarding = features.data?.enterprise_enabled ?? false;

  function openCreate() {
    setEditing(undefined);
    setDialogOpen(true);
  }

  return (
    <section aria-labelledby="providers-heading">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 id="providers-heading" className="text-2xl font-semibold tracking-tight">
            MCP providers
          </h1>
          <p className="mt-1 text-sm text-muted">The MCP servers your workspace&apos;s agents may call.</p>
          {features.data && !canManage && (
            <p className="mt-1 text-sm text-muted">
              You are a <strong className="font-medium">{features.data.role}</strong> here: admins add, change and remove providers and turn forwarding on or off. Ask an admin if you need one.
            </p>
          )}
        </div>
        {canManage && (
          <Button variant="primary" onClick={openCreate}>
            + Add provider
          </Button>
        )}
      </div>

      <div className="mt-6">
        <Input type="search" value={search} onChange={(event) => { setSearch(event.target.value); }} placeholder="Search by name or identifier" aria-label="Search providers" className="max-w-sm" />
      </div>

      <div className="mt-4">
        {providers.isError && providers.data && <LoadError banner what="providers" error={providers.error} retry={() => void providers.refetch()} />}
      </div>
      <div className={tableFrameClass}>
        {providers.isPending || features.isPending ? (
          <p className="p-8 text-center text-sm text-muted" role="status">
            Loading providers…
          </p>
        ) : !providers.data || features.isError ? (
          <LoadError what="providers" error={providers.error ?? features.error} retry={() => { void providers.refetch(); void features.refetch(); }} />
        ) : providers.data.data.length === 0 && earlier.length > 0 ? (
          // Its last rows were deleted: the providers are on the pages before.
          <div className="flex flex-col items-center gap-3 p-10 text-center text-sm text-muted">
            No providers left on this page.
            <Button size="sm" onClick={() => { setAt(""); setEarlier([]); }}>Back to the first page</Button>
          </div>
        ) : providers.data.data.length === 0 ? (
          <EmptyState searching={Boolean(q)} canManage={canManage} onAdd={openCreate} />
        ) : (
          <table className="w-full text-left text-sm">
            <thead className="bg-zinc-50 text-xs uppercase tracking-wide text-muted dark:bg-zinc-900">
              <tr>
                <th scope="col" className="px-3 sm:px-4 py-2.5 font-medium">Provider</th>
                <th scope="col" className="hidden px-3 sm:px-4 py-2.5 font-medium md:table-cell">Server</th>
                <th scope="col" className="px-3 sm:px-4 py-2.5 font-medium">Tools</th>
                {showForwarding && <th scope="col" className="hidden px-3 sm:px-4 py-2.5 font-medium sm:table-cell">User identity</th>}
                <th scope="col" className="hidden px-3 sm:px-4 py-2.5 font-medium sm:table-cell">Updated</th>
                {canManage && <th scope="col" className="px-3 sm:px-4 py-2.5"><span className="sr-only">Actions</span></th>}
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-200 dark:divide-zinc-800">
              {providers.data.data.map((provider) => (
                <tr key={provider.id} data-testid={`provider-row-${provider.server_identifier}`} className="hover:bg-zinc-50/60 dark:hover:bg-zinc-900/60">
                  <td className="px-3 sm:px-4 py-3">
                    <div className="flex items-center gap-3">
                      <ProviderIcon provider={provider} />
                      <div className="min-w-0">
                        <div className="flex items-center gap-2">
                          <Link href={`/settings/providers/${provider.id}`} className="font-medium hover:underline">
                            {provider.name}
                          </Link>
                          <ForwardingBadge provider={provider} />
                        </div>
                        <div className="font-mono text-xs text-muted">{provider.server_identifier}</div>
                      </div>
                    </div>
                  </td>
                  <td className="hidden max-w-[16rem] truncate px-3 sm:px-4 py-3 font-mono text-xs text-muted md:table-cell">{provider.server_url}</td>
                  <td className="px-3 sm:px-4 py-3">
                    <DiscoveryStatus provider={provider} />
                  </td>
                  {showForwarding && (
                    <td className="hidden px-3 sm:px-4 py-3 sm:table-cell">
                      <ForwardingToggle provider={provider} disabled={!canManage} />
                    </td>
                  )}
                  <td className="hidden px-3 sm:px-4 py-3 text-muted sm:table-cell">
                    <time dateTime={provider.updated_at} title={new Date(provider.updated_at).toLocaleString()}>
                      {relativeTime(provider.updated_at)}
                    </time>
                  </td>
                  {canManage && (
                    <td className="px-3 sm:px-4 py-3 text-right">
                      <RowActions
                        subject={provider.name}
                        actions={[
                          { label: "Edit", onSelect: () => { setEditing(provider); setDialogOpen(true); } },
                          ...(showForwarding ? [{ label: provider.identity_mode === "off" ? "Turn identity forwarding on" : "Turn identity forwarding off", phoneOnly: true, onSelect: () => { toggleForwarding.mutate({ provider, on: provider.identity_mode === "off" }); } }] : []),
                          { label: "Delete", destructive: true, onSelect: () => { setDeleting(provider); } },
                        ]}
                      />
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>

      {providers.data && (earlier.length > 0 || providers.data.next_cursor) && (
        <nav aria-label="Pages of providers" className="mt-3 flex items-center justify-between gap-3 text-sm">
          <span className="text-muted" aria-live="polite">
            Page {earlier.length + 1}{providers.isPlaceholderData ? " · loading…" : ""}
          </span>
          <span className="flex gap-2">
            <Button
              size="sm"
              disabled={earlier.length === 0 || providers.isPlaceholderData}
              onClick={() => {
                setAt(earlier[earlier.length - 1] ?? "");
                setEarlier(earlier.slice(0, -1));
              }}
            >
              Previous
            </Button>
            <Button
              size="sm"
              disabled={!providers.data.next_cursor || providers.isPlaceholderData}
              onClick={() => {
                const next = providers.data.next_cursor;
                if (!next) return;
                setEarlier([...earlier, at]);
                setAt(next);
              }}
            >
              Next
            </Button>
          </span>
        </nav>
      )}

      {canManage && <ProviderDialog open={dialogOpen} onOpenChange={setDialogOpen} provider={editing} showForwarding={showForwarding} />}
      <ConfirmDialog
        open={Boolean(deleting)}
        onOpenChange={(open) => {
          if (!open) setDeleting(undefined);
        }}
        title={`Delete ${deleting?.name ?? "provider"}?`}
        description="Agents will no longer be able to call its tools. This can't be undone."
        confirmLabel="Delete provider"
        onConfirm={() => {
          if (deleting) remove.mutate(deleting);
        }}
      />
    </section>
  );
}

function EmptyState({ searching, canManage, onAdd }: { searching: boolean; canManage: boolean; onAdd: () => void }) {
  if (searching) return <p className="p-10 text-center text-sm text-muted">No provider matches your search.</p>;
  return (
    <div className="flex flex-col items-center gap-3 p-12 text-center">
      <span aria-hidden className="text-4xl">🔌</span>
      <h2 className="text-base font-medium">No MCP providers yet</h2>
      <p className="max-w-sm text-sm text-muted">
        {canManage ? "Add the MCP servers your agents should be able to call." : "An admin of this workspace can add MCP servers here."}
      </p>
      {canManage && (
        <Button variant="primary" onClick={onAdd}>
          + Add your first provider
        </Button>
      )}
    </div>
  );
}
