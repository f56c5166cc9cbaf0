// A provider's version as an HTTP validator: the ETag is "3", and If-Match names one. No zod here:
// the browser bundle imports this file.
export function etagOf(version: number): string {
  return `"${version}"`;
}

/**
 * The version an If-Match header asks for: undefined for none or `*`; null for a value this API
 * never sent (which can match no version).
 */
export function versionFromIfMatch(header: string | null): number | undefined | null {
  if (header === null || header.trim() === "*") return undefined;
  const match = /^\s*(?:W\/)?"(\d{1,9})"\s*$/.exec(header);
  return match ? Number(match[1]) : null;
}
