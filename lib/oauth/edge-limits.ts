// What the authorization server refuses before it runs, so a refused request stores nothing: too
// many requests from one address (IPv6 counted by /64), from one IPv6 /48, or from everyone, at the
// endpoints anyone may call and that write rows — authorization (an interaction per request), token,
// registration — and requests larger than any MCP client sends (an authorization request's
// parameters are kept with it). The numbers, and why, are with LIMITS in lib/rate-limit.ts.
import "server-only";
import type { IncomingMessage, ServerResponse } from "node:http";
import { CLIENT_ADDRESS_HEADER, readClientAddress } from "@/lib/edge/client-address.mjs";
import { addressGroup } from "@/lib/edge/ip.mjs";
import { isRegisteredClient } from "@/lib/oauth/adapter";
import { clientAddress, hit, LIMITS, noteRefusal, type Limit } from "@/lib/rate-limit";

/** Longest single parameter: a Client ID Metadata Document URL, a redirect URI, a state. */
export const MAX_PARAMETER_LENGTH = 2048;
/** Largest authorization request (its query or form) and largest body of any other request. */
export const MAX_REQUEST_BYTES = 16 * 1024;

/** Authorization requests: oidc-provider's /auth, and /request (PAR, turned off) in case it comes back. */
const AUTHORIZATION_PATH = /^\/(auth|request)\/?$/;

// Every method but a CORS preflight counts: oidc-provider's router serves each GET route to HEAD
// too (HEAD /auth stores an interaction), and a method a route doesn't serve costs a request anyway.
type Limited = {
  path: RegExp;
  limit: Limit;
  /** Per IPv6 /48. */
  network?: Limit;
  overall?: Limit;
  /** Whether the request counts toward `overall`: one that can't write mustn't use up everyone's share. */
  canWrite?: (query: string) => Promise<boolean>;
  what: string;
};

/** An authorization request for a registered client, or one described by a metadata document (an https client_id). */
async function namesKnownClient(query: string): Promise<boolean> {
  const clientId = new URLSearchParams(query).get("client_id");
  if (!clientId) return false;
  if (clientId.startsWith("https://")) return true;
  return isRegisteredClient(clientId).catch(() => true);
}

const LIMITED: Limited[] = [
  {
    path: AUTHORIZATION_PATH,
    limit: LIMITS.authorizationPerAddress,
    network: LIMITS.authorizationPerNetwork,
    overall: LIMITS.authorizationOverall,
    canWrite: namesKnownClient,
    what: "authorization requests",
  },
  // A token request writes only when it presents a live code or refresh token: per address is enough.
  { path: /^\/token\/?$/, limit: LIMITS.tokenRequestsPerAddress, what: "token requests" },
  { path: /^\/reg\/?$/, limit: LIMITS.clientRegistrationPerAddress, network: LIMITS.clientRegistrationPerNetwork, overall: LIMITS.clientRegistrationOverall, what: "client registrations" },
];

function refuse(res: ServerResponse, status: number, error: string, description: string, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store", ...headers });
  res.end(JSON.stringify({ error, error_description: description }));
}

/** The client's address as per-address limits count it, and its IPv6 /48 (undefined for IPv4). */
function clientAddressOf(req: IncomingMessage): { address: string; network?: string } {
  const stamp = req.headers[CLIENT_ADDRESS_HEADER];
  const headers = new Headers(typeof stamp === "string" ? { [CLIENT_ADDRESS_HEADER]: stamp } : {});
  const address = clientAddress({ headers });
  const network = addressGroup(readClientAddress(headers), 48);
  return { address, ...(network !== address ? { network } : {}) };
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
  if (!AUTHORIZATION_PATH.test(pathname)) return undefined;
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
  const { address, network } = clientAddressOf(req);
  const tiers: [Limit | undefined, string | undefined, string][] = [[limited.limit, address, "address"], [limited.network, network, "network"]];
  for (const [limit, subject, from] of tiers) {
    const retryAfter = limit && subject ? await count(limit, subject) : 0;
    if (retryAfter <= 0 || !limit) continue;
    noteRefusal(limit);
    refuse(res, 429, "temporarily_unavailable", `Too many ${limited.what} from this ${from}; try again later`, { "retry-after": String(retryAfter) });
    return true;
  }
  const { overall, canWrite } = limited;
  const busy = overall && (!canWrite || (await canWrite(query))) ? await count(overall, "all") : 0;
  if (busy <= 0 || !overall) return false;
  noteRefusal(overall);
  refuse(res, 503, "temporarily_unavailable", `The authorization server is taking too many ${limited.what}; try again later`, { "retry-after": String(busy) });
  return true;
}
