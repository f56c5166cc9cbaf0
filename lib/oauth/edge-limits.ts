// What the authorization server refuses before it runs, so a refused request stores nothing: too
// many requests from one address (IPv6 counted by /64) at the endpoints anyone may call and that
// write rows — authorization (an interaction per request), token, registration — and requests
// larger than any MCP client sends (an authorization request's parameters are kept with it).
import "server-only";
import type { IncomingMessage, ServerResponse } from "node:http";
import { CLIENT_ADDRESS_HEADER } from "@/lib/edge/client-address.mjs";
import { clientAddress, hit, LIMITS, type Limit } from "@/lib/rate-limit";

/** Longest single parameter: a Client ID Metadata Document URL, a redirect URI, a state. */
export const MAX_PARAMETER_LENGTH = 2048;
/** Largest authorization request (its query or form) and largest body of any other request. */
export const MAX_REQUEST_BYTES = 16 * 1024;

// Every method but a CORS preflight counts: oidc-provider's router serves each GET route to HEAD
// too (HEAD /auth stores an interaction), and a method a route doesn't serve costs a request anyway.
const LIMITED: { path: RegExp; limit: Limit; overall?: Limit; what: string }[] = [
  { path: /^\/(auth|request)\/?$/, limit: LIMITS.authorizationPerAddress, overall: LIMITS.authorizationOverall, what: "authorization requests" },
  // A token request writes only when it presents a live code or refresh token: per address is enough.
  { path: /^\/token\/?$/, limit: LIMITS.tokenRequestsPerAddress, what: "token requests" },
  { path: /^\/reg\/?$/, limit: LIMITS.clientRegistrationPerAddress, overall: LIMITS.clientRegistrationOverall, what: "client registrations" },
];

function refuse(res: ServerResponse, status: number, error: string, description: string, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store", ...headers });
  res.end(JSON.stringify({ error, error_description: description }));
}

function clientAddressOf(req: IncomingMessage): string {
  const stamp = req.headers[CLIENT_ADDRESS_HEADER];
  return clientAddress({ headers: new Headers(typeof stamp === "string" ? { [CLIENT_ADDRESS_HEADER]: stamp } : {}) });
}

/**
 * An oversize request's refusal (413 for a body, 400 for a parameter), or undefined. Authorization
 * requests come as a query only: oidc-provider serves no POST to /auth, and /request (PAR) is off.
 */
function oversize(req: IncomingMessage, pathname: string, query: string): { status: number; detail: string } | undefined {
  if (req.method === "POST") {
    const length = Number(req.headers["content-length"] ?? (req.headers["transfer-encoding"] ? NaN : 0));
    if (!Number.isFinite(length) || length > MAX_REQUEST_BYTES) return { status: 413, detail: `Requests to the authorization server carry at most ${MAX_REQUEST_BYTES} bytes, with a Content-Length` };
  }
  if (!/^\/(auth|request)\/?$/.test(pathname)) return undefined;
  if (query.length > MAX_REQUEST_BYTES) return { status: 400, detail: `An authorization request carries at most ${MAX_REQUEST_BYTES} bytes of parameters` };
  for (const [name, value] of new URLSearchParams(query)) {
    if (value.length > MAX_PARAMETER_LENGTH) return { status: 400, detail: `The ${name.slice(0, 40)} parameter is longer than ${MAX_PARAMETER_LENGTH} characters` };
  }
  return undefined;
}

/**
 * Answers and returns true when the request is refused; `path` is relative to the /oidc mount.
 * oidc-provider routes case-insensitively and decodes the path: so do these checks.
 */
export async function refusedAtEdge(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
  const at = path.indexOf("?");
  const raw = at === -1 ? path : path.slice(0, at);
  let pathname: string;
  try {
    pathname = decodeURIComponent(raw).toLowerCase();
  } catch {
    pathname = raw.toLowerCase(); // not valid percent-encoding: no route of the authorization server matches it
  }
  const query = at === -1 ? "" : path.slice(at + 1);
  const tooLarge = oversize(req, pathname, query);
  if (tooLarge) {
    refuse(res, tooLarge.status, "invalid_request", tooLarge.detail);
    return true;
  }
  const limited = req.method === "OPTIONS" ? undefined : LIMITED.find((entry) => entry.path.test(pathname));
  if (!limited) return false;
  // If the count can't be had, refuse: each of these requests writes rows.
  const count = (limit: Limit, subject: string) => hit(limit, subject).catch(() => 60);
  const retryAfter = await count(limited.limit, clientAddressOf(req));
  if (retryAfter > 0) {
    refuse(res, 429, "temporarily_unavailable", `Too many ${limited.what} from this address; try again later`, { "retry-after": String(retryAfter) });
    return true;
  }
  const busy = limited.overall ? await count(limited.overall, "all") : 0;
  if (busy <= 0) return false;
  refuse(res, 503, "temporarily_unavailable", `The authorization server is taking too many ${limited.what}; try again later`, { "retry-after": String(busy) });
  return true;
}
