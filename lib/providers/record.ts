// Between a provider's stored row (secrets encrypted) and its document (secrets in clear, server
// side only) and its response shape (secrets masked).
import "server-only";
import type { McpProvider } from "@/generated/sqlite/client";
import { secrets } from "@/lib/crypto";
import { env } from "@/lib/env";
import { isForwardingActive, type IdentityMode } from "@/lib/identity/modes";
import { maskHeaders, maskSecret, maskUrl } from "@/lib/providers/masking";
import type { Provider, ProviderDocument } from "@/lib/providers/schemas";

export type ProviderRow = McpProvider;

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
export function toColumns(doc: ProviderDocument) {
  const { encrypt, hash } = box();
  const headers = doc.headers && Object.keys(doc.headers).length > 0 ? doc.headers : undefined;
  return {
    name: doc.name,
    serverIdentifier: doc.server_identifier,
    serverUrlEncrypted: encrypt(doc.server_url),
    serverUrlHash: hash(normaliseUrl(doc.server_url)),
    icon: doc.icon ? JSON.stringify(doc.icon) : null,
    headersEncrypted: headers ? encrypt(JSON.stringify(headers)) : null,
    clientId: doc.authentication?.client_id ?? null,
    clientSecretEncrypted: doc.authentication?.client_secret ? encrypt(doc.authentication.client_secret) : null,
    timeout: doc.configuration.timeout,
    sseReadTimeout: doc.configuration.sse_read_timeout,
    identityMode: doc.identity_mode,
  };
}

/** Decrypts a row. Only for merging a patch and for calling the server: never send this out. */
export function toDocument(row: ProviderRow): ProviderDocument {
  const { decrypt } = box();
  return {
    name: row.name,
    server_identifier: row.serverIdentifier,
    server_url: decrypt(row.serverUrlEncrypted),
    ...(row.icon ? { icon: JSON.parse(row.icon) } : {}),
    ...(row.headersEncrypted ? { headers: JSON.parse(decrypt(row.headersEncrypted)) } : {}),
    ...(row.clientId
      ? {
          authentication: {
            client_id: row.clientId,
            ...(row.clientSecretEncrypted ? { client_secret: decrypt(row.clientSecretEncrypted) } : {}),
          },
        }
      : {}),
    configuration: { timeout: row.timeout, sse_read_timeout: row.sseReadTimeout },
    identity_mode: row.identityMode as IdentityMode,
  };
}

export function toProvider(row: ProviderRow): Provider {
  const doc = toDocument(row);
  return {
    id: row.id,
    name: row.name,
    server_identifier: row.serverIdentifier,
    server_url: maskUrl(doc.server_url),
    icon: doc.icon ?? null,
    headers: maskHeaders(doc.headers ?? {}),
    authentication: doc.authentication
      ? { client_id: doc.authentication.client_id, client_secret: doc.authentication.client_secret ? maskSecret(doc.authentication.client_secret) : null }
      : null,
    configuration: doc.configuration,
    identity_mode: doc.identity_mode,
    identity_forwarding_active: isForwardingActive(row.identityMode, env().ENTERPRISE_ENABLED),
    authed: row.authed,
    tools_count: countTools(row.tools),
    tools_fetched_at: row.toolsFetchedAt?.toISOString() ?? null,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
    version: row.version,
  };
}

function countTools(tools: string): number {
  try {
    const parsed = JSON.parse(tools);
    return Array.isArray(parsed) ? parsed.length : 0;
  } catch {
    return 0;
  }
}
