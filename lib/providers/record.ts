// Between a provider's stored row (secrets encrypted) and its document (secrets in clear, server
// side only) and its response shape (secrets masked). Stored values are parsed here, at the
// boundary: nothing past this file sees an unchecked column.
import "server-only";
import { z } from "zod";
import { recordingOf } from "@/lib/activity/recording";
import type { McpProvider } from "@/generated/sqlite/client";
import { secrets } from "@/lib/crypto";
import { env } from "@/lib/env";
import { isForwardingActive, parseStoredIdentityMode, type StoredIdentityMode } from "@/lib/identity/modes";
import { log } from "@/lib/log";
import { HEADER_VALUE, isForbiddenHeader } from "@/lib/providers/header-rules";
import { maskHeaders, maskSecret, maskUrl } from "@/lib/providers/masking";
import { DISCOVERY_FAILURES, iconSchema, isInteractive, OAUTH_GRANTS, publicIdentitySettingsSchema, type Discovery, type IdentitySettings, type OAuthConnectionKind, type OAuthGrant, type Provider, type ProviderDocument } from "@/lib/providers/schemas";
import { toolSchema, type StoredTool } from "@/lib/providers/tool-schemas";

export type ProviderRow = McpProvider;

/** What a response needs of a row: no secret in any form but the masked one. */
export const SHOWN_ROW_OMITS = { serverUrlEncrypted: true, headersEncrypted: true, clientSecretEncrypted: true, clientKeyEncrypted: true, identityClientSecretEncrypted: true, tools: true } as const;
export type ShownRow = Omit<ProviderRow, keyof typeof SHOWN_ROW_OMITS>;

/** A document as stored: its identity mode may be one this version doesn't know. */
export type StoredProviderDocument = Omit<ProviderDocument, "identity_mode"> & { identity_mode: StoredIdentityMode };

/** The form two URLs are compared in for uniqueness: parsed, fragment dropped. */
export function normaliseUrl(value: string): string {
  const url = new URL(value.trim());
  url.hash = "";
  return url.href;
}

function box() {
  return secrets(env().encryptionKey);
}

/** Columns for a document; the row's identity and bookkeeping columns are the caller's. */
export function toColumns(doc: StoredProviderDocument) {
  const secretBox = box();
  const encrypt = (value: string) => secretBox.encrypt(value);
  const headers = doc.headers && Object.keys(doc.headers).length > 0 ? doc.headers : undefined;
  return {
    name: doc.name,
    serverIdentifier: doc.server_identifier,
    serverUrlEncrypted: encrypt(doc.server_url),
    serverUrlHash: secretBox.hash(normaliseUrl(doc.server_url)),
    icon: doc.icon ? JSON.stringify(doc.icon) : null,
    headersEncrypted: headers ? encrypt(JSON.stringify(headers)) : null,
    authType: doc.authentication ? "oauth" : null,
    oauthConnection: doc.authentication?.connection ?? null,
    oauthScope: doc.authentication?.scope ?? null,
    clientId: doc.authentication?.client_id ?? null,
    clientSecretEncrypted: doc.authentication?.client_secret ? encrypt(doc.authentication.client_secret) : null,
    oauthGrant: doc.authentication && !isInteractive(doc.authentication.grant_type) ? (doc.authentication.grant_type ?? null) : null,
    clientKeyEncrypted: doc.authentication?.private_key ? encrypt(doc.authentication.private_key) : null,
    ...maskedColumns(doc),
    timeout: doc.configuration.timeout,
    sseReadTimeout: doc.configuration.sse_read_timeout,
    disabledTools: JSON.stringify(doc.tool_policy.disabled),
    askTools: JSON.stringify(doc.tool_policy.ask),
    recordArguments: doc.activity_recording.arguments,
    recordResults: doc.activity_recording.results,
    // An unsupported stored mode is left exactly as it was.
    ...(doc.identity_mode === "unsupported" ? {} : { identityMode: doc.identity_mode }),
    ...identitySettingsColumns(doc.identity_settings, encrypt),
  };
}

function identitySettingsColumns(settings: IdentitySettings | undefined, encrypt: (value: string) => string) {
  const { client_secret, ...shown } = settings ?? {};
  return {
    identitySettings: Object.keys(shown).length > 0 ? JSON.stringify(shown) : null,
    identityClientSecretEncrypted: client_secret ? encrypt(client_secret) : null,
  };
}

/** The identity settings a row holds, without the client secret (see identityClientSecret). Nothing is decrypted. */
export function identitySettingsOf(row: Pick<ProviderRow, "id" | "identitySettings">): Omit<IdentitySettings, "client_secret"> {
  return (row.identitySettings ? parseStoredJson(publicIdentitySettingsSchema, row.identitySettings, "identity_settings", row) : undefined) ?? {};
}

/** The id_jag client's secret, decrypted: only when it is about to be sent to the server's authorization server. */
export function identityClientSecret(row: Pick<ProviderRow, "identityClientSecretEncrypted">): string | undefined {
  return row.identityClientSecretEncrypted ? box().decrypt(row.identityClientSecretEncrypted) : undefined;
}

// Stored headers are read as today's rules allow: a header refused since it was stored (one the MCP
// transport owns, a value the HTTP client rejects) is left out, and drops away at the next write.
const storedHeadersSchema = z
  .record(z.string(), z.string())
  .transform((headers) => Object.fromEntries(Object.entries(headers).filter(([name, value]) => !isForbiddenHeader(name) && HEADER_VALUE.test(value))));

/** A provider JSON column read through `schema`; unreadable is logged and undefined. */
export function parseStoredJson<S extends z.ZodType>(schema: S, text: string, what: string, row: { id: string }): z.output<S> | undefined {
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data;
  } catch {
    // fall through
  }
  log.warn({ providerId: row.id, column: what }, "a stored provider value could not be read; it is ignored");
  return undefined;
}

/** What a call to the server needs of a row, decrypted: its URL and headers, and no other secret. Never send this out. */
export function callTarget(row: ProviderRow): Pick<StoredProviderDocument, "server_url" | "headers"> {
  const secretBox = box();
  const headers = row.headersEncrypted ? parseStoredJson(storedHeadersSchema, secretBox.decrypt(row.headersEncrypted), "headers", row) : undefined;
  return { server_url: secretBox.decrypt(row.serverUrlEncrypted), ...(headers ? { headers } : {}) };
}

/** Decrypts a row. Only for merging a patch and for calling the server: never send this out. */
export function toDocument(row: ProviderRow): StoredProviderDocument {
  const secretBox = box();
  const decrypt = (sealed: string) => secretBox.decrypt(sealed);
  const icon = row.icon ? parseStoredJson(iconSchema, row.icon, "icon", row) : undefined;
  return {
    name: row.name,
    server_identifier: row.serverIdentifier,
    ...callTarget(row),
    ...(icon ? { icon } : {}),
    ...(row.authType === "oauth"
      ? {
          authentication: {
            type: "oauth" as const,
            connection: oauthConnectionOf(row),
            ...(row.clientId ? { client_id: row.clientId } : {}),
            ...(row.clientId && row.clientSecretEncrypted ? { client_secret: decrypt(row.clientSecretEncrypted) } : {}),
            ...(row.clientId && row.clientKeyEncrypted ? { private_key: decrypt(row.clientKeyEncrypted) } : {}),
            ...(oauthGrantOf(row) !== "authorization_code" ? { grant_type: oauthGrantOf(row) } : {}),
            ...(row.oauthScope ? { scope: row.oauthScope } : {}),
          },
        }
      : {}),
    configuration: { timeout: row.timeout, sse_read_timeout: row.sseReadTimeout },
    identity_mode: parseStoredIdentityMode(row.identityMode),
    ...storedIdentitySettings(row, decrypt),
    tool_policy: { disabled: parseDisabledTools(row), ask: parseAskTools(row) },
    activity_recording: recordingOf(row),
  };
}

function storedIdentitySettings(row: ProviderRow, decrypt: (sealed: string) => string): { identity_settings?: IdentitySettings } {
  const settings = { ...identitySettingsOf(row), ...(row.identityClientSecretEncrypted ? { client_secret: decrypt(row.identityClientSecretEncrypted) } : {}) };
  return Object.keys(settings).length > 0 ? { identity_settings: settings } : {};
}

/**
 * What a provider's OAuth tokens are made for: the server, the client and the kind of connection.
 * Tokens made for other settings are never sent, and a save that changes these ends connections.
 */
export function oauthBinding(doc: Pick<StoredProviderDocument, "server_url" | "authentication">): string {
  const grant = doc.authentication?.grant_type ?? "authorization_code";
  // Tokens of the default grant keep the binding they had before grants were configurable.
  return `${doc.server_url}\0${doc.authentication?.client_id ?? ""}\0${doc.authentication?.connection ?? ""}${grant === "authorization_code" ? "" : `\0${grant}`}`;
}

/** How a row's tokens are had; a value this version doesn't know is the interactive default. */
export function oauthGrantOf(row: Pick<ProviderRow, "oauthGrant">): OAuthGrant {
  return (OAUTH_GRANTS as readonly string[]).includes(row.oauthGrant ?? "") ? (row.oauthGrant as OAuthGrant) : "authorization_code";
}

/** How a row's OAuth connections are kept; a value this version doesn't know is the safer per-user one. */
export function oauthConnectionOf(row: Pick<ProviderRow, "oauthConnection">): OAuthConnectionKind {
  return row.oauthConnection === "shared" ? "shared" : "per_user";
}

/** Whether calls to this provider carry an OAuth connection's token, and whose (read from the row: nothing is decrypted). */
export function oauthOf(row: Pick<ProviderRow, "authType" | "oauthConnection">): OAuthConnectionKind | undefined {
  return row.authType === "oauth" ? oauthConnectionOf(row) : undefined;
}

/** The tools an admin turned off, as stored on the row. */
export function parseDisabledTools(row: Pick<ProviderRow, "id" | "disabledTools">): string[] {
  return parseStoredJson(z.array(z.string()), row.disabledTools, "disabled_tools", row) ?? [];
}

/** The tools that ask their caller first, as stored on the row. */
export function parseAskTools(row: Pick<ProviderRow, "id" | "askTools">): string[] {
  return parseStoredJson(z.array(z.string()), row.askTools, "ask_tools", row) ?? [];
}

// A row's tool policy, read once per row object: every gateway POST asks, and rows come from the
// list cache (lib/providers/list-cache.ts), the same object until the provider changes.
const policySets = new WeakMap<ProviderRow, { disabled: ReadonlySet<string>; ask: ReadonlySet<string> }>();

function policySetsOf(row: ProviderRow) {
  let sets = policySets.get(row);
  if (sets === undefined) {
    sets = { disabled: new Set(parseDisabledTools(row)), ask: new Set(parseAskTools(row)) };
    policySets.set(row, sets);
  }
  return sets;
}

/** The tools an admin turned off, as a set. */
export function disabledToolsOf(row: ProviderRow): ReadonlySet<string> {
  return policySetsOf(row).disabled;
}

/** The tools whose calls wait for their caller's confirmation, as a set. */
export function askToolsOf(row: ProviderRow): ReadonlySet<string> {
  return policySetsOf(row).ask;
}

/** The tools the last shared discovery stored on the row (or a user's own view). */
export function parseStoredTools(tools: string): StoredTool[] {
  try {
    const parsed = z.array(toolSchema).safeParse(JSON.parse(tools));
    return parsed.success ? parsed.data : [];
  } catch {
    return [];
  }
}

// A discovery runs at most twice the timeout (connect, then list); one still "pending" well after
// that was lost with the instance that ran it.
const PENDING_GRACE_MS = 15_000;

function discoveryOf(row: ShownRow): Discovery {
  const checkedAt = row.discoveryAt?.toISOString() ?? null;
  const failure = (DISCOVERY_FAILURES as readonly string[]).includes(row.discoveryFailure ?? "") ? (row.discoveryFailure as Discovery["failure"]) : null;
  switch (row.discoveryStatus) {
    case "pending": {
      const lost = !row.discoveryAt || Date.now() - row.discoveryAt.getTime() > 2 * row.timeout * 1000 + PENDING_GRACE_MS;
      if (lost) return { status: "failed", failure: "timeout", message: "The last check did not finish. Try Refresh tools.", checked_at: checkedAt };
      return { status: "pending", failure: null, message: null, checked_at: checkedAt };
    }
    case "ok":
      return { status: "ok", failure: null, message: null, checked_at: checkedAt };
    case "failed":
      return { status: "failed", failure, message: row.discoveryMessage, checked_at: checkedAt };
    default:
      return { status: "unknown", failure: null, message: null, checked_at: checkedAt };
  }
}

/** The masked forms a response shows, computed when the secrets are written. */
export function maskedColumns(doc: Pick<StoredProviderDocument, "server_url" | "headers" | "authentication" | "identity_settings">) {
  const headers = doc.headers && Object.keys(doc.headers).length > 0 ? doc.headers : undefined;
  return {
    serverUrlMasked: maskUrl(doc.server_url),
    headersMasked: headers ? JSON.stringify(maskHeaders(headers)) : null,
    clientSecretMasked: doc.authentication?.client_secret ? maskSecret(doc.authentication.client_secret) : null,
    identityClientSecretMasked: doc.identity_settings?.client_secret ? maskSecret(doc.identity_settings.client_secret) : null,
    clientKeyMasked: doc.authentication?.private_key ? maskSecret(doc.authentication.private_key.trim()) : null,
  };
}

const maskedHeadersSchema = z.record(z.string(), z.string());

function shownIdentitySettings(row: ShownRow): Provider["identity_settings"] {
  const settings = identitySettingsOf(row);
  if (Object.keys(settings).length === 0 && !row.identityClientSecretMasked) return null;
  return {
    subject_token_type: settings.subject_token_type ?? null,
    profile: settings.profile ?? null,
    scope: settings.scope ?? null,
    client_id: settings.client_id ?? null,
    client_secret: row.identityClientSecretMasked,
  };
}

/** A provider as the API shows it, from its row's masked columns: nothing is decrypted. */
export function toProvider(row: ShownRow): Provider {
  const mode = parseStoredIdentityMode(row.identityMode);
  const icon = row.icon ? parseStoredJson(iconSchema, row.icon, "icon", row) : undefined;
  const headers = row.headersMasked ? parseStoredJson(maskedHeadersSchema, row.headersMasked, "headers_masked", row) : undefined;
  return {
    id: row.id,
    name: row.name,
    server_identifier: row.serverIdentifier,
    server_url: row.serverUrlMasked ?? "******",
    icon: icon ?? null,
    headers: headers ?? {},
    authentication:
      row.authType === "oauth"
        ? {
            type: "oauth",
            connection: oauthConnectionOf(row),
            grant_type: oauthGrantOf(row),
            client_id: row.clientId,
            client_secret: row.clientId ? row.clientSecretMasked : null,
            private_key: row.clientId ? row.clientKeyMasked : null,
            scope: row.oauthScope,
          }
        : null,
    configuration: { timeout: row.timeout, sse_read_timeout: row.sseReadTimeout },
    identity_mode: mode,
    identity_forwarding_active: isForwardingActive(mode, env().ENTERPRISE_ENABLED),
    identity_settings: shownIdentitySettings(row),
    tool_policy: { disabled: parseDisabledTools(row), ask: parseAskTools(row) },
    activity_recording: recordingOf(row),
    authed: row.authed,
    tools_count: row.toolsCount,
    tools_fetched_at: row.toolsFetchedAt?.toISOString() ?? null,
    discovery: discoveryOf(row),
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
    version: row.version,
  };
}
