"use client";
// The Authentication tab's OAuth fields: scopes, how the console gets tokens (a person connects, or a
// machine-to-machine grant on the shared connection), and the client with its secret or private key.
// Secrets are write-only: a stored one is shown masked and kept unless a new one is typed.
import { useWatch, type Control, type FieldErrors, type UseFormRegister } from "react-hook-form";
import { Field, fieldAria, Input, inputClass } from "@/components/ui/field";
import { RadioChoices } from "@/components/ui/radio-choices";
import { grantOf, usesPrivateKey, type ProviderFormValues } from "@/components/providers/provider-form-model";
import type { Provider } from "@/lib/providers/schemas";

const GRANT_CHOICES = [
  ["authorization_code", "An admin connects (authorization code)", "An admin signs in at the server once, on the provider's page."],
  ["client_credentials", "Client credentials (machine to machine)", "The console's own client gets tokens itself; nobody connects. Needs the client ID and its secret or private key."],
  ["jwt_bearer", "Workload identity (jwt-bearer)", "The deployment's workload identity token (WORKLOAD_IDENTITY_TOKEN_FILE) is the grant; nobody connects. Needs the client ID."],
] as const;

const CLIENT_AUTH_CHOICES = [
  ["secret", "Client secret", "client_secret_basic, or client_secret_post when the server asks for it."],
  ["private_key", "Private key", "private_key_jwt (RFC 7523): a PKCS#8 PEM key; register its public key at the authorization server."],
] as const;

export function OAuthClientFields({ control, register, errors, provider }: { control: Control<ProviderFormValues>; register: UseFormRegister<ProviderFormValues>; errors: FieldErrors<ProviderFormValues>; provider?: Provider }) {
  const [authMode, oauthGrant, clientAuth] = useWatch({ control, name: ["auth_mode", "oauth_grant", "client_auth"] });
  const grant = grantOf({ auth_mode: authMode, oauth_grant: oauthGrant });
  const machine = grant !== "authorization_code";
  const privateKey = usesPrivateKey({ auth_mode: authMode, oauth_grant: oauthGrant, client_auth: clientAuth });
  const stored = provider?.authentication;
  return (
    <>
      {authMode === "shared" && <RadioChoices id="oauth_grant" legend="How the console gets tokens" choices={GRANT_CHOICES} registration={register("oauth_grant")} error={errors.oauth_grant?.message} />}
      <p className="text-xs text-muted">
        {machine
          ? "The console asks the server's authorization server for tokens with this client."
          : "Optional. The console finds the server's authorization server itself and identifies as MCP Console (or registers); give a client only if the server requires one you registered."}
      </p>
      <Field id="oauth_scope" label="Scopes" error={errors.oauth_scope?.message}>
        <Input {...register("oauth_scope")} {...fieldAria("oauth_scope", errors.oauth_scope?.message)} autoComplete="off" placeholder="What the server asks for" />
      </Field>
      <Field id="client_id" label="Client ID" required={machine} error={errors.client_id?.message}>
        <Input {...register("client_id")} {...fieldAria("client_id", errors.client_id?.message, undefined, machine)} autoComplete="off" />
      </Field>
      {grant === "client_credentials" && <RadioChoices id="client_auth" legend="The client proves itself with" choices={CLIENT_AUTH_CHOICES} registration={register("client_auth")} />}
      {privateKey ? (
        <Field id="private_key" label="Private key (PKCS#8 PEM)" required={!stored?.private_key} error={errors.private_key?.message} hint={stored?.private_key ? `Stored (${stored.private_key}) — leave empty to keep it` : "-----BEGIN PRIVATE KEY----- … (EC, RSA or Ed25519)"}>
          {/* Never echoed back: a stored key shows only masked, in the hint. */}
          <textarea {...register("private_key")} {...fieldAria("private_key", errors.private_key?.message, "hint", !stored?.private_key)} rows={4} spellCheck={false} autoComplete="off" className={`${inputClass} font-mono text-xs`} />
        </Field>
      ) : (
        <Field id="client_secret" label="Client secret" required={grant === "client_credentials" && !stored?.client_secret} error={errors.client_secret?.message} hint={stored?.client_secret ? `Stored (${stored.client_secret}) — leave empty to keep it` : undefined}>
          <Input {...register("client_secret")} {...fieldAria("client_secret", errors.client_secret?.message, stored?.client_secret ? "hint" : undefined)} type="password" autoComplete="new-password" />
        </Field>
      )}
    </>
  );
}
