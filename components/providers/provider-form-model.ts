// The provider form's values, and how they become an API create body or a merge patch of only
// what changed. Validation runs the API's own zod schemas on that body, and their errors are
// mapped back onto the form's fields — so the form can never accept what the API refuses.
import type { FieldErrors, FieldPath, Resolver } from "react-hook-form";
import type { z } from "zod";
import type { FieldError } from "@/lib/api/errors";
import { createProviderSchema, LIMITS, providerPatchSchema, type CreateProviderInput, type OAuthConnectionKind, type Provider, type ProviderPatch } from "@/lib/providers/schemas";

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
  client_id: string;
  client_secret: string;
  timeout: string;
  sse_read_timeout: string;
  forwarding: boolean;
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
    client_id: "",
    client_secret: "",
    timeout: String(LIMITS.timeout.default),
    sse_read_timeout: String(LIMITS.sseReadTimeout.default),
    forwarding: false,
  };
}

export function formValuesFromProvider(provider: Provider): ProviderFormValues {
  return {
    server_url: "", // secret: the stored URL is kept unless a new one is typed
    name: provider.name,
    icon_emoji: provider.icon?.type === "emoji" ? provider.icon.content : "",
    icon_background: provider.icon?.type === "emoji" ? provider.icon.background : DEFAULT_ICON_BACKGROUND,
    server_identifier: provider.server_identifier,
    headers: Object.entries(provider.headers).map(([name, masked]) => ({ name, value: "", stored: true, masked })),
    auth_mode: provider.authentication?.connection ?? "none",
    oauth_scope: provider.authentication?.scope ?? "",
    client_id: provider.authentication?.client_id ?? "",
    client_secret: "",
    timeout: String(provider.configuration.timeout),
    sse_read_timeout: String(provider.configuration.sse_read_timeout),
    forwarding: provider.identity_mode !== "off",
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
            ...(values.client_id.trim() ? { client_id: values.client_id } : {}),
            ...(values.client_secret ? { client_secret: values.client_secret } : {}),
            ...(values.oauth_scope.trim() ? { scope: values.oauth_scope } : {}),
          },
        }
      : {}),
    configuration: { timeout: toNumber(values.timeout), sse_read_timeout: toNumber(values.sse_read_timeout) },
    ...(showForwarding ? { identity_mode: values.forwarding ? "idp_token" : "off" } : {}),
  };
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
    const clientId = values.client_id.trim();
    if (clientId !== (auth?.client_id ?? "")) changes.client_id = clientId ? values.client_id : null;
    if (values.client_secret) changes.client_secret = values.client_secret;
    else if (!clientId && auth?.client_secret) changes.client_secret = null;
    const scope = values.oauth_scope.trim();
    if (scope !== (auth?.scope ?? "")) changes.scope = scope ? values.oauth_scope : null;
    if (Object.keys(changes).length) patch.authentication = changes;
  }

  const configuration: NonNullable<ProviderPatch["configuration"]> = {};
  if (values.timeout !== String(original.configuration.timeout)) configuration.timeout = toNumber(values.timeout);
  if (values.sse_read_timeout !== String(original.configuration.sse_read_timeout)) configuration.sse_read_timeout = toNumber(values.sse_read_timeout);
  if (Object.keys(configuration).length) patch.configuration = configuration;

  if (showForwarding && values.forwarding !== (original.identity_mode !== "off")) patch.identity_mode = values.forwarding ? "idp_token" : "off";
  return patch;
}

/** A place an error can be shown: a form field, or the form as a whole. */
export type FormErrorTarget = FieldPath<ProviderFormValues> | "root";

const TOP_LEVEL_FIELDS: readonly string[] = ["server_url", "name", "server_identifier", "headers"] satisfies FieldPath<ProviderFormValues>[];

/** Where an API field path lands in the form. */
export function formFieldFor(path: string, values: ProviderFormValues, keyProblem = false): FormErrorTarget {
  const [head = "", ...rest] = path.split(".");
  const tail = rest.join(".");
  if (head === "icon") return tail === "background" ? "icon_background" : "icon_emoji";
  if (head === "authentication") return tail === "client_secret" ? "client_secret" : tail === "scope" ? "oauth_scope" : tail === "client_id" ? "client_id" : "auth_mode";
  if (head === "configuration") return tail === "sse_read_timeout" ? "sse_read_timeout" : "timeout";
  if (head === "identity_mode") return "forwarding";
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
