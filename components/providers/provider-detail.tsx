"use client";
import Link from "next/link";
import { signIn } from "next-auth/react";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { HealthPanel, providerHealth } from "@/components/providers/discovery-status";
import { ForwardingBadge, FORWARDING_EXPLANATION } from "@/components/providers/forwarding";
import { ConnectClient } from "@/components/providers/connect-client";
import { ConnectFromError, OAuthConnection } from "@/components/providers/oauth-connection";
import { ProviderIcon } from "@/components/providers/provider-icon";
import { Switch } from "@/components/ui/switch";
import { canManageProviders } from "@/lib/auth/roles";
import { inputClass } from "@/components/ui/field";
import { ApiClientError, errorMessage } from "@/lib/client/api";
import { useCallTool, useFeatures, useProvider, useProviderTools, useRefreshTools, useSetToolEnabled, useToolPolicySaving, type ProviderTool, type ToolResult } from "@/lib/client/hooks";
import type { Provider } from "@/lib/providers/schemas";
import { exampleArguments, validateArguments } from "@/lib/client/json-schema";
import { relativeTime } from "@/lib/client/time";

/** `connectFailure`: why a Connect that sent the browser here failed, as the callback signed it. */
export function ProviderDetail({ id, signedInWithSso, consoleUrl, connectFailure }: { id: string; signedInWithSso: boolean; consoleUrl: string; connectFailure?: string }) {
  const provider = useProvider(id);
  const tools = useProviderTools(id);
  const features = useFeatures();
  const refresh = useRefreshTools(id);

  if (provider.isPending) return <p role="status" className="text-sm text-muted">Loading provider…</p>;
  if (provider.isError) {
    return (
      <div role="alert" className="space-y-3">
        <p className="text-sm text-red-600">{provider.error instanceof ApiClientError && provider.error.status === 404 ? "This provider doesn't exist in your workspace." : errorMessage(provider.error)}</p>
        <Link href="/settings/providers" className="text-sm underline">Back to providers</Link>
      </div>
    );
  }
  const p = provider.data;
  return (
    <div className="space-y-8">
      <nav aria-label="Breadcrumb" className="text-sm text-muted">
        <Link href="/settings/providers" className="hover:underline">MCP providers</Link> / <span>{p.name}</span>
      </nav>
      <header className="flex flex-wrap items-start justify-between gap-4">
        <div className="flex items-center gap-4">
          <ProviderIcon provider={p} size={48} />
          <div>
            <h1 className="flex items-center gap-2 text-2xl font-semibold tracking-tight">
              {p.name} <ForwardingBadge provider={p} />
            </h1>
            <p className="font-mono text-xs text-muted">
              {p.server_identifier} · {p.server_url}
            </p>
          </div>
        </div>
        <Button onClick={() => { refresh.mutate(); }} disabled={refresh.isPending}>
          {refresh.isPending ? "Refreshing…" : "Refresh tools"}
        </Button>
      </header>

      {p.identity_forwarding_active && (
        <p className="rounded-lg border border-emerald-600/20 bg-emerald-50 p-3 text-sm text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200">
          {FORWARDING_EXPLANATION} Calls you make here run as you.
        </p>
      )}
      {!refresh.isError && <HealthPanel health={providerHealth(p)} title="Connection" />}
      {refresh.isError && <CallError error={refresh.error} provider={p} sso={features.data?.sso_enabled ?? false} signedInWithSso={signedInWithSso} />}

      {p.authentication && !p.identity_forwarding_active && <OAuthConnection provider={p} isAdmin={features.data ? canManageProviders(features.data.role) : false} failure={connectFailure} />}

      <ConnectClient consoleUrl={consoleUrl} serverIdentifier={p.server_identifier} />

      <section aria-labelledby="tools-heading" className="space-y-3">
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
              <ToolCard key={tool.name} provider={p} tool={tool} canManage={features.data ? canManageProviders(features.data.role) : false} sso={features.data?.sso_enabled ?? false} signedInWithSso={signedInWithSso} />
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}

function ToolCard({ provider, tool, canManage, sso, signedInWithSso }: { provider: Provider; tool: ProviderTool; canManage: boolean; sso: boolean; signedInWithSso: boolean }) {
  const providerId = provider.id;
  const setEnabled = useSetToolEnabled(provider);
  // One change at a time, until the provider is read again (the mutation waits for that refetch).
  const policySaving = useToolPolicySaving(provider.id);
  const [open, setOpen] = useState(false);
  const [text, setText] = useState(() => JSON.stringify(exampleArguments(tool.input_schema), null, 2));
  const [problems, setProblems] = useState<string[]>([]);
  const call = useCallTool(providerId);
  const editorId = `args-${tool.name}`;

  function run() {
    let args: unknown;
    try {
      args = JSON.parse(text || "{}");
    } catch {
      setProblems(["The arguments are not valid JSON."]);
      return;
    }
    const errors = validateArguments({ ...tool.input_schema, type: "object" }, args);
    setProblems(errors);
    if (errors.length === 0) call.mutate({ tool: tool.name, args: args as Record<string, unknown> });
  }

  return (
    <li className="rounded-xl border border-zinc-200 p-4 dark:border-zinc-800" aria-label={`Tool ${tool.name}`}>
      <div className="flex items-start justify-between gap-4">
        <div>
          <h3 className="font-mono text-sm font-semibold">{tool.name}</h3>
          {tool.title && tool.title !== tool.name && <p className="text-sm font-medium">{tool.title}</p>}
          {tool.description && <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">{tool.description}</p>}
        </div>
        <div className="flex shrink-0 items-center gap-3">
          {canManage ? (
            <label className="flex items-center gap-2 text-xs text-muted">
              <Switch checked={tool.enabled} disabled={policySaving} onCheckedChange={(enabled) => { setEnabled.mutate({ tool: tool.name, enabled }); }} label={`${tool.name} available to agents`} />
              {tool.enabled ? "Available" : "Off"}
            </label>
          ) : (
            !tool.enabled && <span className="rounded bg-zinc-100 px-1.5 py-0.5 text-xs text-zinc-600 dark:bg-zinc-800 dark:text-zinc-300">Turned off by an admin</span>
          )}
          <Button size="sm" onClick={() => { setOpen(!open); }} aria-expanded={open} aria-controls={`try-${tool.name}`} disabled={!tool.enabled}>
            {open ? "Close" : "Try it"}
          </Button>
        </div>
      </div>
      <details className="mt-2">
        <summary className="cursor-pointer text-xs text-muted">Input schema</summary>
        <pre className="mt-2 max-h-64 overflow-auto rounded-md bg-zinc-50 p-3 text-xs dark:bg-zinc-900">{JSON.stringify(tool.input_schema, null, 2)}</pre>
      </details>
      {open && (
        <div id={`try-${tool.name}`} className="mt-4 space-y-3">
          <label htmlFor={editorId} className="block text-sm font-medium">
            Arguments (JSON)
          </label>
          <textarea id={editorId} value={text} onChange={(event) => { setText(event.target.value); }} rows={Math.min(12, text.split("\n").length + 1)} spellCheck={false} className={`${inputClass} font-mono text-xs`} aria-invalid={problems.length > 0 || undefined} />
          {problems.length > 0 && (
            <ul role="alert" className="list-inside list-disc text-xs text-red-600 dark:text-red-400">
              {problems.map((problem) => <li key={problem}>{problem}</li>)}
            </ul>
          )}
          <Button variant="primary" onClick={run} disabled={call.isPending}>
            {call.isPending ? "Calling…" : `Call ${tool.name}`}
          </Button>
          {call.isError && <CallError error={call.error} provider={provider} sso={sso} signedInWithSso={signedInWithSso} />}
          {call.isSuccess && <ToolOutput result={call.data} />}
        </div>
      )}
    </li>
  );
}

function ToolOutput({ result }: { result: ToolResult }) {
  return (
    <section aria-label="Result" className={`rounded-lg border p-3 text-sm ${result.is_error ? "border-amber-500/40 bg-amber-50 dark:bg-amber-950" : "border-zinc-200 dark:border-zinc-800"}`}>
      <p className="mb-2 text-xs font-medium uppercase tracking-wide text-muted">{result.is_error ? "The tool reported an error" : "Result"}</p>
      {result.content.map((item, index) =>
        item.type === "text" ? (
          <pre key={index} data-testid="tool-result-text" className="whitespace-pre-wrap break-words font-mono text-xs">{String(item.text)}</pre>
        ) : item.type === "image" ? (
          // eslint-disable-next-line @next/next/no-img-element
          <img key={index} alt="Tool output" src={`data:${String(item.mimeType)};base64,${String(item.data)}`} className="max-h-64" />
        ) : (
          <pre key={index} className="overflow-auto font-mono text-xs">{JSON.stringify(item, null, 2)}</pre>
        ),
      )}
      {result.structured_content && (
        <details className="mt-2">
          <summary className="cursor-pointer text-xs text-muted">Structured content</summary>
          <pre className="mt-1 overflow-auto font-mono text-xs">{JSON.stringify(result.structured_content, null, 2)}</pre>
        </details>
      )}
    </section>
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
