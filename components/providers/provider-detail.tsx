"use client";
import dynamic from "next/dynamic";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { signIn } from "next-auth/react";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { ProviderHistory } from "@/components/providers/provider-history";
import { copyText } from "@/lib/client/clipboard";
import { HealthPanel, providerHealth } from "@/components/providers/discovery-status";
import { ForwardingBadge, FORWARDING_EXPLANATION } from "@/components/providers/forwarding";
import { ConnectClient } from "@/components/providers/connect-client";
import { TryIt } from "@/components/providers/try-it";
import { IdentityCheckPanel } from "@/components/providers/identity-check";
import { ConnectFromError, OAuthConnection } from "@/components/providers/oauth-connection";
import { ProviderIcon } from "@/components/providers/provider-icon";
import { ActivityRecording } from "@/components/providers/activity-recording";
import { ActivityCharts } from "@/components/activity/activity-charts";
import { canManageProviders } from "@/lib/auth/roles";
import { ApiClientError, errorMessage } from "@/lib/client/api";
import { useDeleteProvider, useFeatures, useProvider, useProviderTools, useRefreshTools, useSetToolRule, useToolPolicySaving, toolRuleOf, type ProviderTool, type ToolRule } from "@/lib/client/hooks";
import type { Provider } from "@/lib/providers/schemas";
import { relativeTime } from "@/lib/client/time";

// The edit dialog carries the form and its validation: loaded when first opened, as on the list.
const ProviderDialog = dynamic(() => import("@/components/providers/provider-dialog").then((module) => module.ProviderDialog), { ssr: false });

/** What a link to a provider that isn't there (deleted, another workspace's, mistyped) shows. */
export function ProviderNotFound() {
  return (
    <div className="space-y-3 py-10 text-center">
      <h1 className="text-xl font-semibold">Provider not found</h1>
      <p className="text-sm text-muted">It may have been deleted, or it belongs to a workspace other than the one you are in.</p>
      <Link href="/settings/providers" className="inline-block text-sm font-medium underline">Back to MCP providers</Link>
    </div>
  );
}

/** `connectFailure`: why a Connect that sent the browser here failed, as the callback signed it. */
export function ProviderDetail({ id, signedInWithSso, consoleUrl, connectFailure }: { id: string; signedInWithSso: boolean; consoleUrl: string; connectFailure?: string }) {
  const provider = useProvider(id);
  const tools = useProviderTools(id);
  const features = useFeatures();
  const refresh = useRefreshTools(id);
  const remove = useDeleteProvider();
  const router = useRouter();
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);

  if (provider.isPending) return <p role="status" className="text-sm text-muted">Loading provider…</p>;
  if (provider.isError && !provider.data) {
    if (provider.error instanceof ApiClientError && provider.error.status === 404) return <ProviderNotFound />;
    return (
      <div role="alert" className="space-y-3">
        <p className="text-sm text-red-600 dark:text-red-400">Couldn&apos;t load the provider: {errorMessage(provider.error)}</p>
        <Button size="sm" onClick={() => void provider.refetch()}>Retry</Button>
      </div>
    );
  }
  const p = provider.data;
  const canManage = features.data ? canManageProviders(features.data.role) : false;
  return (
    <div className="space-y-8">
      <nav aria-label="Breadcrumb" className="text-sm text-muted">
        <Link href="/settings/providers" className="hover:underline">MCP providers</Link> / <span>{p.name}</span>
      </nav>
      <header className="flex flex-wrap items-start justify-between gap-4">
        <div className="flex min-w-0 items-center gap-4">
          <ProviderIcon provider={p} size={48} />
          <div className="min-w-0">
            <h1 className="flex flex-wrap items-center gap-2 text-2xl font-semibold tracking-tight">
              {p.name} <ForwardingBadge provider={p} />
            </h1>
            <p className="flex flex-wrap items-center gap-x-2 font-mono text-xs text-muted">
              <span>{p.server_identifier}</span>
              <Button size="sm" variant="ghost" className="font-sans" aria-label={`Copy the identifier ${p.server_identifier}`} onClick={() => void copyText(p.server_identifier, "Identifier")}>
                Copy
              </Button>
              <span className="break-all">{p.server_url}</span>
            </p>
          </div>
        </div>
        <div className="flex flex-wrap gap-2">
          <Button onClick={() => { refresh.mutate(); }} disabled={refresh.isPending}>
            {refresh.isPending ? "Refreshing…" : "Refresh tools"}
          </Button>
          {canManage && <Button onClick={() => { setEditing(true); }}>Edit</Button>}
          {canManage && <Button className="text-red-600 dark:text-red-400" onClick={() => { setDeleting(true); }}>Delete</Button>}
        </div>
      </header>
      {canManage && <ProviderDialog open={editing} onOpenChange={setEditing} provider={p} showForwarding={features.data?.enterprise_enabled ?? false} />}
      <ConfirmDialog
        open={deleting}
        onOpenChange={setDeleting}
        title={`Delete ${p.name}?`}
        description="Agents will no longer be able to call its tools. This can't be undone."
        confirmLabel="Delete provider"
        onConfirm={() => { remove.mutate(p, { onSuccess: () => { router.replace("/settings/providers"); } }); }}
      />

      {p.identity_forwarding_active && (
        <p className="rounded-lg border border-emerald-600/20 bg-emerald-50 p-3 text-sm text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200">
          {FORWARDING_EXPLANATION} Calls you make here run as you.
        </p>
      )}
      {!refresh.isError && <HealthPanel health={providerHealth(p, "page")} title="Connection" />}
      {refresh.isError && <CallError error={refresh.error} provider={p} sso={features.data?.sso_enabled ?? false} signedInWithSso={signedInWithSso} />}

      {/* Only where identity forwarding exists and applies (SPEC §4): not rendered otherwise. */}
      {p.identity_forwarding_active && features.data?.enterprise_enabled && (
        <IdentityCheckPanel provider={p} isAdmin={canManage} sso={features.data.sso_enabled} signedInWithSso={signedInWithSso} />
      )}

      {p.authentication && !p.identity_forwarding_active && <OAuthConnection provider={p} isAdmin={features.data ? canManageProviders(features.data.role) : false} failure={connectFailure} />}

      <ConnectClient consoleUrl={consoleUrl} serverIdentifier={p.server_identifier} />

      <ActivityCharts provider={p.id} grouping="identity" heading={canManage ? "Activity" : "Your activity"} />

      <section aria-labelledby="tools-heading" className="space-y-3">
        {features.data && !canManage && (
          <p className="text-sm text-muted">You can try these tools as yourself. Turning a tool off for agents, or changing this provider, is for admins: ask one.</p>
        )}
        <div className="flex items-baseline justify-between">
          <h2 id="tools-heading" className="text-lg font-semibold">Tools</h2>
          <p className="text-xs text-muted">
            {tools.data?.view === "yours" ? "As the server showed them to you · " : ""}
            {tools.data?.fetched_at ? `Checked ${relativeTime(tools.data.fetched_at)}` : "Not checked yet"}
          </p>
        </div>
        {tools.isPending ? (
          <p role="status" className="text-sm text-muted">Loading tools…</p>
        ) : tools.isError ? (
          <p role="alert" className="text-sm text-red-600">{errorMessage(tools.error)}</p>
        ) : tools.data.data.length === 0 ? (
          <p className="rounded-lg border border-dashed border-zinc-300 p-8 text-center text-sm text-muted dark:border-zinc-700">
            {tools.data.fetched_at && !tools.data.authed ? "The server refused the credentials. Check the provider's headers, or your identity." : "No tools yet. Use Refresh tools to ask the server."}
          </p>
        ) : (
          <ul className="space-y-3">
            {tools.data.data.map((tool) => (
              <ToolCard key={tool.name} provider={p} tool={tool} canManage={canManage} sso={features.data?.sso_enabled ?? false} signedInWithSso={signedInWithSso} />
            ))}
          </ul>
        )}
      </section>

      {canManage && <ActivityRecording provider={p} />}
      {canManage && <ProviderHistory providerId={p.id} />}
    </div>
  );
}

function ToolCard({ provider, tool, canManage, sso, signedInWithSso }: { provider: Provider; tool: ProviderTool; canManage: boolean; sso: boolean; signedInWithSso: boolean }) {
  const setRule = useSetToolRule(provider);
  const rule = toolRuleOf(provider, tool.name);
  // One change at a time, until the provider is read again (the mutation waits for that refetch).
  const policySaving = useToolPolicySaving(provider.id);
  const [open, setOpen] = useState(false);

  return (
    <li className="rounded-xl border border-zinc-200 p-4 dark:border-zinc-800" aria-label={`Tool ${tool.name}`}>
      <div className="flex items-start justify-between gap-4">
        <div className="min-w-0">
          <h3 className="font-mono text-sm font-semibold">{tool.name}</h3>
          <p className="text-xs text-muted">
            Agents on <span className="font-mono">/mcp</span> call it <span className="break-all font-mono">{provider.server_identifier}__{tool.name}</span>
          </p>
          {tool.title && tool.title !== tool.name && <p className="text-sm font-medium">{tool.title}</p>}
          {tool.description && <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">{tool.description}</p>}
        </div>
        <div className="flex shrink-0 flex-wrap items-center justify-end gap-3">
          {canManage ? (
            <label className="flex items-center gap-2 text-xs text-muted">
              Policy
              <select
                value={rule}
                disabled={policySaving}
                onChange={(event) => { setRule.mutate({ tool: tool.name, rule: event.target.value as ToolRule }); }}
                aria-label={`Policy for ${tool.name}`}
                className="rounded-md border border-zinc-300 bg-white px-2 py-1 text-sm text-zinc-900 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100"
              >
                <option value="allow">Allowed</option>
                <option value="ask">Ask first</option>
                <option value="deny">Off</option>
              </select>
            </label>
          ) : (
            rule !== "allow" && <span className="rounded bg-zinc-100 px-1.5 py-0.5 text-xs text-zinc-600 dark:bg-zinc-800 dark:text-zinc-300">{rule === "deny" ? "Turned off by an admin" : "Asks you first"}</span>
          )}
          <Button size="sm" onClick={() => { setOpen(!open); }} aria-expanded={open} aria-controls={`try-${tool.name}`} disabled={!tool.enabled}>
            {open ? "Close" : "Try it"}
          </Button>
        </div>
      </div>
      <details className="mt-2">
        <summary className="cursor-pointer text-xs text-muted">Input schema</summary>
        <pre className="mt-2 max-h-64 overflow-y-auto whitespace-pre-wrap break-words rounded-md bg-zinc-50 p-3 text-xs dark:bg-zinc-900" tabIndex={0}>{JSON.stringify(tool.input_schema, null, 2)}</pre>
      </details>
      {rule === "ask" && <p className="mt-2 text-xs text-muted">Each call of this tool waits until its caller confirms it: in their MCP client when it can ask them, else under Approvals at the top of the console.</p>}
      {open && <TryIt providerId={provider.id} tool={tool} renderError={(error) => <CallError error={error} provider={provider} sso={sso} signedInWithSso={signedInWithSso} />} />}
    </li>
  );
}

/** The error, in words a user can act on; identity problems offer the SSO sign-in, a missing connection the Connect. */
function CallError({ error, provider, sso, signedInWithSso }: { error: unknown; provider: Provider; sso: boolean; signedInWithSso: boolean }) {
  const providerName = provider.name;
  const code = error instanceof ApiClientError ? error.code : "";
  const needsSso = code === "identity_required" || code === "identity_refused";
  const canConnect = code === "connection_required" && provider.authentication?.connection === "per_user";
  return (
    <div role="alert" className="rounded-lg border border-red-500/30 bg-red-50 p-3 text-sm text-red-800 dark:bg-red-950 dark:text-red-200">
      {/* The API names where to connect for agents; here the Connect button is that place. */}
      <p>{canConnect || code === "connection_required" ? errorMessage(error).replace(/:\s*https?:\/\/\S+$/, ".") : errorMessage(error)}</p>
      {needsSso && sso && (
        <Button size="sm" className="mt-2" onClick={() => void signIn("oidc", { callbackUrl: window.location.pathname })}>
          {signedInWithSso ? "Sign in with SSO again" : `Sign in with SSO to use ${providerName}`}
        </Button>
      )}
      {canConnect && <ConnectFromError provider={provider} />}
    </div>
  );
}
