"use client";
import { useState } from "react";
import { copyText } from "@/lib/client/clipboard";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Dialog } from "@/components/ui/dialog";
import { Field, fieldAria, Input } from "@/components/ui/field";
import { ApiClientError, errorMessage } from "@/lib/client/api";
import { useApiTokens, useCreateApiToken, useRevokeApiToken, useWorkspaces, type ApiToken } from "@/lib/client/hooks";
import { relativeTime } from "@/lib/client/time";
import { tableFrameClass } from "@/components/ui/table-frame";
import { RowActions } from "@/components/ui/row-actions";

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

      <div className={`mt-6 ${tableFrameClass}`}>
        {tokens.isPending ? (
          <p role="status" className="p-8 text-center text-sm text-muted">Loading tokens…</p>
        ) : tokens.isError ? (
          <p role="alert" className="p-8 text-center text-sm text-red-600">Couldn&apos;t load tokens: {errorMessage(tokens.error)}</p>
        ) : tokens.data.data.length === 0 ? (
          <p className="p-10 text-center text-sm text-muted">No tokens yet. Create one to call the API from scripts and CI.</p>
        ) : (
          <table className="w-full text-left text-sm">
            <thead className="bg-zinc-50 text-xs uppercase tracking-wide text-muted dark:bg-zinc-900">
              <tr>
                <th scope="col" className="px-4 py-2.5 font-medium">Name</th>
                <th scope="col" className="hidden px-4 py-2.5 font-medium sm:table-cell">Token</th>
                <th scope="col" className="px-4 py-2.5 font-medium">Last used</th>
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

function CreateTokenDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const create = useCreateApiToken();
  const [name, setName] = useState("");
  const [error, setError] = useState("");
  const [secret, setSecret] = useState("");

  function close(next: boolean) {
    if (next) return;
    onOpenChange(false);
    setName("");
    setError("");
    setSecret("");
    create.reset();
  }

  async function submit(event: React.SyntheticEvent<HTMLFormElement>) {
    event.preventDefault();
    setError("");
    try {
      const token = await create.mutateAsync(name);
      setSecret(token.token);
    } catch (failure) {
      setError(failure instanceof ApiClientError ? (failure.errors[0]?.message ?? failure.detail) : errorMessage(failure));
    }
  }

  return (
    <Dialog open={open} onOpenChange={close} title={secret ? "Copy your new token" : "Create API token"} locked={create.isPending}>
      {secret ? (
        <div className="space-y-4">
          <p className="text-sm text-zinc-600 dark:text-zinc-400">This is the only time the token is shown. Store it somewhere safe.</p>
          <div className="flex gap-2">
            <Input readOnly value={secret} aria-label="New API token" className="font-mono text-xs" onFocus={(event) => { event.currentTarget.select(); }} />
            <Button
              onClick={() => void copyText(secret, "Token")}
            >
              Copy
            </Button>
          </div>
          <div className="flex justify-end">
            <Button variant="primary" onClick={() => { close(false); }}>
              Done
            </Button>
          </div>
        </div>
      ) : (
        <form onSubmit={(event) => void submit(event)} noValidate>
          <fieldset disabled={create.isPending} className="space-y-4">
            <Field id="token-name" label="Name" error={error} hint="What will use it, e.g. “CI deploy”">
              <Input {...fieldAria("token-name", error, "hint")} value={name} onChange={(event) => { setName(event.target.value); }} maxLength={80} autoFocus />
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
