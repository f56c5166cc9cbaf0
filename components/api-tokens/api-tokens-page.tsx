"use client";
import { useState } from "react";
import { copyText } from "@/lib/client/clipboard";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Dialog } from "@/components/ui/dialog";
import { Field, fieldAria, Input, inputClass } from "@/components/ui/field";
import { API_TOKEN_MAX_DAYS, API_TOKEN_NAME_MAX } from "@/lib/auth/api-token-schemas";
import { ApiClientError, errorMessage } from "@/lib/client/api";
import { useApiTokens, useCreateApiToken, useRevokeApiToken, useWorkspaces, type ApiToken } from "@/lib/client/hooks";
import { relativeTime } from "@/lib/client/time";
import { tableFrameClass } from "@/components/ui/table-frame";
import { RowActions } from "@/components/ui/row-actions";
import { LoadError } from "@/components/ui/load-error";

export function ApiTokensPage() {
  const tokens = useApiTokens();
  const workspace = useWorkspaces().data?.data.find((w) => w.current)?.name;
  const revoke = useRevokeApiToken();
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<ApiToken | undefined>();

  return (
    <section aria-labelledby="tokens-heading">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 id="tokens-heading" className="text-2xl font-semibold tracking-tight">API tokens</h1>
          <p className="mt-1 text-sm text-muted">
            Personal tokens for the <a href="/api-reference" className="underline">REST API</a> and the MCP gateway. They act as you, with your role, in the workspace they were made in
            {workspace ? <> — <strong className="font-medium">{workspace}</strong></> : ""}.
          </p>
        </div>
        <Button variant="primary" onClick={() => { setCreating(true); }}>
          + Create token
        </Button>
      </div>

      <div className="mt-6">
        {tokens.isError && tokens.data && <LoadError banner what="your tokens" error={tokens.error} retry={() => void tokens.refetch()} />}
      </div>
      <div className={tableFrameClass}>
        {tokens.isPending ? (
          <p role="status" className="p-8 text-center text-sm text-muted">Loading tokens…</p>
        ) : !tokens.data ? (
          <LoadError what="your tokens" error={tokens.error} retry={() => void tokens.refetch()} />
        ) : tokens.data.data.length === 0 ? (
          <p className="p-10 text-center text-sm text-muted">No tokens yet. Create one to call the API from scripts and CI.</p>
        ) : (
          <table className="w-full text-left text-sm">
            <thead className="bg-zinc-50 text-xs uppercase tracking-wide text-muted dark:bg-zinc-900">
              <tr>
                <th scope="col" className="px-4 py-2.5 font-medium">Name</th>
                <th scope="col" className="hidden px-4 py-2.5 font-medium sm:table-cell">Token</th>
                <th scope="col" className="px-4 py-2.5 font-medium">Last used</th>
                <th scope="col" className="hidden px-4 py-2.5 font-medium sm:table-cell">Expires</th>
                <th scope="col" className="hidden px-4 py-2.5 font-medium sm:table-cell">Created</th>
                <th scope="col" className="px-4 py-2.5"><span className="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-200 dark:divide-zinc-800">
              {tokens.data.data.map((token) => (
                <tr key={token.id}>
                  <td className="px-4 py-3 font-medium">{token.name}</td>
                  <td className="hidden px-4 py-3 font-mono text-xs text-muted sm:table-cell">{token.prefix}…</td>
                  <td className="px-4 py-3 text-muted">{token.last_used_at ? relativeTime(token.last_used_at) : "Never"}</td>
                  <td className="hidden px-4 py-3 sm:table-cell">{expiryText(token.expires_at)}</td>
                  <td className="hidden px-4 py-3 text-muted sm:table-cell">{relativeTime(token.created_at)}</td>
                  <td className="px-4 py-3 text-right">
                    <RowActions subject={token.name} actions={[{ label: "Revoke", destructive: true, onSelect: () => { setRevoking(token); } }]} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>

      <CreateTokenDialog open={creating} onOpenChange={setCreating} />
      <ConfirmDialog
        open={Boolean(revoking)}
        onOpenChange={(open) => {
          if (!open) setRevoking(undefined);
        }}
        title={`Revoke ${revoking?.name ?? "token"}?`}
        description="Scripts using it will get 401 from now on. This can't be undone."
        confirmLabel="Revoke token"
        onConfirm={() => {
          if (revoking) revoke.mutate(revoking);
        }}
      />
    </section>
  );
}

function expiryText(expiresAt: string | null) {
  if (!expiresAt) return <span className="text-muted">Never</span>;
  if (Date.parse(expiresAt) <= Date.now()) return <span className="font-medium text-red-600 dark:text-red-400">Expired</span>;
  return <time dateTime={expiresAt} title={new Date(expiresAt).toLocaleString()} className="text-muted">{relativeTime(expiresAt)}</time>;
}

const EXPIRY_CHOICES: [string, string][] = [
  ["", "Never (until revoked)"],
  ["7", "In 7 days"],
  ["30", "In 30 days"],
  ["90", "In 90 days"],
  [String(API_TOKEN_MAX_DAYS), "In a year"],
];

function CreateTokenDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const create = useCreateApiToken();
  const [name, setName] = useState("");
  const [expiry, setExpiry] = useState("");
  const [error, setError] = useState("");
  const [created, setCreated] = useState<{ token: string; expires_at: string | null } | undefined>();

  function close(next: boolean) {
    if (next) return;
    onOpenChange(false);
    setName("");
    setExpiry("");
    setError("");
    setCreated(undefined);
    create.reset();
  }

  async function submit(event: React.SyntheticEvent<HTMLFormElement>) {
    event.preventDefault();
    setError("");
    if (!name.trim()) {
      setError("Name the token after what will use it");
      return;
    }
    try {
      setCreated(await create.mutateAsync({ name, ...(expiry ? { expires_in_days: Number(expiry) } : {}) }));
    } catch (failure) {
      setError(failure instanceof ApiClientError ? (failure.errors[0]?.message ?? failure.detail) : errorMessage(failure));
    }
  }

  // The secret is shown once: only "I've copied it" closes it, not a stray Escape or click outside.
  return (
    <Dialog open={open} onOpenChange={close} title={created ? "Copy your new token" : "Create API token"} locked={create.isPending || Boolean(created)} isDirty={() => !created && name.trim() !== ""}>
      {created ? (
        <div className="space-y-4">
          <p className="text-sm text-zinc-600 dark:text-zinc-400">
            This is the only time the token is shown. Store it somewhere safe{created.expires_at ? `; it stops working ${new Date(created.expires_at).toLocaleDateString()}` : ""}.
          </p>
          <div className="flex gap-2">
            <Input readOnly value={created.token} aria-label="New API token" className="font-mono text-xs" onFocus={(event) => { event.currentTarget.select(); }} />
            <Button autoFocus onClick={() => void copyText(created.token, "Token")}>
              Copy
            </Button>
          </div>
          <div className="space-y-1">
            <p className="text-xs font-medium text-muted">Try it</p>
            <pre className="whitespace-pre-wrap break-all rounded-md bg-zinc-50 p-3 font-mono text-xs dark:bg-zinc-950">{`curl -H "Authorization: Bearer ${created.token}" \\\n  ${window.location.origin}/api/v1/mcp-providers`}</pre>
          </div>
          <div className="flex justify-end">
            <Button variant="primary" onClick={() => { close(false); }}>
              I&apos;ve copied it
            </Button>
          </div>
        </div>
      ) : (
        <form onSubmit={(event) => void submit(event)} noValidate>
          <fieldset disabled={create.isPending} className="space-y-4">
            <Field id="token-name" label="Name" required error={error} hint="What will use it, e.g. “CI deploy”">
              <Input {...fieldAria("token-name", error, "hint", true)} value={name} onChange={(event) => { setName(event.target.value); }} maxLength={API_TOKEN_NAME_MAX} autoFocus autoComplete="off" />
            </Field>
            <Field id="token-expiry" label="Expires">
              <select id="token-expiry" value={expiry} onChange={(event) => { setExpiry(event.target.value); }} className={inputClass}>
                {EXPIRY_CHOICES.map(([value, label]) => <option key={value} value={value}>{label}</option>)}
              </select>
            </Field>
            <div className="flex justify-end gap-2">
              <Button onClick={() => { close(false); }}>Cancel</Button>
              <Button type="submit" variant="primary">
                {create.isPending ? "Creating…" : "Create token"}
              </Button>
            </div>
          </fieldset>
        </form>
      )}
    </Dialog>
  );
}
