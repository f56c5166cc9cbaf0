"use client";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Field, fieldAria, inputClass } from "@/components/ui/field";
import { LoadError } from "@/components/ui/load-error";
import { Switch } from "@/components/ui/switch";
import { ApiClientError, errorMessage } from "@/lib/client/api";
import { useUpdateWorkspaceSettings, useWorkspaceSettings, type WorkspaceSettings } from "@/lib/client/hooks";

/** Where the identity provider must send ID-JAGs: this console's issuer (their audience) and its MCP endpoint (their resource). */
export type IdJagTargets = { audience: string; resource: string };

export function WorkspaceSettingsPage({ enterprise, targets }: { enterprise: boolean; targets: IdJagTargets }) {
  const settings = useWorkspaceSettings();
  return (
    <section aria-labelledby="settings-heading" className="space-y-6">
      <div>
        <h1 id="settings-heading" className="text-2xl font-semibold tracking-tight">Workspace settings</h1>
        {!enterprise && <p className="mt-1 text-sm text-muted">Nothing to set here: this deployment has enterprise features off.</p>}
      </div>
      {!enterprise ? null : settings.isPending ? (
        <p role="status" className="text-sm text-muted">Loading settings…</p>
      ) : !settings.data ? (
        <LoadError what="settings" error={settings.error} retry={() => void settings.refetch()} />
      ) : (
        // Keyed by what was saved, so the form starts again from the stored values after a save.
        <EnterpriseManagedAuthorization key={JSON.stringify(settings.data)} saved={settings.data.enterprise_managed_authorization} targets={targets} />
      )}
    </section>
  );
}

const CLIENTS_FIELD = "enterprise_managed_authorization.allowed_client_ids";

function EnterpriseManagedAuthorization({ saved, targets }: { saved: WorkspaceSettings["enterprise_managed_authorization"]; targets: IdJagTargets }) {
  const update = useUpdateWorkspaceSettings();
  const [enabled, setEnabled] = useState(saved.enabled);
  const [clients, setClients] = useState(saved.allowed_client_ids.join("\n"));
  const [error, setError] = useState("");
  const clientIds = clients.split("\n").map((line) => line.trim()).filter(Boolean);
  const clientsChanged = clientIds.join("\n") !== saved.allowed_client_ids.join("\n");
  const dirty = enabled !== saved.enabled || clientsChanged;

  async function submit(event: React.SyntheticEvent<HTMLFormElement>) {
    event.preventDefault();
    setError("");
    try {
      // Only what changed is sent (merge patch).
      await update.mutateAsync({ enterprise_managed_authorization: { ...(enabled !== saved.enabled ? { enabled } : {}), ...(clientsChanged ? { allowed_client_ids: clientIds } : {}) } });
    } catch (failure) {
      const onField = failure instanceof ApiClientError ? failure.errors.find((entry) => entry.path.startsWith(CLIENTS_FIELD)) : undefined;
      setError(onField?.message ?? (failure instanceof ApiClientError ? failure.detail : errorMessage(failure)));
    }
  }

  return (
    <form onSubmit={(event) => void submit(event)} noValidate aria-labelledby="ema-heading" className="max-w-2xl space-y-4 rounded-lg border border-zinc-200 p-5 dark:border-zinc-800">
      <div className="flex items-start justify-between gap-4">
        <div>
          <h2 id="ema-heading" className="font-medium">Enterprise-managed authorization</h2>
          <p className="mt-1 text-sm text-muted">
            An agent platform signed in through your identity provider gets a gateway token for a member from an ID-JAG the provider issues — no consent screen. The provider decides who may; here you name the apps that may redeem them.
          </p>
        </div>
        <Switch checked={enabled} onCheckedChange={setEnabled} disabled={update.isPending} label="Accept ID-JAGs from the identity provider" />
      </div>
      {saved.enabled && !saved.active && (
        <p role="status" className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-200">
          On, but not in effect: this deployment has no single sign-on provider (OIDC_ISSUER) to trust.
        </p>
      )}
      <fieldset disabled={update.isPending} className="space-y-4">
        <Field id="ema-clients" label="Allowed OAuth clients" error={error} hint="One client_id per line: what each agent platform registered at this console (a confidential client with a secret). The identity provider must name the same id in its ID-JAGs.">
          <textarea {...fieldAria("ema-clients", error, "hint")} value={clients} onChange={(event) => { setClients(event.target.value); }} rows={3} spellCheck={false} className={`${inputClass} font-mono text-xs`} />
        </Field>
        <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-xs">
          <dt className="text-muted">ID-JAG audience</dt>
          <dd className="break-all font-mono">{targets.audience}</dd>
          <dt className="text-muted">ID-JAG resource</dt>
          <dd className="break-all font-mono">{targets.resource} <span className="font-sans text-muted">(or {targets.resource}/&#123;server_identifier&#125;)</span></dd>
        </dl>
        <div className="flex justify-end">
          <Button type="submit" variant="primary" disabled={!dirty}>
            {update.isPending ? "Saving…" : "Save"}
          </Button>
        </div>
      </fieldset>
    </form>
  );
}
