// Which request headers a provider may set, and which of them carry credentials — one list each,
// read by validation, the MCP client, identity forwarding and the dialog. No zod here: the
// browser bundle imports this file.

// The HTTP client owns hop-by-hop and framing headers.
const HTTP_CLIENT_HEADERS = [
  "host", "content-length", "connection", "transfer-encoding", "keep-alive", "proxy-connection",
  "proxy-authorization", "proxy-authenticate", "te", "trailer", "upgrade", "expect",
];

// The MCP transport owns these: a fixed Mcp-Session-Id would put every user in one server session,
// and a fixed Accept or Content-Type breaks the protocol. Cookies are the server's to set.
const MCP_TRANSPORT_HEADERS = ["mcp-session-id", "mcp-protocol-version", "content-type", "accept", "last-event-id", "cookie"];

export const FORBIDDEN_HEADERS: ReadonlySet<string> = new Set([...HTTP_CLIENT_HEADERS, ...MCP_TRANSPORT_HEADERS]);

export function isForbiddenHeader(name: string): boolean {
  return FORBIDDEN_HEADERS.has(name.toLowerCase());
}

// Names that carry a credential — of headers, and of query parameters in a server URL. With
// identity forwarding active none of them is sent: the call carries only the user's own token.
// Unknown names are judged by what they contain, erring on the side of not sending.
const CREDENTIAL_NAMES: ReadonlySet<string> = new Set([
  "authorization", "cookie", "x-api-key", "api-key", "apikey", "x-auth-token", "x-access-token", "x-token",
  "private-token", "x-goog-api-key", "ocp-apim-subscription-key", "x-functions-key", "x-amz-security-token",
  "code", "sig", "signature",
]);
const CREDENTIAL_PART = /authoriz|authent|token|secret|passw|credential|bearer|cookie|signature|session|api[-_]?key|access[-_]?key|private[-_]?key|client[-_]?key/;
const CREDENTIAL_SEGMENT = /(^|[-_.])(key|keys|auth|sig|pwd|pass|jwt)([-_.]|$)/;

export function isCredentialName(name: string): boolean {
  const lower = name.toLowerCase();
  return CREDENTIAL_NAMES.has(lower) || CREDENTIAL_PART.test(lower) || CREDENTIAL_SEGMENT.test(lower);
}

/** RFC 9110 token. */
export const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Visible ASCII, spaces and tabs: what every HTTP client sends unchanged. */
export const HEADER_VALUE = /^[\t\x20-\x7E]*$/;

/** The entry of `headers` whose name equals `name` ignoring case (header names are case-insensitive). */
export function findHeaderName(headers: Record<string, unknown>, name: string): string | undefined {
  const lower = name.toLowerCase();
  return Object.keys(headers).find((key) => key.toLowerCase() === lower);
}
