// Where an MCP client may have its authorization sent: the MCP authorization spec allows https and
// loopback http only, and RFC 8252 §7.1 adds a native app's private-use scheme (a reverse domain
// name it owns, `com.example.app:/callback`). Registrations and Client ID Metadata Documents alike.
const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);
// A reverse domain name: at least one dot, so no `javascript:`, `data:` or `file:`.
const PRIVATE_USE_SCHEME = /^[a-z][a-z0-9+-]*(\.[a-z0-9+-]+)+:$/;

export const REDIRECT_URI_RULE = "redirect_uris must be https, loopback http (localhost, 127.0.0.1, [::1]) or a private-use scheme such as com.example.app:/callback";

export function allowedRedirectUri(value: unknown): boolean {
  const url = typeof value === "string" ? URL.parse(value) : null;
  if (!url) return false;
  if (url.protocol === "https:") return true;
  if (url.protocol === "http:") return LOOPBACK_HOSTS.has(url.hostname);
  return PRIVATE_USE_SCHEME.test(url.protocol);
}

export function isPrivateUseRedirectUri(value: unknown): boolean {
  const url = typeof value === "string" ? URL.parse(value) : null;
  return url !== null && PRIVATE_USE_SCHEME.test(url.protocol);
}

/**
 * What the consent screen names as the destination: an http(s) URI's host, or a private-use
 * scheme's name. Never the host in a private-use URI (`com.evil.app://claude.ai/cb`): whichever app
 * claims the scheme gets the answer, whatever host it writes after it.
 */
export function redirectDestination(redirectUri: string): string | undefined {
  const url = URL.parse(redirectUri);
  if (!url) return undefined;
  if (url.protocol === "https:" || url.protocol === "http:") return url.host || undefined;
  return PRIVATE_USE_SCHEME.test(url.protocol) ? url.protocol : undefined;
}
