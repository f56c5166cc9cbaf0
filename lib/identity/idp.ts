// The console's OpenID Provider (OIDC_ISSUER) as the identity runtime uses it: its metadata, the
// grants that mint audience-bound tokens (see lib/identity/grants.ts), revocation (RFC 7009), and
// the signing keys its assertions are checked against (ID-JAGs redeemed at the console).
import "server-only";
import { createRemoteJWKSet, decodeJwt, type JWTVerifyGetKey } from "jose";
import { readCapped } from "@/lib/api/body";
import { env } from "@/lib/env";
import { IdentityError } from "@/lib/identity/errors";
import { log } from "@/lib/log";
import { isTimeoutError } from "@/lib/timeouts";
import { fieldsOf } from "@/lib/fields";
import { processWide } from "@/lib/process-wide";

export const IDP_TIMEOUT_MS = 10_000;
/** The longest token the console keeps or passes on from the provider: real JWTs are a few KiB. */
export const MAX_TOKEN_CHARS = 16 * 1024;
/** The most of a provider's answer (discovery, a token response) that is read. */
const MAX_ANSWER_BYTES = 64 * 1024;

/** A provider's JSON answer, read up to MAX_ANSWER_BYTES; anything larger or unreadable is undefined. */
async function answerOf(res: Response): Promise<unknown> {
  try {
    return JSON.parse(await readCapped(res, MAX_ANSWER_BYTES, () => new Error("too large"), { cancelRefused: true }));
  } catch {
    return undefined;
  }
}
/** The lifetime taken for a token whose answer doesn't say (and that doesn't say itself). */
export const UNSTATED_LIFETIME_SECONDS = 300;

type Metadata = { token_endpoint: string; revocation_endpoint?: string; jwks_uri?: string };

export type IdpClient = { issuer: string; clientId: string; clientSecret: string };

/** The configured OpenID Provider and the console's client there, or undefined without SSO. */
export function idpClient(): IdpClient | undefined {
  const { OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET } = env();
  return OIDC_ISSUER && OIDC_CLIENT_ID && OIDC_CLIENT_SECRET ? { issuer: OIDC_ISSUER, clientId: OIDC_CLIENT_ID, clientSecret: OIDC_CLIENT_SECRET } : undefined;
}

const discovery = processWide("idp-discovery", () => new Map<string, Promise<Metadata>>());

/** The provider's endpoints (cached per issuer; a failed fetch is not kept). Throws IdentityError. */
export async function idpMetadata(client: IdpClient, timeoutMs = IDP_TIMEOUT_MS): Promise<Metadata> {
  try {
    return await metadata(client.issuer, timeoutMs);
  } catch (error) {
    throw unreachable(error);
  }
}

function metadata(issuer: string, timeoutMs: number): Promise<Metadata> {
  let cached = discovery.get(issuer);
  if (!cached) {
    cached = (async () => {
      const res = await fetch(`${issuer.replace(/\/$/, "")}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(timeoutMs) });
      if (!res.ok) throw new Error(`discovery answered ${res.status}`);
      const body = fieldsOf(await answerOf(res));
      if (typeof body.token_endpoint !== "string") throw new Error("discovery has no token_endpoint");
      const optional = (name: string) => {
        const value = body[name];
        return typeof value === "string" ? value : undefined;
      };
      return { token_endpoint: body.token_endpoint, revocation_endpoint: optional("revocation_endpoint"), jwks_uri: optional("jwks_uri") };
    })();
    discovery.set(issuer, cached);
    cached.catch(() => discovery.delete(issuer));
  }
  return cached;
}

const keySets = processWide("idp-jwks", () => new Map<string, JWTVerifyGetKey>());

/**
 * The provider's signing keys (its discovery document's jwks_uri), for verifying what it signed.
 * Keys are kept for ten minutes; a token naming a kid not among them fetches them again (at most
 * every 30 s); each fetch gives up after five seconds. Throws IdentityError when there is no jwks_uri
 * or the discovery document can't be had.
 */
export async function idpSigningKeys(issuer: string): Promise<JWTVerifyGetKey> {
  let jwksUri: string | undefined;
  try {
    jwksUri = (await metadata(issuer, IDP_TIMEOUT_MS)).jwks_uri;
  } catch (error) {
    throw unreachable(error);
  }
  if (!jwksUri || !URL.canParse(jwksUri)) throw new IdentityError("token_error", "the identity provider publishes no jwks_uri");
  let keys = keySets.get(jwksUri);
  if (!keys) {
    keys = createRemoteJWKSet(new URL(jwksUri), { timeoutDuration: 5_000, cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 });
    keySets.set(jwksUri, keys);
  }
  return keys;
}

/** RFC 6749 §2.3.1: a confidential client's id and secret, form-encoded, as HTTP Basic. */
export function basicClientAuthorization(clientId: string, clientSecret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString("base64")}`;
}

function clientAuthorization(client: IdpClient): string {
  return basicClientAuthorization(client.clientId, client.clientSecret);
}

async function post(client: IdpClient, endpoint: (m: Metadata) => string | undefined, form: Record<string, string>, timeoutMs: number) {
  let url: string | undefined;
  try {
    url = endpoint(await metadata(client.issuer, timeoutMs));
  } catch (error) {
    throw unreachable(error);
  }
  if (!url) return undefined;
  try {
    return await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: clientAuthorization(client) },
      body: new URLSearchParams(form),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw unreachable(error);
  }
}

function unreachable(error: unknown) {
  return new IdentityError("token_error", isTimeoutError(error) ? "the identity provider did not answer in time" : "the identity provider is unreachable");
}

export type TokenAnswer =
  | { ok: true; accessToken: string; expiresIn: number; refreshToken?: string; idToken?: string; issuedTokenType?: string }
  | { ok: false; status: number; error?: string };

/** A grant at the provider's token endpoint. Network failures and malformed answers throw IdentityError("token_error"). */
export async function tokenGrant(client: IdpClient, form: Record<string, string>, timeoutMs = IDP_TIMEOUT_MS): Promise<TokenAnswer> {
  const res = await post(client, (m) => m.token_endpoint, form, timeoutMs);
  if (!res) throw new IdentityError("token_error", "the identity provider has no token endpoint");
  const body = fieldsOf(await answerOf(res));
  if (!res.ok) return { ok: false, status: res.status, error: typeof body.error === "string" ? body.error.slice(0, 100) : undefined };
  const { access_token, expires_in, refresh_token, id_token, issued_token_type } = body;
  const tooLong = [access_token, refresh_token, id_token].some((token) => typeof token === "string" && token.length > MAX_TOKEN_CHARS);
  if (typeof access_token !== "string" || access_token === "" || tooLong || (expires_in !== undefined && !(typeof expires_in === "number" && expires_in > 0))) {
    throw new IdentityError("token_error", "the identity provider sent a malformed token response");
  }
  const text = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);
  const expiresIn = typeof expires_in === "number" ? expires_in : unstatedLifetime(access_token);
  return { ok: true, accessToken: access_token, expiresIn, refreshToken: text(refresh_token), idToken: text(id_token), issuedTokenType: text(issued_token_type)?.slice(0, 200) };
}

/** What the token endpoint answered without expires_in (RFC 6749 §5.1 and RFC 8693 §2.2.1 only recommend it) lives: a JWT's own `exp`, else five minutes. */
function unstatedLifetime(token: string): number {
  try {
    const { exp } = decodeJwt(token);
    if (typeof exp === "number") return Math.max(exp - Math.floor(Date.now() / 1000), 1);
  } catch {
    // an opaque token
  }
  return UNSTATED_LIFETIME_SECONDS;
}

/** A refresh grant, for `resource` when given (RFC 8707). Network failures throw IdentityError("token_error"). */
export function refreshGrant(client: IdpClient, options: { refreshToken: string; resource?: string; scope?: string; timeoutMs?: number }): Promise<TokenAnswer> {
  const form: Record<string, string> = { grant_type: "refresh_token", refresh_token: options.refreshToken };
  if (options.resource) form.resource = options.resource;
  if (options.scope) form.scope = options.scope;
  return tokenGrant(client, form, options.timeoutMs);
}

/** Revokes a refresh token where the provider supports RFC 7009; never throws. */
export async function revokeRefreshToken(client: IdpClient, refreshToken: string): Promise<void> {
  try {
    const res = await post(client, (m) => m.revocation_endpoint, { token: refreshToken, token_type_hint: "refresh_token" }, IDP_TIMEOUT_MS);
    if (res && !res.ok) log.warn({ status: res.status }, "the identity provider did not revoke a refresh token");
  } catch (error) {
    log.warn({ reason: (error as Error).message }, "could not revoke a refresh token at the identity provider");
  }
}
