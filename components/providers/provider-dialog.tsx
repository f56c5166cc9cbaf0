"use client";
// One dialog for create and edit. Edit sends a merge patch of only the changed fields; the
// server's field errors land on their fields; while saving nothing can close it or submit twice.
import * as Tabs from "@radix-ui/react-tabs";
import { useIsMutating } from "@tanstack/react-query";
import { useFieldArray, useForm, useWatch } from "react-hook-form";
import { useEffect, useMemo, useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { Field, fieldAria, Input } from "@/components/ui/field";
import { RadioChoices } from "@/components/ui/radio-choices";
import { ApiClientError, errorMessage } from "@/lib/client/api";
import { SAVE_PROVIDER_KEY, useCheckConnection, useCreateProvider, useUpdateProvider } from "@/lib/client/hooks";
import type { ConnectionCheck, CreateProviderInput, Provider, ProviderPatch } from "@/lib/providers/schemas";
import { identifierFrom, LIMITS } from "@/lib/providers/schemas";
import { checkHealth, HealthPanel } from "@/components/providers/discovery-status";
import { oauthAdviceOf } from "@/lib/providers/health-advice";
import {
  emptyFormValues,
  formFieldErrors,
  formValuesFromProvider,
  grantOf,
  providerResolver,
  toCreateInput,
  toPatch,
  type ProviderFormValues,
} from "@/components/providers/provider-form-model";
import { IdentityModeFields } from "@/components/providers/identity-mode-fields";
import { OAuthClientFields } from "@/components/providers/oauth-client-fields";
import { isCredentialName } from "@/lib/providers/header-rules";

const TAB_FIELDS: Record<string, (keyof ProviderFormValues)[]> = {
  authentication: ["auth_mode", "oauth_scope", "oauth_grant", "client_auth", "client_id", "client_secret", "private_key"],
  headers: ["headers"],
  configuration: ["timeout", "sse_read_timeout"],
};

// A save that changes any of these is tried against the server first.
const CONNECTION_FIELDS = ["server_url", "headers", "authentication", "identity_mode", "identity_settings", "configuration"] as const;

const AUTH_MODES = [
  ["none", "None", "Static headers only (Headers tab), or the user's identity token with forwarding on."],
  ["shared", "OAuth — one shared connection", "An admin connects once on the provider's page; every call uses that account."],
  ["per_user", "OAuth — each user connects", "Every user connects their own account; until they do, their calls are refused with a Connect link."],
] as const;

export function ProviderDialog({
  open,
  onOpenChange,
  provider,
  showForwarding,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  provider?: Provider;
  showForwarding: boolean;
}) {
  const saving = useIsMutating({ mutationKey: SAVE_PROVIDER_KEY }) > 0;
  // Set synchronously when a submit starts: the mutation count above only updates a tick later.
  const submitting = useRef(false);
  const dirty = useRef(false);
  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      title={provider ? `Edit ${provider.name}` : "Add MCP provider"}
      description={provider ? "Only the fields you change are saved." : "Register an MCP server your agents may call."}
      wide
      locked={saving}
      isLocked={() => submitting.current}
      isDirty={() => dirty.current}
    >
      {/* Remount per provider so the form starts from its values. */}
      {open && (
        <ProviderForm
          key={provider?.id ?? "new"}
          provider={provider}
          showForwarding={showForwarding}
          onSubmitting={(busy) => {
            submitting.current = busy;
          }}
          onDirty={(isDirty) => {
            dirty.current = isDirty;
          }}
          onDone={() => {
            onOpenChange(false);
          }}
        />
      )}
    </Dialog>
  );
}

function ProviderForm({
  provider,
  showForwarding,
  onSubmitting,
  onDirty,
  onDone,
}: {
  provider?: Provider;
  showForwarding: boolean;
  /** Told when a submit starts and ends, before the mutation state catches up. */
  onSubmitting: (busy: boolean) => void;
  /** Told on every render whether the form differs from where it started. */
  onDirty: (dirty: boolean) => void;
  onDone: () => void;
}) {
  const resolver = useMemo(() => providerResolver({ original: provider, showForwarding }), [provider, showForwarding]);
  const form = useForm<ProviderFormValues>({
    defaultValues: provider ? formValuesFromProvider(provider) : emptyFormValues(),
    resolver,
    mode: "onTouched",
  });
  const { register, handleSubmit, formState, setError, setValue, control } = form;
  const { isDirty } = formState;
  useEffect(() => { onDirty(isDirty); }, [isDirty, onDirty]);
  const headers = useFieldArray({ control, name: "headers" });
  const [tab, setTab] = useState("authentication");
  const [formError, setFormError] = useState("");
  const create = useCreateProvider();
  const update = useUpdateProvider();
  const check = useCheckConnection();
  // The last Test connection, and the settings it tried (a change to them makes it stale).
  const [checked, setChecked] = useState<{ settings: string; result: ConnectionCheck } | undefined>();
  const saving = formState.isSubmitting || create.isPending || update.isPending;
  const errors = formState.errors;
  // After a failed check the form was disabled under the focus: it moves to "Save anyway", the way on.
  const submitButton = useRef<HTMLButtonElement>(null);
  const [focusRequest, setFocusRequest] = useState(0);
  const focusHandled = useRef(0);
  useEffect(() => {
    if (saving || focusHandled.current === focusRequest) return;
    focusHandled.current = focusRequest;
    submitButton.current?.focus();
  }, [focusRequest, saving]);

  /** What a save would send, and whether it touches how the console reaches the server. */
  function request(values: ProviderFormValues): { body: { id: string; patch: ProviderPatch } | { input: CreateProviderInput }; settings: string; reachesServer: boolean } {
    if (provider) {
      const patch = toPatch(values, provider, showForwarding);
      return { body: { id: provider.id, patch }, settings: JSON.stringify(patch), reachesServer: CONNECTION_FIELDS.some((field) => field in patch) };
    }
    const input = toCreateInput(values, showForwarding);
    return { body: { input }, settings: JSON.stringify(input), reachesServer: true };
  }

  function showApiError(error: unknown, values: ProviderFormValues) {
    if (error instanceof ApiClientError && error.errors.length > 0) {
      const mapped = formFieldErrors(error.errors, values);
      for (const [name, value] of mapped) setError(name, value);
      revealFirstError(mapped.map(([field]) => field.split(".")[0] ?? field));
    } else {
      setFormError(error instanceof ApiClientError && error.status === 412 ? "Someone else changed this provider. Close and reopen to see their changes." : errorMessage(error));
    }
  }

  async function testConnection(values: ProviderFormValues): Promise<ConnectionCheck | undefined> {
    const { body, settings } = request(values);
    try {
      const result = await check.mutateAsync(body);
      setChecked({ settings, result });
      return result;
    } catch (error) {
      showApiError(error, values);
      return undefined;
    }
  }

  const onTest = handleSubmit(
    async (values) => {
      setFormError("");
      await testConnection(values);
    },
    (invalid) => { revealFirstError(Object.keys(invalid)); },
  );

  const onSubmit = handleSubmit(
    async (values) => {
      setFormError("");
      const { body, settings, reachesServer } = request(values);
      // Tried first, unless these very settings were tried already (a failure then means "Save anyway").
      if (reachesServer && checked?.settings !== settings) {
        const result = await testConnection(values);
        if (!result?.ok) {
          if (result) setFocusRequest((count) => count + 1);
          return;
        }
      }
      try {
        if ("id" in body) {
          if (Object.keys(body.patch).length > 0) await update.mutateAsync({ ...body, version: provider?.version });
        } else {
          await create.mutateAsync(body.input);
        }
        onDone();
      } catch (error) {
        showApiError(error, values);
      }
    },
    (invalid) => { revealFirstError(Object.keys(invalid)); },
  );

  function revealFirstError(fields: string[]) {
    const inTab = Object.entries(TAB_FIELDS).find(([, names]) => names.some((name) => fields.includes(name)));
    const topLevel = fields.some((name) => !Object.values(TAB_FIELDS).flat().includes(name as keyof ProviderFormValues));
    if (inTab && !topLevel) setTab(inTab[0]);
  }

  const [emoji, background, forwarding, typedUrl, headerRows, authMode, typedIdentifier] = useWatch({ control, name: ["icon_emoji", "icon_background", "forwarding", "server_url", "headers", "auth_mode", "server_identifier"] });
  const renamedIdentifier = provider && typedIdentifier.trim() && typedIdentifier.trim() !== provider.server_identifier ? typedIdentifier.trim() : undefined;
  useWatch({ control }); // every change re-renders, so the settings below are current
  const current = request(form.getValues()).settings;
  const lastCheck = checked && checked.settings === current ? checked.result : undefined;
  const testing = check.isPending;
  const headerNames = headerRows.map((header) => header.name);
  const movesOrigin = provider ? changesOrigin(provider.server_url, typedUrl) : false;
  const withheld = forwarding && showForwarding ? headerNames.filter((name) => name && isCredentialName(name)) : [];

  return (
    <form
      onSubmit={(event) => {
        onSubmitting(true);
        void onSubmit(event).finally(() => {
          onSubmitting(false);
        });
      }}
      noValidate
      aria-busy={saving}
    >
      <fieldset disabled={saving} className="space-y-4">
        <Field id="server_url" label="Server URL" required={!provider} error={errors.server_url?.message} hint={provider ? `Stored as ${provider.server_url} — leave empty to keep it` : "The MCP server's Streamable HTTP endpoint"}>
          <Input
            {...register("server_url")}
            {...fieldAria("server_url", errors.server_url?.message, "hint", !provider)}
            type="url"
            inputMode="url"
            autoComplete="off"
            placeholder={provider ? provider.server_url : "e.g. https://mcp.example.com/mcp"}
            autoFocus
          />
        </Field>
        {movesOrigin && (
          <p role="status" className="rounded-md bg-amber-50 p-2 text-xs text-amber-900 dark:bg-amber-950 dark:text-amber-200">
            This moves the provider to another server. Its stored header values and client secret will be removed unless you enter them again here.
          </p>
        )}

        <div className="grid grid-cols-[auto_1fr] items-start gap-3">
          <Field id="icon_emoji" label="Icon" error={errors.icon_emoji?.message ?? errors.icon_background?.message}>
            <div className="flex items-center gap-2">
              <span aria-hidden className="flex h-9 w-9 items-center justify-center rounded-md text-lg" style={{ background }}>
                {emoji || "·"}
              </span>
              <div className="w-16">
                <Input {...register("icon_emoji")} {...fieldAria("icon_emoji", errors.icon_emoji?.message)} className="text-center" maxLength={16} aria-label="Icon emoji" />
              </div>
              <input {...register("icon_background")} type="color" aria-label="Icon background" className="h-9 w-9 cursor-pointer rounded-md border border-zinc-300 bg-transparent dark:border-zinc-700" />
            </div>
          </Field>
          <Field id="name" label="Name" required error={errors.name?.message}>
            <Input
              {...register("name", {
                // A new provider's identifier follows its name until the admin types one of their own.
                onChange: (event: React.ChangeEvent<HTMLInputElement>) => {
                  if (!provider && !form.getFieldState("server_identifier").isDirty) setValue("server_identifier", identifierFrom(event.target.value));
                },
              })}
              {...fieldAria("name", errors.name?.message, undefined, true)}
              placeholder="e.g. Linear"
              maxLength={LIMITS.nameMax}
              autoComplete="off"
            />
          </Field>
        </div>

        <Field id="server_identifier" label="Server identifier" required error={errors.server_identifier?.message} hint={`Lowercase letters, digits, - and _ (up to ${LIMITS.identifierMax}). Agents see tools as identifier__tool.`}>
          <Input {...register("server_identifier")} {...fieldAria("server_identifier", errors.server_identifier?.message, "hint", true)} placeholder="e.g. linear" maxLength={LIMITS.identifierMax} autoComplete="off" spellCheck={false} />
        </Field>
        {provider && renamedIdentifier && (
          <p role="status" className="rounded-md border border-amber-500/40 bg-amber-50 p-2.5 text-xs text-amber-900 dark:bg-amber-950 dark:text-amber-100">
            Agents call tools by this identifier: <span className="font-mono">{provider.server_identifier}__…</span> becomes <span className="font-mono">{renamedIdentifier}__…</span>, and clients set up with <span className="font-mono">/mcp/{provider.server_identifier}</span> stop reaching this provider until they are changed.
          </p>
        )}

        {showForwarding && <IdentityModeFields control={control} register={register} setValue={setValue} errors={errors} provider={provider} />}
        {withheld.length > 0 && (
          <p role="status" className="rounded-md bg-amber-50 p-2 text-xs text-amber-900 dark:bg-amber-950 dark:text-amber-200">
            With identity forwarding on, {withheld.join(", ")} {withheld.length === 1 ? "is" : "are"} not sent: every call carries only the user&apos;s own token.
          </p>
        )}

        <Tabs.Root value={tab} onValueChange={setTab}>
          <Tabs.List aria-label="Provider settings" className="flex gap-1 border-b border-zinc-200 dark:border-zinc-800">
            {[
              ["authentication", "Authentication"],
              ["headers", `Headers${headers.fields.length ? ` (${headers.fields.length})` : ""}`],
              ["configuration", "Configuration"],
            ].map(([value, label]) => (
              <Tabs.Trigger
                key={value}
                value={value}
                className="-mb-px border-b-2 border-transparent px-3 py-2 text-sm text-muted hover:text-zinc-900 focus-visible:outline-2 focus-visible:outline-blue-500 data-[state=active]:border-zinc-900 data-[state=active]:text-zinc-900 dark:hover:text-zinc-100 dark:data-[state=active]:border-zinc-100 dark:data-[state=active]:text-zinc-100"
              >
                {label}
              </Tabs.Trigger>
            ))}
          </Tabs.List>

          <Tabs.Content value="authentication" forceMount className="space-y-3 pt-4 data-[state=inactive]:hidden">
            <RadioChoices id="auth_mode" legend="How the console signs in to this server" choices={AUTH_MODES} registration={register("auth_mode")} error={errors.auth_mode?.message} />
            {authMode !== "none" && <OAuthClientFields control={control} register={register} errors={errors} provider={provider} />}
          </Tabs.Content>

          <Tabs.Content value="headers" forceMount className="space-y-3 pt-4 data-[state=inactive]:hidden">
            <p className="text-xs text-muted">Sent with every request to the server. Values are encrypted and shown masked.</p>
            {headers.fields.length === 0 && <p className="text-sm text-muted">No headers.</p>}
            <ul className="space-y-2">
              {headers.fields.map((row, index) => {
                const rowErrors = errors.headers?.[index];
                return (
                  <li key={row.id} className="grid grid-cols-[1fr_1fr_auto] items-start gap-2">
                    <div>
                      <Input
                        {...register(`headers.${index}.name`)}
                        aria-label={`Header ${index + 1} name`}
                        aria-invalid={rowErrors?.name ? true : undefined}
                        placeholder="X-Api-Key"
                        readOnly={row.stored}
                        className={row.stored ? "bg-zinc-50 dark:bg-zinc-900" : ""}
                        spellCheck={false}
                      />
                      {rowErrors?.name && <p role="alert" className="mt-1 text-xs text-red-600 dark:text-red-400">{rowErrors.name.message}</p>}
                    </div>
                    <div>
                      <Input
                        {...register(`headers.${index}.value`)}
                        aria-label={`Header ${index + 1} value`}
                        aria-invalid={rowErrors?.value ? true : undefined}
                        placeholder={row.stored ? `${row.masked} (unchanged)` : "value"}
                        type="password"
                        autoComplete="off"
                      />
                      {rowErrors?.value && <p role="alert" className="mt-1 text-xs text-red-600 dark:text-red-400">{rowErrors.value.message}</p>}
                    </div>
                    <Button variant="ghost" onClick={() => { headers.remove(index); }} aria-label={`Remove header ${row.name || index + 1}`}>
                      ✕
                    </Button>
                  </li>
                );
              })}
            </ul>
            {(errors.headers?.message ?? errors.headers?.root?.message) && (
              <p role="alert" className="text-xs text-red-600 dark:text-red-400">{errors.headers.message ?? errors.headers.root?.message}</p>
            )}
            <Button size="sm" onClick={() => { headers.append({ name: "", value: "", stored: false }); }}>
              + Add header
            </Button>
          </Tabs.Content>

          <Tabs.Content value="configuration" forceMount className="grid grid-cols-2 gap-3 pt-4 data-[state=inactive]:hidden">
            <Field id="timeout" label="Timeout (seconds)" error={errors.timeout?.message} hint="1–600, for each request">
              <Input {...register("timeout")} {...fieldAria("timeout", errors.timeout?.message, "hint")} inputMode="numeric" />
            </Field>
            <Field id="sse_read_timeout" label="Stream read timeout (seconds)" error={errors.sse_read_timeout?.message} hint="1–3600, for streamed responses">
              <Input {...register("sse_read_timeout")} {...fieldAria("sse_read_timeout", errors.sse_read_timeout?.message, "hint")} inputMode="numeric" />
            </Field>
          </Tabs.Content>
        </Tabs.Root>

        {formError && (
          <p role="alert" className="rounded-md bg-red-50 p-2 text-sm text-red-700 dark:bg-red-950 dark:text-red-300">
            {formError}
          </p>
        )}

        {lastCheck && <HealthPanel health={checkHealth(lastCheck, { forwarding: forwarding && showForwarding, oauth: oauthAdviceOf(authMode === "none" ? null : authMode, grantOf(form.getValues())), where: { dialog: { saved: Boolean(provider) } } })} title="Test connection" />}

        {/* Stays in view however long the form gets (many headers): Save is never scrolled away. */}
        <div className="sticky bottom-0 z-10 -mx-6 -mb-6 flex flex-wrap items-center justify-between gap-2 border-t border-zinc-200 bg-white px-6 pb-6 pt-3 dark:border-zinc-800 dark:bg-zinc-900">
          <Button onClick={() => void onTest()} disabled={testing}>
            {testing ? "Testing…" : "Test connection"}
          </Button>
          <div className="flex gap-2">
            <Button onClick={onDone}>Cancel</Button>
            <Button ref={submitButton} type="submit" variant="primary" disabled={testing}>
              {saving ? (testing ? "Testing…" : "Saving…") : lastCheck && !lastCheck.ok ? "Save anyway" : provider ? "Save changes" : "Add provider"}
            </Button>
          </div>
        </div>
      </fieldset>
    </form>
  );
}

/** True when `typed` is a URL on another origin than the stored (masked) one, which keeps scheme and host. */
function changesOrigin(storedMasked: string, typed: string): boolean {
  try {
    return typed.trim() !== "" && new URL(typed.trim()).origin !== new URL(storedMasked).origin;
  } catch {
    return false;
  }
}
