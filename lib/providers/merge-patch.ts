// JSON Merge Patch (RFC 7396) for providers: omitted stays, null removes, objects merge.
import { createProviderSchema, type ProviderDocument, type ProviderPatch } from "@/lib/providers/schemas";
import { validationError } from "@/lib/api/errors";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(value: unknown): value is Record<string, Json> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** RFC 7396 §2, as written. */
export function mergePatch(target: Json | undefined, patch: Json): Json {
  if (!isObject(patch)) return patch;
  const result: Record<string, Json> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

/**
 * Applies a validated patch to a provider's current document and validates the result.
 * One deliberate refinement of RFC 7396: an icon patch that changes the icon's `type` replaces the
 * icon, since an emoji's fields mean nothing to a URL icon.
 */
export function applyProviderPatch(current: ProviderDocument, patch: ProviderPatch): ProviderDocument {
  const base = structuredClone(current) as unknown as Record<string, Json>;
  const currentIcon = current.icon;
  if (patch.icon && patch.icon.type && currentIcon && patch.icon.type !== currentIcon.type) delete base.icon;
  const merged = mergePatch(base, patch as unknown as Json) as Record<string, Json>;
  // Empty maps are the same as none.
  if (isObject(merged.headers) && Object.keys(merged.headers).length === 0) delete merged.headers;
  const result = createProviderSchema.safeParse(merged);
  if (!result.success) throw validationError(result.error);
  return result.data;
}

/** The names of what changed, for the audit log: "name", "headers.X-Api-Key", "configuration.timeout". */
export function changedFields(before: ProviderDocument, after: ProviderDocument): string[] {
  const changes: string[] = [];
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]) as Set<keyof ProviderDocument>;
  for (const key of keys) {
    const left = before[key] as Json | undefined;
    const right = after[key] as Json | undefined;
    if ((key === "headers" || key === "configuration" || key === "authentication") && (isObject(left) || isObject(right))) {
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

