// DPoP (RFC 9449) for OAuth connections to MCP servers, as the MCP DPoP extension (SEP-1932)
// profiles it, when the authorization server offers it (`dpop_signing_alg_values_supported`) and
// the MCP server takes DPoP-bound tokens (its RFC 9728 metadata says so, or its challenge is a DPoP
// one — a server that knows only Bearer would refuse them). Each connection has a key pair of its
// own, kept with the connection's encrypted state and never sent anywhere but as the public half of
// a proof. Token requests carry a proof for the token endpoint; a DPoP-bound token is presented as
// `Authorization: DPoP <token>` with a fresh proof on every request (htm, htu, iat, jti, ath, and
// the profile's content_digest of the body). A server that wants its nonce in proofs says so
// (use_dpop_nonce, `DPoP-Nonce`); the request is sent again with it, and later proofs to that
// server carry its latest nonce.
import "server-only";
import { createHash, randomUUID } from "node:crypto";
import { exportJWK, generateKeyPair, importJWK, SignJWT, type CryptoKey, type JWK } from "jose";
import { setBounded } from "@/lib/bounded-map";
import { fieldsOf } from "@/lib/fields";
import { sendWithProof, type RequestProof } from "@/lib/mcp/request-proof";
import { processWide } from "@/lib/process-wide";

/** The algorithm the console proves with: ES256, which every DPoP server is expected to take. */
const ALGORITHM = "ES256";

/** A connection's key pair: the private JWK (its public half is derived from it). */
export type DpopKey = { alg: typeof ALGORITHM; jwk: JWK };

/** Whether an authorization server's metadata offers DPoP with an algorithm the console proves with. */
export function offersDpop(metadata: unknown): boolean {
  const algorithms = fieldsOf(metadata).dpop_signing_alg_values_supported;
  return Array.isArray(algorithms) && algorithms.includes(ALGORITHM);
}

export async function newDpopKey(): Promise<DpopKey> {
  const { privateKey } = await generateKeyPair(ALGORITHM, { extractable: true });
  return { alg: ALGORITHM, jwk: await exportJWK(privateKey) };
}

type Signer = { key: CryptoKey; publicJwk: JWK };

// A key is imported once per process, not per request (importing costs more than signing).
const signers = processWide("dpop-signers", () => new Map<string, Promise<Signer>>());

function signerOf(dpop: DpopKey): Promise<Signer> {
  const { d: _private, ...publicJwk } = dpop.jwk;
  const id = `${publicJwk.x ?? ""}.${publicJwk.y ?? ""}`;
  let signer = signers.get(id);
  if (!signer) {
    signer = importJWK(dpop.jwk, dpop.alg).then((key) => ({ key: key as CryptoKey, publicJwk }));
    setBounded(signers, id, signer, 10_000);
  }
  return signer;
}

/** RFC 9449 §4.2: the request's URI without its query and fragment. */
function htuOf(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}

// The latest nonce each server gave (RFC 9449 §8, §9), per origin: a nonce is the server's, whichever key proves.
const nonces = processWide("dpop-nonces", () => new Map<string, string>());

/**
 * A proof for one request (RFC 9449 §4.2); with `accessToken`, bound to it (`ath`) and, with a
 * `body`, to that too: the MCP profile's `content_digest` (RFC 9530's sha-256 form), so a proof
 * can't be replayed with another JSON-RPC message to the same endpoint.
 */
export async function dpopProof(dpop: DpopKey, request: { method: string; url: string; accessToken?: string; body?: string }): Promise<string> {
  const { key, publicJwk } = await signerOf(dpop);
  const nonce = nonces.get(new URL(request.url).origin);
  const claims = {
    htm: request.method,
    htu: htuOf(request.url),
    ...(request.accessToken ? { ath: createHash("sha256").update(request.accessToken).digest("base64url") } : {}),
    ...(request.accessToken && request.body !== undefined ? { content_digest: `sha-256=:${createHash("sha256").update(request.body).digest("base64")}:` } : {}),
    ...(nonce ? { nonce } : {}),
  };
  return new SignJWT(claims).setProtectedHeader({ typ: "dpop+jwt", alg: dpop.alg, jwk: publicJwk }).setIssuedAt().setJti(randomUUID()).sign(key);
}

const NONCE = /^[\x21-\x7e]{1,512}$/;

/**
 * Keeps the nonce a server's answer carries, if any, and says whether the answer asks for the
 * request again with it: a 400 use_dpop_nonce from a token endpoint (§8), a 401 whose DPoP
 * challenge says use_dpop_nonce from a resource server (§9).
 */
async function asksForNonce(url: string, response: Response): Promise<boolean> {
  const nonce = response.headers.get("dpop-nonce");
  if (!nonce || !NONCE.test(nonce)) return false;
  setBounded(nonces, new URL(url).origin, nonce, 10_000);
  if (response.status === 401) return /\berror="?use_dpop_nonce\b/.test(response.headers.get("www-authenticate") ?? "");
  if (response.status !== 400) return false;
  return fieldsOf(await response.clone().json().catch(() => undefined)).error === "use_dpop_nonce";
}

/** Proofs made with `dpop`; with `accessToken`, what a DPoP-bound token needs on each request to the server it is for. */
export function dpopRequestProof(dpop: DpopKey, accessToken?: string): RequestProof {
  return {
    header: "DPoP",
    sign: (method, url, body) => dpopProof(dpop, { method, url, ...(accessToken ? { accessToken, body } : {}) }),
    wantsRetry: asksForNonce,
  };
}

/** The URL a fetch is for, as a string. */
function urlOf(input: Parameters<typeof fetch>[0]): string {
  return input instanceof Request ? input.url : String(input);
}

/** What a connection keeps that says whether its tokens are DPoP-bound: its key, the server's challenge, what discovery found. */
export type DpopState = {
  dpop?: DpopKey;
  /** The MCP server's 401 challenge (at Connect) was a DPoP one. */
  dpop_challenge?: boolean;
  discovery?: { authorizationServerMetadata?: unknown; resourceMetadata?: unknown };
};

/** Whether the MCP server takes DPoP-bound tokens: its challenge was a DPoP one, or its metadata (RFC 9728 §2) requires them or lists ES256. */
function resourceTakesDpop(state: DpopState): boolean {
  const metadata = fieldsOf(state.discovery?.resourceMetadata);
  const algorithms = metadata.dpop_signing_alg_values_supported;
  return state.dpop_challenge === true || metadata.dpop_bound_access_tokens_required === true || (Array.isArray(algorithms) && algorithms.includes(ALGORITHM));
}

/**
 * The fetch the SDK's token requests go through for a connection (`state`: its stored state, which
 * the SDK fills with what discovery found): when the authorization server offers DPoP and the MCP
 * server takes it (or the connection's tokens are already bound to its key), a token request
 * carries a proof made with the connection's key — made on first use, and kept with the state —
 * and is sent once more with the server's nonce when it asks for one. Every other request is as it was.
 */
export function dpopTokenFetch(state: DpopState, inner: typeof fetch): typeof fetch {
  return async (input, init) => {
    const metadata = state.discovery?.authorizationServerMetadata;
    const tokenEndpoint = fieldsOf(metadata).token_endpoint;
    const url = urlOf(input);
    const bound = offersDpop(metadata) && (state.dpop !== undefined || resourceTakesDpop(state));
    if (init?.method !== "POST" || typeof tokenEndpoint !== "string" || !bound || new URL(url).href !== new URL(tokenEndpoint).href) return inner(input, init);
    state.dpop ??= await newDpopKey();
    return sendWithProof(dpopRequestProof(state.dpop), { method: "POST", url, headers: new Headers(init.headers) }, (headers) => inner(input, { ...init, headers }));
  };
}

/** Whether a token response's type says the token is DPoP-bound (RFC 9449 §5: `token_type` DPoP). */
export function isDpopBound(tokenType: string | undefined): boolean {
  return tokenType?.toLowerCase() === "dpop";
}
