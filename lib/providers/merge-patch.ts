// JSON Merge Patch (RFC 7396) for providers: omitted stays, null removes, objects merge.
import { validationError } from "@/lib/api/errors";
import { findHeaderName } from "@/lib/providers/header-rules";
import { createProviderSchema, type ProviderPatch } from "@/lib/providers/schemas";
import type { StoredProviderDocument } from "@/lib/providers/record";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(value: unknown): value is Record<string, Json> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** RFC 7396 §2, as written. */
export function mergePatch(target: Json | undefined, patch: Json): Json {
  if (!isObject(patch)) return patch;
  const result: Record<string, Json> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) Reflect.deleteProperty(result, key);
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

function originOf(url: string): string {
  return new URL(url).origin;
}

/** The server as a resource (origin and path): where its OAuth metadata, and so its authorization server, is found. */
function resourceOf(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}

export type PatchResult = {
  document: StoredProviderDocument;
  /** Stored secrets dropped because the server moved (another origin; for OAuth secrets, another path) and they were not sent again. */
  droppedSecrets: string[];
};

/**
 * Applies a validated patch to a provider's current document and validates the result. Where it
 * refines RFC 7396, it is for what the fields mean:
 * - header names are case-insensitive: `{"headers":{"x-old":null}}` removes a stored `X-Old`;
 * - an icon patch that changes the icon's `type` replaces the icon (an emoji's fields mean nothing
 *   to a URL icon);
 * - moving `server_url` to another origin drops the stored header values unless the patch sends
 *   them again — as browsers drop credentials on a cross-origin redirect — and moving it to another
 *   origin or path drops the OAuth client secrets and keys (they go to the authorization server the
 *   server at that path names), so an admin who can't read a secret can't send it where they choose.
 */
export function applyProviderPatch(current: StoredProviderDocument, patch: ProviderPatch): PatchResult {
  const base = structuredClone(current) as unknown as Record<string, Json>;
  const droppedSecrets: string[] = [];
  if (patch.icon?.type && current.icon && patch.icon.type !== current.icon.type) delete base.icon;

  if (patch.server_url !== undefined && originOf(patch.server_url) !== originOf(current.server_url)) {
    const sent = patch.headers ?? {};
    for (const name of Object.keys(current.headers ?? {})) {
      const resent = findHeaderName(sent, name);
      if (resent !== undefined && sent[resent] !== null) continue; // a new value comes with the patch
      if (isObject(base.headers)) Reflect.deleteProperty(base.headers, name);
      const removedAnyway = patch.headers === null || resent !== undefined;
      if (!removedAnyway) droppedSecrets.push(`headers.${name}`);
    }
  }
  // OAuth secrets go to the authorization server the server's own metadata names, and a server on
  // another path of the same host (another tenant) may name another: a move of the path drops them too.
  if (patch.server_url !== undefined && resourceOf(patch.server_url) !== resourceOf(current.server_url)) {
    for (const secret of ["client_secret", "private_key"] as const) {
      if (!current.authentication?.[secret] || patch.authentication?.[secret] !== undefined || patch.authentication === null) continue;
      if (isObject(base.authentication)) Reflect.deleteProperty(base.authentication, secret);
      droppedSecrets.push(`authentication.${secret}`);
    }
    if (current.identity_settings?.client_secret && patch.identity_settings?.client_secret === undefined && patch.identity_settings !== null) {
      if (isObject(base.identity_settings)) Reflect.deleteProperty(base.identity_settings, "client_secret");
      droppedSecrets.push("identity_settings.client_secret");
    }
  }

  // Header names match whatever their case: the patch's spelling replaces the stored one.
  if (isObject(base.headers) && patch.headers) {
    for (const name of Object.keys(patch.headers)) {
      const stored = findHeaderName(base.headers, name);
      if (stored !== undefined && stored !== name) Reflect.deleteProperty(base.headers, stored);
    }
  }

  const merged = mergePatch(base, patch) as Record<string, Json>;
  // Empty maps are the same as none.
  if (isObject(merged.headers) && Object.keys(merged.headers).length === 0) delete merged.headers;
  if (isObject(merged.identity_settings) && Object.keys(merged.identity_settings).length === 0) delete merged.identity_settings;
  // A mode this version doesn't know stays as it is unless the patch picks one.
  const keepUnsupported = current.identity_mode === "unsupported" && patch.identity_mode === undefined;
  if (keepUnsupported) merged.identity_mode = "off";
  const result = createProviderSchema.safeParse(merged);
  if (!result.success) throw validationError(result.error);
  return { document: keepUnsupported ? { ...result.data, identity_mode: "unsupported" } : result.data, droppedSecrets: droppedSecrets.sort() };
}

/** The names of what changed, for the audit log: "name", "headers.X-Api-Key", "configuration.timeout". */
export function changedFields(before: StoredProviderDocument, after: StoredProviderDocument): string[] {
  const changes: string[] = [];
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]) as Set<keyof StoredProviderDocument>;
  for (const key of keys) {
    const left = before[key] as Json | undefined;
    const right = after[key] as Json | undefined;
    if ((key === "headers" || key === "configuration" || key === "authentication" || key === "identity_settings" || key === "activity_recording") && (isObject(left) || isObject(right))) {
      const inner = new Set([...Object.keys(isObject(left) ? left : {}), ...Object.keys(isObject(right) ? right : {})]);
      for (const name of inner) {
        const a = isObject(left) ? left[name] : undefined;
        const b = isObject(right) ? right[name] : undefined;
        if (JSON.stringify(a) !== JSON.stringify(b)) changes.push(`${key}.${name}`);
      }
    } else if (JSON.stringify(left) !== JSON.stringify(right)) {
      changes.push(key);
    }
  }
  return changes.sort();
}
