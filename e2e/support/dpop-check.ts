// A resource server's check of a DPoP-bound request (RFC 9449 §4.3 and §7.1), for the test MCP
// servers: exactly one proof, a well-formed `dpop+jwt` signed with an asymmetric algorithm by the
// public key it carries, for this method and URI, recent, never seen before, for this access token
// (`ath`), for the key the token is bound to (`cnf.jkt`), with the server's nonce when it requires
// one, and — when the proof carries the MCP profile's `content_digest` — for this body.
import { createHash } from "node:crypto";
import { calculateJwkThumbprint, decodeProtectedHeader, importJWK, jwtVerify, type JWTPayload } from "jose";

const ASYMMETRIC = ["ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "EdDSA"];
const IAT_WINDOW_SECONDS = 300;

export type DpopRequest = {
  /** The DPoP header(s) as received. */
  proof: string | string[] | undefined;
  method: string;
  /** The request's URI as the server sees it (query and fragment are ignored, §4.3 step 9). */
  url: string;
  accessToken: string;
  /** The token's `cnf.jkt`: the thumbprint of the key it is bound to. */
  jkt: unknown;
  body?: string;
  /** The nonce this server requires now, if it requires one. */
  nonce?: string;
  /** The jtis of proofs accepted before (a replay is refused); this proof's is added when it is accepted. */
  seen: Set<string>;
};

export type DpopVerdict = { ok: true; claims: JWTPayload; jkt: string } | { ok: false; error: "invalid_dpop_proof" | "use_dpop_nonce"; why: string };

const refuse = (why: string): DpopVerdict => ({ ok: false, error: "invalid_dpop_proof", why });
const withoutQuery = (url: string) => {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
};

export async function checkDpop(request: DpopRequest): Promise<DpopVerdict> {
  if (request.proof === undefined || Array.isArray(request.proof) || request.proof.includes(",")) return refuse("not exactly one DPoP header");
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(request.proof);
  } catch {
    return refuse("not a JWT");
  }
  if (header.typ !== "dpop+jwt") return refuse("typ is not dpop+jwt");
  if (!header.alg || !ASYMMETRIC.includes(header.alg)) return refuse("not an asymmetric algorithm");
  const jwk = header.jwk;
  if (!jwk || "d" in jwk) return refuse("no public jwk (or a private one)");
  let claims: JWTPayload;
  try {
    ({ payload: claims } = await jwtVerify(request.proof, await importJWK(jwk, header.alg), { typ: "dpop+jwt", algorithms: ASYMMETRIC }));
  } catch {
    return refuse("the signature does not verify with its jwk");
  }
  if (typeof claims.jti !== "string" || claims.jti === "") return refuse("no jti");
  if (claims.htm !== request.method) return refuse("htm is not the request's method");
  if (typeof claims.htu !== "string" || withoutQuery(claims.htu) !== withoutQuery(request.url)) return refuse("htu is not the request's URI");
  if (typeof claims.iat !== "number" || Math.abs(claims.iat - Date.now() / 1000) > IAT_WINDOW_SECONDS) return refuse("iat is not recent");
  if (claims.ath !== createHash("sha256").update(request.accessToken).digest("base64url")) return refuse("ath is not the access token's hash");
  const jkt = await calculateJwkThumbprint(jwk);
  if (request.jkt !== jkt) return refuse("the token is bound to another key");
  if (claims.content_digest !== undefined && claims.content_digest !== `sha-256=:${createHash("sha256").update(request.body ?? "").digest("base64")}:`) return refuse("content_digest is not the body's");
  if (request.seen.has(claims.jti)) return refuse("the proof was used before");
  if (request.nonce !== undefined && claims.nonce !== request.nonce) return { ok: false, error: "use_dpop_nonce", why: "the server's nonce is required" };
  request.seen.add(claims.jti);
  return { ok: true, claims, jkt };
}
