// How secrets look in responses (SPEC §3): never in clear, never their length.
const MASK = "******";

/** Longer than 6 characters: first 2 and last 2 shown; otherwise only the mask. */
export function maskSecret(value: string): string {
  return value.length > 6 ? `${value.slice(0, 2)}${MASK}${value.slice(-2)}` : MASK;
}

/** Scheme and host only: paths and query strings often carry keys, and userinfo always does. */
export function maskUrl(value: string): string {
  try {
    const url = new URL(value);
    return `${url.protocol}//${url.host}/${MASK}`;
  } catch {
    return MASK;
  }
}

export function maskHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, maskSecret(value)]));
}
