// Where a provider's server is and the headers it was given, decrypted once per row object (rows
// come from the list cache, the same object until the provider changes), and what is left of them
// when the caller's own credential goes instead.
import "server-only";
import { isCredentialName } from "@/lib/providers/header-rules";
import { callTarget, type ProviderRow } from "@/lib/providers/record";

export type Target = { serverUrl: string; headers: Record<string, string> };

const targets = new WeakMap<ProviderRow, Target>();

export function targetOf(row: ProviderRow): Target {
  let target = targets.get(row);
  if (!target) {
    const { server_url, headers } = callTarget(row);
    target = { serverUrl: server_url, headers: headers ?? {} };
    targets.set(row, target);
  }
  return target;
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

/** The target with none of the provider's credentials, carrying `token` as Authorization. */
export function bearerOnly(target: Target, token: string): Pick<Target, "headers"> & { url: string } {
  return { url: withoutCredentialParams(target.serverUrl), headers: { ...withoutCredentialHeaders(target.headers), Authorization: `Bearer ${token}` } };
}
