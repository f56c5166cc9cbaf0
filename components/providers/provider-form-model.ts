// The provider form's values, and how they become an API create body or a merge patch of only
// what changed. Validation runs the API's own zod schemas on that body, and their errors are
// mapped back onto the form's fields — so the form can never accept what the API refuses.
import type { FieldErrors, FieldPath, Resolver } from "react-hook-form";
import type { z } from "zod";
import type { FieldError } from "@/lib/api/errors";
import { IDENTITY_MODES, type ExchangeProfile, type ForwardingMode, type SubjectTokenType } from "@/lib/identity/modes";
import { createProviderSchema, LIMITS, providerPatchSchema, type CreateProviderInput, type OAuthConnectionKind, type OAuthGrant, type Provider, type ProviderPatch } from "@/lib/providers/schemas";

export type HeaderRow = {
  name: string;
  value: string;
  /** Already saved: its value is secret, shown masked, and kept unless the user types a new one. */
  stored: boolean;
  masked?: string;
};

export type ProviderFormValues = {
  server_url: string;
  name: string;
  icon_emoji: string;
  icon_background: string;
  server_identifier: string;
  headers: HeaderRow[];
  /** None, or OAuth with one connection for the workspace or one per user. */
  auth_mode: "none" | OAuthConnectionKind;
  oauth_scope: string;
  /** How the console gets tokens; a machine grant only with the shared connection. */
  oauth_grant: OAuthGrant;
  /** client_credentials: the client authenticates with its secret or a private key (private_key_jwt). */
  client_auth: "secret" | "private_key";
  client_id: string;
  client_secret: string;
  private_key: string;
  timeout: string;
  sse_read_timeout: string;
  forwarding: boolean;
  /** Which mode forwards the user's identity; "" when the stored one is a mode this console doesn't know. */
  identity_mode: ForwardingMode | "";
  /** token_exchange: "" is the mode's default (the access token). */
  subject_token_type: SubjectTokenType | "";
  exchange_profile: ExchangeProfile;
  identity_scope: string;
  identity_client_id: string;
  identity_client_secret: string;
};

export const DEFAULT_ICON_BACKGROUND = "#EEF2FF";

export function emptyFormValues(): ProviderFormValues {
  return {
    server_url: "",
    name: "",
    icon_emoji: "🔧",
    icon_background: DEFAULT_ICON_BACKGROUND,
    server_identifier: "",
    headers: [],
    auth_mode: "none",
    oauth_scope: "",
    oauth_grant: "authorization_code",
    client_auth: "secret",
    client_id: "",
    client_secret: "",
    private_key: "",
    timeout: String(LIMITS.timeout.default),
    sse_read_timeout: String(LIMITS.sseReadTimeout.default),
    forwarding: false,
    identity_mode: "idp_token",
    subject_token_type: "",
    exchange_profile: "rfc8693",
    identity_scope: "",
    identity_client_id: "",
    identity_client_secret: "",
  };
}

/** The forwarding mode a stored one reads as in the form: off shows the default; one this console doesn't know, none. */
function forwardingModeOf(stored: Provider["identity_mode"]): ProviderFormValues["identity_mode"] {
  if (stored === "off") return "idp_token";
  return (IDENTITY_MODES as readonly string[]).includes(stored) ? (stored as ForwardingMode) : "";
}

export function formValuesFromProvider(provider: Provider): ProviderFormValues {
  const settings = provider.identity_settings;
  return {
    server_url: "", // secret: the stored URL is kept unless a new one is typed
    name: provider.name,
    icon_emoji: provider.icon?.type === "emoji" ? provider.icon.content : "",
    icon_background: provider.icon?.type === "emoji" ? provider.icon.background : DEFAULT_ICON_BACKGROUND,
    server_identifier: provider.server_identifier,
    headers: Object.entries(provider.headers).map(([name, masked]) => ({ name, value: "", stored: true, masked })),
    auth_mode: provider.authentication?.connection ?? "none",
    oauth_scope: provider.authentication?.scope ?? "",
    oauth_grant: provider.authentication?.grant_type ?? "authorization_code",
    client_auth: provider.authentication?.private_key ? "private_key" : "secret",
    client_id: provider.authentication?.client_id ?? "",
    client_secret: "",
    private_key: "",
    timeout: String(provider.configuration.timeout),
    sse_read_timeout: String(provider.configuration.sse_read_timeout),
    forwarding: provider.identity_mode !== "off",
    identity_mode: forwardingModeOf(provider.identity_mode),
    subject_token_type: settings?.subject_token_type ?? "",
    exchange_profile: settings?.profile ?? "rfc8693",
    identity_scope: settings?.scope ?? "",
    identity_client_id: settings?.client_id ?? "",
    identity_client_secret: "",
  };
}

/** "30" → 30; anything that is not a plain number stays invalid for the schema to report. */
function toNumber(value: string): number {
  return value.trim() === "" ? Number.NaN : Number(value);
}

function iconOf(values: ProviderFormValues) {
  return values.icon_emoji.trim() ? { type: "emoji" as const, content: values.icon_emoji.trim(), background: values.icon_background } : undefined;
}

export function toCreateInput(values: ProviderFormValues, showForwarding: boolean): CreateProviderInput {
  const headers = Object.fromEntries(values.headers.filter((row) => row.name || row.value).map((row) => [row.name.trim(), row.value]));
  return {
    name: values.name,
    server_identifier: values.server_identifier,
    server_url: values.server_url,
    ...(iconOf(values) ? { icon: iconOf(values) } : {}),
    ...(Object.keys(headers).length ? { headers } : {}),
    ...(values.auth_mode !== "none"
      ? {
          authentication: {
            type: "oauth" as const,
            connection: values.auth_mode,
            ...(grantOf(values) !== "authorization_code" ? { grant_type: grantOf(values) } : {}),
            ...(values.client_id.trim() ? { client_id: values.client_id } : {}),
            ...(values.client_secret && !usesPrivateKey(values) ? { client_secret: values.client_secret } : {}),
            ...(values.private_key.trim() && usesPrivateKey(values) ? { private_key: values.private_key } : {}),
            ...(values.oauth_scope.trim() ? { scope: values.oauth_scope } : {}),
          },
        }
      : {}),
    configuration: { timeout: toNumber(values.timeout), sse_read_timeout: toNumber(values.sse_read_timeout) },
    ...(showForwarding ? identityOf(values) : {}),
  };
}

/** The grant a save asks for: a machine grant only goes with the shared connection. */
export function grantOf(values: Pick<ProviderFormValues, "auth_mode" | "oauth_grant">): OAuthGrant {
  return values.auth_mode === "shared" ? values.oauth_grant : "authorization_code";
}

/** The client proves itself with a private key (client_credentials with private_key_jwt) instead of a secret. */
export function usesPrivateKey(values: Pick<ProviderFormValues, "auth_mode" | "oauth_grant" | "client_auth">): boolean {
  return grantOf(values) === "client_credentials" && values.client_auth === "private_key";
}

/** The identity settings fields each mode reads (identity_settings is stored whatever the mode). */
const MODE_SETTINGS: Record<ForwardingMode, (keyof IdentitySettingsValues)[]> = {
  idp_token: [],
  token_exchange: ["subject_token_type", "profile", "scope"],
  id_jag: ["client_id", "client_secret"],
};

type IdentitySettingsValues = { subject_token_type: string; profile: string; scope: string; client_id: string; client_secret: string };

/** The form's identity settings as the API names them; "" is "not set" (the profile's default is rfc8693). */
function settingsOf(values: ProviderFormValues): IdentitySettingsValues {
  const obo = values.exchange_profile === "entra_obo";
  return {
    // Read by RFC 8693 only (on-behalf-of takes the access token): kept as it was while on-behalf-of is chosen.
    subject_token_type: values.subject_token_type,
    profile: obo ? "entra_obo" : "",
    scope: values.identity_scope.trim(),
    client_id: values.identity_client_id.trim(),
    client_secret: values.identity_client_secret,
  };
}

function identityOf(values: ProviderFormValues): Pick<CreateProviderInput, "identity_mode" | "identity_settings"> {
  if (!values.forwarding || !values.identity_mode) return { identity_mode: "off" };
  const settings = settingsOf(values);
  const shown = Object.fromEntries(MODE_SETTINGS[values.identity_mode].filter((field) => settings[field] !== "").map((field) => [field, settings[field]]));
  return { identity_mode: values.identity_mode, ...(Object.keys(shown).length ? { identity_settings: shown } : {}) };
}

/** Only what changed of the settings the chosen mode reads; a cleared one is null. */
function identitySettingsPatch(values: ProviderFormValues, original: Provider): ProviderPatch["identity_settings"] | undefined {
  if (!values.forwarding || !values.identity_mode) return undefined;
  const settings = settingsOf(values);
  const stored = original.identity_settings;
  const before: IdentitySettingsValues = {
    subject_token_type: stored?.subject_token_type ?? "",
    profile: stored?.profile === "entra_obo" ? "entra_obo" : "",
    scope: stored?.scope ?? "",
    client_id: stored?.client_id ?? "",
    client_secret: "",
  };
  const changes: Record<string, string | null> = {};
  for (const field of MODE_SETTINGS[values.identity_mode]) {
    if (settings[field] !== before[field]) changes[field] = settings[field] === "" ? null : settings[field];
  }
  // A secret is never shown: it is sent when typed, and removed with its client.
  if (changes.client_id === null && stored?.client_secret) changes.client_secret = null;
  return Object.keys(changes).length ? changes : undefined;
}

/** A merge patch with only what the user changed; removed headers are sent as null. */
export function toPatch(values: ProviderFormValues, original: Provider, showForwarding: boolean): ProviderPatch {
  const patch: ProviderPatch = {};
  if (values.name.trim() !== original.name) patch.name = values.name;
  if (values.server_identifier !== original.server_identifier) patch.server_identifier = values.server_identifier;
  if (values.server_url.trim()) patch.server_url = values.server_url;

  const icon = iconOf(values);
  const before = original.icon;
  if (!icon && before) patch.icon = null;
  else if (icon && (before?.type !== "emoji" || before.content !== icon.content || before.background !== icon.background)) patch.icon = icon;

  const headers: Record<string, string | null> = {};
  const kept = new Set(values.headers.filter((row) => row.stored).map((row) => row.name));
  for (const name of Object.keys(original.headers)) if (!kept.has(name)) headers[name] = null;
  for (const row of values.headers) {
    if (row.stored ? row.value !== "" : row.name || row.value) headers[row.name.trim()] = row.value;
  }
  if (Object.keys(headers).length) patch.headers = headers;

  const auth = original.authentication;
  if (values.auth_mode === "none") {
    if (auth) patch.authentication = null;
  } else {
    const changes: NonNullable<ProviderPatch["authentication"]> = {};
    if (!auth) changes.type = "oauth";
    if (values.auth_mode !== auth?.connection) changes.connection = values.auth_mode;
    const grant = grantOf(values);
    if (grant !== (auth?.grant_type ?? "authorization_code")) changes.grant_type = grant;
    const clientId = values.client_id.trim();
    if (clientId !== (auth?.client_id ?? "")) changes.client_id = clientId ? values.client_id : null;
    // One way for the client to prove itself: the one chosen is sent when typed; the other goes.
    const privateKey = usesPrivateKey(values);
    if (values.client_secret && !privateKey) changes.client_secret = values.client_secret;
    else if ((!clientId || privateKey) && auth?.client_secret) changes.client_secret = null;
    if (values.private_key.trim() && privateKey) changes.private_key = values.private_key;
    else if ((!clientId || !privateKey) && auth?.private_key) changes.private_key = null;
    const scope = values.oauth_scope.trim();
    if (scope !== (auth?.scope ?? "")) changes.scope = scope ? values.oauth_scope : null;
    if (Object.keys(changes).length) patch.authentication = changes;
  }

  const configuration: NonNullable<ProviderPatch["configuration"]> = {};
  if (values.timeout !== String(original.configuration.timeout)) configuration.timeout = toNumber(values.timeout);
  if (values.sse_read_timeout !== String(original.configuration.sse_read_timeout)) configuration.sse_read_timeout = toNumber(values.sse_read_timeout);
  if (Object.keys(configuration).length) patch.configuration = configuration;

  if (showForwarding) {
    const mode = values.forwarding ? values.identity_mode : "off";
    if (mode && mode !== original.identity_mode) patch.identity_mode = mode;
    const settings = identitySettingsPatch(values, original);
    if (settings) patch.identity_settings = settings;
  }
  return patch;
}

/** A place an error can be shown: a form field, or the form as a whole. */
export type FormErrorTarget = FieldPath<ProviderFormValues> | "root";

const TOP_LEVEL_FIELDS: readonly string[] = ["server_url", "name", "server_identifier", "headers"] satisfies FieldPath<ProviderFormValues>[];

const AUTHENTICATION_FIELDS: Record<string, FieldPath<ProviderFormValues>> = {
  client_secret: "client_secret",
  private_key: "private_key",
  scope: "oauth_scope",
  client_id: "client_id",
  grant_type: "oauth_grant",
};

const IDENTITY_SETTINGS_FIELDS: Record<string, FieldPath<ProviderFormValues>> = {
  subject_token_type: "subject_token_type",
  profile: "exchange_profile",
  scope: "identity_scope",
  client_id: "identity_client_id",
  client_secret: "identity_client_secret",
};

/** Where an API field path lands in the form. */
export function formFieldFor(path: string, values: ProviderFormValues, keyProblem = false): FormErrorTarget {
  const [head = "", ...rest] = path.split(".");
  const tail = rest.join(".");
  if (head === "icon") return tail === "background" ? "icon_background" : "icon_emoji";
  if (head === "authentication") return AUTHENTICATION_FIELDS[tail] ?? "auth_mode";
  if (head === "identity_settings") return IDENTITY_SETTINGS_FIELDS[tail] ?? "identity_mode";
  if (head === "configuration") return tail === "sse_read_timeout" ? "sse_read_timeout" : "timeout";
  if (head === "identity_mode") return "identity_mode";
  if (head === "headers" && tail) {
    const index = values.headers.findIndex((row) => row.name.trim() === tail);
    if (index >= 0) return keyProblem ? `headers.${index}.name` : `headers.${index}.value`;
  }
  return TOP_LEVEL_FIELDS.includes(head) ? (head as FieldPath<ProviderFormValues>) : "root";
}

/** API field errors as (form field, error) pairs, the first error per field. */
export function formFieldErrors(errors: FieldError[], values: ProviderFormValues): [FormErrorTarget, { type: string; message: string }][] {
  const result = new Map<FormErrorTarget, { type: string; message: string }>();
  for (const error of errors) {
    const field = formFieldFor(error.path, values, /^header name|header names|managed by the HTTP client/i.test(error.message));
    if (!result.has(field)) result.set(field, { type: "server", message: error.message });
  }
  return [...result];
}

export function errorsToFormErrors(errors: FieldError[], values: ProviderFormValues): FieldErrors<ProviderFormValues> {
  return nest(Object.fromEntries(formFieldErrors(errors, values)));
}

/** react-hook-form wants nested errors: { headers: [ { name: {…} } ] }. */
function nest(flat: Record<string, unknown>) {
  const root: Record<string, unknown> = {};
  for (const [path, value] of Object.entries(flat)) {
    const parts = path.split(".");
    let node: Record<string, unknown> = root;
    parts.slice(0, -1).forEach((part, i) => {
      node[part] ??= /^\d+$/.test(parts[i + 1]) ? [] : {};
      node = node[part] as Record<string, unknown>;
    });
    node[parts[parts.length - 1]] = value;
  }
  return root;
}

function zodIssues(error: z.ZodError): FieldError[] {
  return error.issues.flatMap((issue) => {
    const path = issue.path.map(String).join(".");
    if (issue.code === "unrecognized_keys") return issue.keys.map((key) => ({ path: `${path}.${key}`, message: "Unknown field" }));
    const message = issue.code === "invalid_key" && issue.issues[0] ? `Header name: ${issue.issues[0].message}` : issue.message;
    return [{ path, message }];
  });
}

/** The API's schema, as a react-hook-form resolver. */
export function providerResolver(context: { original?: Provider; showForwarding: boolean }): Resolver<ProviderFormValues> {
  // Every field's error at once: the whole input goes through the API's own schema.
  return (values) => {
    const result = context.original
      ? providerPatchSchema.safeParse(toPatch(values, context.original, context.showForwarding))
      : createProviderSchema.safeParse(toCreateInput(values, context.showForwarding));
    if (result.success) return { values, errors: {} };
    return { values: {}, errors: errorsToFormErrors(zodIssues(result.error), values) };
  };
}
