// Where a provider's server is and the headers it was given, decrypted, and what is left of them
// when the caller's own credential goes instead.
import "server-only";
import { isCredentialName } from "@/lib/providers/header-rules";
import { callTarget, type ProviderRow } from "@/lib/providers/record";

export type Target = { serverUrl: string; headers: Record<string, string> };

export function targetOf(row: ProviderRow): Target {
  const { server_url, headers } = callTarget(row);
  return { serverUrl: server_url, headers: Object.freeze(headers ?? {}) };
}

export function withoutCredentialHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !isCredentialName(name)));
}

/** The URL without query parameters whose names say they carry a credential (api_key, token, sig…). */
export function withoutCredentialParams(serverUrl: string): string {
  const url = new URL(serverUrl);
  for (const name of [...url.searchParams.keys()]) if (isCredentialName(name)) url.searchParams.delete(name);
  return url.href;
}

// A target is made once per cached row (lib/credentials/connection.ts): it is stripped once, not on every call.
const stripped = new WeakMap<Target, { url: string; headers: Record<string, string> }>();

/** The target with none of the provider's credentials, carrying `token` as Authorization. */
export function bearerOnly(target: Target, token: string): Pick<Target, "headers"> & { url: string } {
  let bare = stripped.get(target);
  if (!bare) {
    bare = { url: withoutCredentialParams(target.serverUrl), headers: withoutCredentialHeaders(target.headers) };
    stripped.set(target, bare);
  }
  return { url: bare.url, headers: { ...bare.headers, Authorization: `Bearer ${token}` } };
}
