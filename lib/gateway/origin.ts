// Who may call the gateway from a web page. A request with an Origin is a browser's: it is served
// only for the console's own origin and the origins an operator lists in MCP_CORS_ORIGINS — any
// other is 403, which is what keeps DNS rebinding out (the transport spec's requirement). Listed
// origins get CORS answers; credentials are Bearer tokens only, never cookies, so CORS never
// allows credentials.
import "server-only";
import { env, parseOrigins } from "@/lib/env";

let parsed: { source: string | undefined; origins: Set<string> } | undefined;

function corsOrigins(): Set<string> {
  const source = env().MCP_CORS_ORIGINS;
  if (!parsed || parsed.source !== source) parsed = { source, origins: new Set(parseOrigins(source)) };
  return parsed.origins;
}

function normalise(origin: string): string | undefined {
  try {
    return new URL(origin).origin;
  } catch {
    return undefined;
  }
}

/** No Origin (a non-browser client), the console's own, or a listed one. */
export function originAllowed(origin: string | null): boolean {
  if (origin === null) return true;
  const normalised = normalise(origin);
  if (!normalised || normalised === "null") return false;
  return normalised === new URL(env().NEXTAUTH_URL).origin || corsOrigins().has(normalised);
}

const EXPOSED = ["mcp-session-id", "mcp-protocol-version", "www-authenticate", "x-request-id"].join(", ");
const ALLOWED_HEADERS = ["authorization", "content-type", "accept", "mcp-protocol-version", "mcp-session-id", "mcp-method", "mcp-name", "last-event-id", "traceparent", "tracestate"];
const TOKEN = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;

/** The CORS headers for a listed origin's request (none for anyone else). */
export function corsHeaders(origin: string | null): Record<string, string> {
  const normalised = origin === null ? undefined : normalise(origin);
  if (!normalised || !corsOrigins().has(normalised)) return {};
  return { "access-control-allow-origin": normalised, "access-control-expose-headers": EXPOSED, vary: "Origin" };
}

/** The answer to a preflight: which methods and headers a listed origin may use (Mcp-Param-* as asked). */
export function preflight(req: { headers: Pick<Headers, "get"> }, methods: readonly string[]): Response {
  const origin = req.headers.get("origin");
  const cors = corsHeaders(origin);
  if (!cors["access-control-allow-origin"]) return new Response(null, { status: originAllowed(origin) ? 204 : 403, headers: { allow: [...methods, "OPTIONS"].join(", ") } });
  const asked = (req.headers.get("access-control-request-headers") ?? "").split(",").map((name) => name.trim().toLowerCase()).filter((name) => TOKEN.test(name));
  const headers = [...new Set([...ALLOWED_HEADERS, ...asked.filter((name) => name.startsWith("mcp-param-"))])];
  return new Response(null, {
    status: 204,
    headers: { ...cors, "access-control-allow-methods": [...methods, "OPTIONS"].join(", "), "access-control-allow-headers": headers.join(", "), "access-control-max-age": "600" },
  });
}
