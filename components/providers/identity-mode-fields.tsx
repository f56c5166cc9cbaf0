"use client";
// The identity-forwarding part of the provider form (only with enterprise on): the switch, the mode
// with one line each on what it needs from the identity provider, and the settings the chosen mode reads.
import { useWatch, type Control, type FieldErrors, type UseFormRegister, type UseFormSetValue } from "react-hook-form";
import { Field, fieldAria, Input } from "@/components/ui/field";
import { RadioChoices } from "@/components/ui/radio-choices";
import { Switch } from "@/components/ui/switch";
import { FORWARDING_EXPLANATION } from "@/components/providers/forwarding";
import type { ProviderFormValues } from "@/components/providers/provider-form-model";
import { IDENTITY_MODE_LABELS, IDENTITY_MODE_NEEDS, IDENTITY_MODES, type ForwardingMode } from "@/lib/identity/modes";
import type { Provider } from "@/lib/providers/schemas";

const MODE_CHOICES = IDENTITY_MODES.filter((mode): mode is ForwardingMode => mode !== "off").map((mode) => [mode, IDENTITY_MODE_LABELS[mode], IDENTITY_MODE_NEEDS[mode]] as const);

const PROFILE_CHOICES = [
  ["rfc8693", "Standard token exchange (RFC 8693)", "Keycloak, Okta, Ping, Auth0 custom token exchange: the user's token is exchanged for one whose audience is this server."],
  ["entra_obo", "Microsoft Entra on-behalf-of", "Entra ID: a jwt-bearer grant with requested_token_use=on_behalf_of for the server's scope."],
] as const;

const SUBJECT_CHOICES = [
  ["", "Access token (default)", "The user's fresh SSO access token is the subject token."],
  ["id_token", "ID token", "For identity providers that exchange only ID tokens."],
] as const;

export function IdentityModeFields({ control, register, setValue, errors, provider }: { control: Control<ProviderFormValues>; register: UseFormRegister<ProviderFormValues>; setValue: UseFormSetValue<ProviderFormValues>; errors: FieldErrors<ProviderFormValues>; provider?: Provider }) {
  const [forwarding, mode, profile] = useWatch({ control, name: ["forwarding", "identity_mode", "exchange_profile"] });
  const storedSecret = provider?.identity_settings?.client_secret;
  return (
    <div className="space-y-3 rounded-lg border border-zinc-200 p-3 dark:border-zinc-800">
      <div className="flex items-start justify-between gap-4">
        <div>
          <label htmlFor="forwarding" className="text-sm font-medium">
            Forward the user&apos;s identity
          </label>
          <p id="forwarding-hint" className="mt-0.5 text-xs text-muted">
            {FORWARDING_EXPLANATION}
          </p>
        </div>
        <Switch id="forwarding" label="Forward the user's identity" checked={forwarding} onCheckedChange={(on) => { setValue("forwarding", on, { shouldDirty: true }); }} />
      </div>
      {forwarding && (
        <>
          <RadioChoices id="identity_mode" legend="How the user's identity is carried" choices={MODE_CHOICES} registration={register("identity_mode")} error={errors.identity_mode?.message ?? (mode ? undefined : "The stored mode is not one this console knows: pick one.")} />
          {mode === "token_exchange" && (
            <div className="space-y-3 border-l-2 border-zinc-200 pl-3 dark:border-zinc-800">
              <RadioChoices id="exchange_profile" legend="Exchange" choices={PROFILE_CHOICES} registration={register("exchange_profile")} error={errors.exchange_profile?.message} />
              {profile !== "entra_obo" && <RadioChoices id="subject_token_type" legend="Subject token" choices={SUBJECT_CHOICES} registration={register("subject_token_type")} error={errors.subject_token_type?.message} />}
              <Field id="identity_scope" label="Scope" required={profile === "entra_obo"} error={errors.identity_scope?.message} hint={profile === "entra_obo" ? "The server's scope, e.g. api://<server app id>/.default" : "Optional: the scope to ask the identity provider for"}>
                <Input {...register("identity_scope")} {...fieldAria("identity_scope", errors.identity_scope?.message, "hint", profile === "entra_obo")} autoComplete="off" spellCheck={false} />
              </Field>
            </div>
          )}
          {mode === "id_jag" && (
            <div className="space-y-3 border-l-2 border-zinc-200 pl-3 dark:border-zinc-800">
              <p className="text-xs text-muted">The client registered for the console at this server&apos;s authorization server, which redeems the ID-JAG (RFC 7523 jwt-bearer).</p>
              <Field id="identity_client_id" label="Client ID at the server's authorization server" required error={errors.identity_client_id?.message}>
                <Input {...register("identity_client_id")} {...fieldAria("identity_client_id", errors.identity_client_id?.message, undefined, true)} autoComplete="off" spellCheck={false} />
              </Field>
              <Field id="identity_client_secret" label="Client secret" error={errors.identity_client_secret?.message} hint={storedSecret ? `Stored (${storedSecret}) — leave empty to keep it` : "Optional, for a confidential client"}>
                <Input {...register("identity_client_secret")} {...fieldAria("identity_client_secret", errors.identity_client_secret?.message, "hint")} type="password" autoComplete="new-password" />
              </Field>
            </div>
          )}
        </>
      )}
    </div>
  );
}
