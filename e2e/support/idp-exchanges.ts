// The token-endpoint grants an enterprise IdP offers beyond sign-in, registered on the test IdP's
// oidc-provider with registerGrantType: RFC 8693 token exchange for an MCP server's access token,
// Microsoft Entra's on-behalf-of (a jwt-bearer grant with requested_token_use=on_behalf_of), and
// ID-JAG issuance (a token exchange with requested_token_type id-jag). The IdP's policy state —
// refusals, deliberately faulty ID-JAGs — lives with the caller and is read per request.
import { randomUUID } from "node:crypto";
import type Provider from "oidc-provider";
import { errors, type ResourceServer, type TokenEndpointGrantContext } from "oidc-provider";
import { generateKeyPair, jwtVerify, SignJWT, type JWTPayload } from "jose";
import { ACCESS_TOKEN_TYPE, ID_JAG_TOKEN_TYPE, ID_JAG_TYP, ID_TOKEN_TYPE, JWT_BEARER_GRANT, TOKEN_EXCHANGE_GRANT } from "./oauth-urns";

export type ExchangeKind = "token_exchange" | "on_behalf_of" | "id_jag";

/** What a deliberately faulty ID-JAG gets wrong (an authorization server must refuse each). */
export type IdJagFault = "wrong_typ" | "expired" | "wrong_audience" | "wrong_resource" | "wrong_client" | "unsigned" | "foreign_key";

/** One exchange request as the token endpoint received it, before any check. */
export type ExchangeRecord = {
  kind: ExchangeKind;
  grantType: string;
  /** The client named by Basic authentication or `client_id`. */
  clientId: string | undefined;
  audience: string[];
  resource: string[];
  requestedTokenType: string | undefined;
  subjectTokenType: string | undefined;
  requestedTokenUse: string | undefined;
  scope: string | undefined;
};

export type SigningKey = { privateKey: CryptoKey; publicKey: CryptoKey; kid: string };

export type ExchangeSetup = {
  kinds: readonly ExchangeKind[];
  key: SigningKey;
  /** The MCP servers tokens may be minted for. */
  resources: () => readonly string[];
  /** The authorization servers ID-JAGs may be issued for, each with the client_id it knows each IdP client as. */
  idJagAudiences: () => ReadonlyMap<string, Readonly<Record<string, string>>>;
  /** The JWT access token settings for a resource (the same as the refresh grant's). */
  resourceServer: (resource: string) => ResourceServer;
  /** The user with this subject, if there is one. */
  user: (sub: string) => { email: string } | undefined;
  /** The OAuth error exchanges of a kind are refused with, if refused. */
  refusal: (kind: ExchangeKind) => string | undefined;
  idJagFault: () => IdJagFault | undefined;
  idJagTtlSeconds: number;
};

type ExchangeParams = {
  audience?: string | string[];
  resource?: string | string[];
  requested_token_type?: string;
  subject_token?: string;
  subject_token_type?: string;
  assertion?: string;
  requested_token_use?: string;
};
type GrantContext = TokenEndpointGrantContext<ExchangeParams>;

export function registerExchangeGrants(provider: Provider, setup: ExchangeSetup) {
  if (setup.kinds.includes("token_exchange") || setup.kinds.includes("id_jag")) {
    const params = ["audience", "resource", "scope", "requested_token_type", "subject_token", "subject_token_type", "actor_token", "actor_token_type"];
    // RFC 8693 lets audience and resource repeat; one MCP server per exchange is checked below.
    provider.registerGrantType(TOKEN_EXCHANGE_GRANT, (ctx: GrantContext) => tokenExchange(ctx, setup), params, ["audience", "resource"]);
  }
  if (setup.kinds.includes("on_behalf_of")) {
    provider.registerGrantType(JWT_BEARER_GRANT, (ctx: GrantContext) => onBehalfOf(ctx, setup), ["assertion", "scope", "requested_token_use"]);
  }
}

/** Which exchange a token request is, from its form body; undefined for any other grant. */
export function exchangeRecord(form: URLSearchParams, authorization: string | undefined): ExchangeRecord | undefined {
  const grantType = form.get("grant_type") ?? "";
  const kind = grantType === TOKEN_EXCHANGE_GRANT ? (form.get("requested_token_type") === ID_JAG_TOKEN_TYPE ? "id_jag" : "token_exchange") : grantType === JWT_BEARER_GRANT ? "on_behalf_of" : undefined;
  if (!kind) return undefined;
  const basic = /^Basic (.+)$/i.exec(authorization ?? "")?.[1];
  const basicId = basic ? decodeURIComponent(Buffer.from(basic, "base64").toString("utf8").split(":")[0]) : undefined;
  return {
    kind,
    grantType,
    clientId: basicId ?? form.get("client_id") ?? undefined,
    audience: form.getAll("audience"),
    resource: form.getAll("resource"),
    requestedTokenType: form.get("requested_token_type") ?? undefined,
    subjectTokenType: form.get("subject_token_type") ?? undefined,
    requestedTokenUse: form.get("requested_token_use") ?? undefined,
    scope: form.get("scope") ?? undefined,
  };
}

async function tokenExchange(ctx: GrantContext, setup: ExchangeSetup) {
  const { params } = ctx.oidc;
  const kind: ExchangeKind = params.requested_token_type === ID_JAG_TOKEN_TYPE ? "id_jag" : "token_exchange";
  if (!setup.kinds.includes(kind) || (kind === "token_exchange" && ![undefined, ACCESS_TOKEN_TYPE].includes(params.requested_token_type))) {
    throw new errors.InvalidRequest(`requested_token_type ${params.requested_token_type ?? "(access token)"} is not offered here`);
  }
  if (!params.subject_token) throw new errors.InvalidRequest("missing subject_token");
  if (params.subject_token_type !== ACCESS_TOKEN_TYPE && params.subject_token_type !== ID_TOKEN_TYPE) {
    throw new errors.InvalidRequest("subject_token_type must be an access token or an ID token");
  }
  const sub = await subjectOf(ctx, setup, params.subject_token, params.subject_token_type);
  if (kind === "id_jag") return void (ctx.body = await idJagResponse(ctx, setup, sub));

  // An access token for one MCP server, named by audience, resource or both.
  const targets = [...new Set([...list(params.audience), ...list(params.resource)])];
  if (targets.length !== 1) throw new errors.InvalidTarget("name exactly one MCP server in audience and/or resource");
  const resource = targets[0];
  if (!setup.resources().includes(resource)) throw new errors.InvalidTarget(`${resource} is not a server this identity provider issues tokens for`);
  refuseIfPolicySays(setup, kind);
  const token = await issueAccessToken(ctx, setup, sub, resource, TOKEN_EXCHANGE_GRANT);
  ctx.body = { ...token, issued_token_type: ACCESS_TOKEN_TYPE };
}

async function onBehalfOf(ctx: GrantContext, setup: ExchangeSetup) {
  const { params } = ctx.oidc;
  if (params.requested_token_use !== "on_behalf_of") throw new errors.InvalidRequest("requested_token_use must be on_behalf_of");
  if (!params.assertion) throw new errors.InvalidRequest("missing assertion");
  if (!params.scope) throw new errors.InvalidRequest("missing scope");
  const resource = oboResource(params.scope, setup.resources());
  // Entra takes only an access token the middle tier (this client) received as the assertion.
  const sub = await subjectOf(ctx, setup, params.assertion, ACCESS_TOKEN_TYPE);
  refuseIfPolicySays(setup, "on_behalf_of");
  ctx.body = await issueAccessToken(ctx, setup, sub, resource, JWT_BEARER_GRANT);
}

/**
 * Entra names an API in `scope` by its application ID URI and a scope on it:
 * `api://<app>/.default`. Here an MCP server's application ID URI is its URL, or its URL with
 * `api://` in place of the scheme; the scope on it is `.default` or `mcp` (both mean the server's
 * scope), or absent when the whole value is the server's URL. Entra mints for one API per request,
 * so every value must name the same server.
 */
function oboResource(scope: string, resources: readonly string[]): string {
  const appIdUri = (resource: string) => [resource, `api://${resource.replace(/^https?:\/\//, "")}`];
  const named = scope.split(" ").filter(Boolean).map((value) => {
    const exact = resources.find((resource) => appIdUri(resource).includes(value));
    if (exact) return exact;
    const cut = value.lastIndexOf("/");
    const [api, name] = [value.slice(0, cut), value.slice(cut + 1)];
    return [".default", "mcp"].includes(name) ? resources.find((resource) => appIdUri(resource).includes(api)) : undefined;
  });
  const distinct = new Set(named);
  const [resource] = distinct;
  if (distinct.size !== 1 || !resource) throw new errors.InvalidScope(`scope ${scope} does not name exactly one MCP server this identity provider issues tokens for`, scope);
  return resource;
}

async function idJagResponse(ctx: GrantContext, setup: ExchangeSetup, sub: string) {
  const { params, client } = ctx.oidc;
  const [audience, ...moreAudiences] = list(params.audience);
  const [resource, ...moreResources] = list(params.resource);
  const clientIds = audience ? setup.idJagAudiences().get(audience) : undefined;
  if (!clientIds || moreAudiences.length) throw new errors.InvalidTarget("audience must be one authorization server this identity provider issues ID-JAGs for");
  if (!resource || moreResources.length || !setup.resources().includes(resource)) throw new errors.InvalidTarget("resource must be one MCP server this identity provider knows");
  refuseIfPolicySays(setup, "id_jag");
  const claims = {
    sub,
    aud: audience,
    resource,
    // The authorization server knows the console under its own registration (mapped out of band).
    client_id: clientIds[client.clientId] ?? client.clientId,
    ...(params.scope ? { scope: params.scope } : {}),
    // The draft suggests the email beside the opaque sub, so the resource side can link accounts.
    ...(setup.user(sub)?.email ? { email: setup.user(sub)?.email } : {}),
  };
  return {
    access_token: await signIdJag(ctx.oidc.provider.issuer, claims, setup),
    issued_token_type: ID_JAG_TOKEN_TYPE,
    token_type: "N_A",
    expires_in: setup.idJagTtlSeconds,
    ...(params.scope ? { scope: params.scope } : {}),
  };
}

async function signIdJag(issuer: string, claims: { sub: string; aud: string; resource: string; client_id: string; scope?: string; email?: string }, setup: ExchangeSetup): Promise<string> {
  const fault = setup.idJagFault();
  const now = Math.floor(Date.now() / 1000);
  const payload: JWTPayload = {
    ...claims,
    iss: issuer,
    jti: randomUUID(),
    iat: fault === "expired" ? now - 600 : now,
    exp: fault === "expired" ? now - 300 : now + setup.idJagTtlSeconds,
    ...(fault === "wrong_audience" ? { aud: "https://another-authorization-server.example" } : {}),
    ...(fault === "wrong_resource" ? { resource: "https://another-mcp-server.example/mcp" } : {}),
    ...(fault === "wrong_client" ? { client_id: "another-client" } : {}),
  };
  if (fault === "unsigned") {
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
    return `${part({ alg: "none", typ: ID_JAG_TYP })}.${part(payload)}.`;
  }
  // A foreign key under the IdP's own kid: only the signature gives it away.
  const signer = fault === "foreign_key" ? (await generateKeyPair("RS256")).privateKey : setup.key.privateKey;
  return new SignJWT(payload).setProtectedHeader({ alg: "RS256", kid: setup.key.kid, typ: fault === "wrong_typ" ? "JWT" : ID_JAG_TYP }).sign(signer);
}

/**
 * The user a subject token (or an on-behalf-of assertion) speaks for. It must be this IdP's own,
 * unexpired, and issued to the client asking — the ID-JAG draft requires the ID token's `aud` to be
 * the requesting client, and Entra requires the same of an on-behalf-of assertion.
 */
async function subjectOf(ctx: GrantContext, setup: ExchangeSetup, token: string, type: string): Promise<string> {
  const { provider, client } = ctx.oidc;
  const refuse = (why: string) => new errors.CustomOIDCProviderError("invalid_grant", `subject token refused: ${why}`);
  let sub: string | undefined;
  let clientId: unknown;
  const stored = type === ACCESS_TOKEN_TYPE ? await provider.AccessToken.find(token) : undefined;
  // find() allows oidc-provider's clock tolerance (15 s) past expiry; a subject token gets none, as with jose below.
  if (stored?.isExpired) throw refuse("it has expired");
  if (stored) {
    [sub, clientId] = [stored.accountId, stored.clientId];
  } else {
    const verified = await jwtVerify(token, setup.key.publicKey, { issuer: provider.issuer, ...(type === ACCESS_TOKEN_TYPE ? { typ: "at+jwt" } : {}) }).catch((error: unknown) => {
      throw refuse(error instanceof Error && error.name !== "JWSInvalid" ? error.message : "unknown, expired or not issued by this identity provider");
    });
    sub = verified.payload.sub;
    clientId = type === ACCESS_TOKEN_TYPE ? verified.payload.client_id : verified.payload.aud;
  }
  const issuedTo = Array.isArray(clientId) ? clientId : [clientId];
  if (!issuedTo.includes(client.clientId)) throw refuse("it was issued to another client");
  if (!sub || !setup.user(sub)) throw refuse("its subject is not a user here");
  return sub;
}

async function issueAccessToken(ctx: GrantContext, setup: ExchangeSetup, sub: string, resource: string, grantType: string) {
  const { provider, client } = ctx.oidc;
  const info = setup.resourceServer(resource);
  const grant = new provider.Grant({ accountId: sub, clientId: client.clientId });
  grant.addResourceScope(resource, info.scope);
  const token = new provider.AccessToken({ accountId: sub, client, grantId: await grant.save(), gty: grantType, scope: info.scope });
  token.resourceServer = new provider.ResourceServer(resource, info);
  return { access_token: await token.save(), token_type: "Bearer", expires_in: token.expiration, scope: token.scope };
}

function refuseIfPolicySays(setup: ExchangeSetup, kind: ExchangeKind) {
  const error = setup.refusal(kind);
  if (error) throw new errors.CustomOIDCProviderError(error, "the identity provider's policy refuses this exchange");
}

function list(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}
