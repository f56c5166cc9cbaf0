// An MCP server's own authorization server (oidc-provider), answering with JWT access tokens whose
// audience is the MCP server asked for (RFC 8707). Grants: RFC 7523 jwt-bearer whose assertion is
// an ID-JAG from one trusted IdP (the MCP extension
// io.modelcontextprotocol/enterprise-managed-authorization) or, when configured, a workload
// identity token from one trusted platform (SEP-1933); and client_credentials for clients
// registered with it (SEP-1046), authenticated by a secret or by private_key_jwt with their JWKS.
// Its RFC 8414 metadata (also at /.well-known/oauth-authorization-server) advertises the ID-JAG
// grant profile. Clients are registered at start. Test controls: refuse assertions, list every
// jwt-bearer grant and how it ended, every token request as sent, stop.
import http from "node:http";
import Provider, { errors, type ClientMetadata, type KoaContextWithOIDC, type ResourceServer, type TokenEndpointGrantContext } from "oidc-provider";
import { createLocalJWKSet, createRemoteJWKSet, decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, jwtVerify, type JSONWebKeySet, type JWTPayload, type ProtectedHeaderParameters } from "jose";
import { readBody } from "./http";
import { ID_JAG_GRANT_PROFILE, ID_JAG_TYP, JWT_BEARER_GRANT } from "./oauth-urns";
import { listenOn } from "./ports";

/** Defaults: the jwt-bearer grant, authenticated with client_secret_basic. */
export type McpAuthClient = { client_id: string } & Pick<ClientMetadata, "client_secret" | "grant_types" | "token_endpoint_auth_method" | "jwks">;

/** A token request as the server received it: its form (credentials included) and the status it was answered with. */
export type TokenRequest = { grantType: string | null; form: URLSearchParams; authorization: string | undefined; status: number };

/** A jwt-bearer grant as this server saw it: the assertion as sent (decoded, not trusted) and "issued" or the OAuth error. */
export type SeenGrant = { clientId: string; header: ProtectedHeaderParameters | undefined; claims: JWTPayload | undefined; outcome: string };

export type McpAuthServer = {
  issuer: string;
  /** Every jwt-bearer grant from an authenticated client, in order. */
  grants: () => SeenGrant[];
  /** Every request to the token endpoint, in order, refused ones too; `grantType` keeps those of one grant. */
  tokenRequests: (grantType?: string) => TokenRequest[];
  /** More MCP servers (their RFC 9728 resource identifiers) tokens may be issued for. */
  allowResources: (more: string[]) => void;
  /** While set, assertions that pass every check are refused with this OAuth error; undefined accepts them again. */
  setRefusal: (error: string | undefined) => void;
  stop: () => Promise<void>;
};

type JwtBearerParams = { assertion?: string; resource?: string };

export async function startMcpAuthServer(options: {
  port?: number;
  /** The IdP whose ID-JAGs are accepted; its JWKS is found through its discovery document. None: ID-JAGs are refused. */
  trustedIssuer?: string;
  /** The platform whose workload identity tokens are accepted as jwt-bearer assertions: their `iss`, its keys, and the `aud`s taken besides this server's issuer. */
  trustedWorkload?: { issuer: string; jwks: JSONWebKeySet; audiences?: string[] };
  clients: McpAuthClient[];
  /** The MCP servers tokens may be issued for; allowResources adds more. */
  resources: string[];
  /** The scopes tokens may carry: an ID-JAG's `scope` is narrowed to these. */
  scopes?: string[];
  accessTokenTtlSeconds?: number;
}): Promise<McpAuthServer> {
  const resources = [...options.resources];
  const scopes = options.scopes ?? ["mcp"];
  let handle: http.RequestListener = (_req, res) => void res.writeHead(503).end();
  const server = http.createServer((req, res) => { handle(req, res); });
  const issuer = `http://127.0.0.1:${await listenOn(server, options.port)}`;
  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: "mcp-auth-server-key", alg: "RS256", use: "sig" };
  const accessTokenTtl = options.accessTokenTtlSeconds ?? 300;
  const resourceServer = (resource: string): ResourceServer => {
    if (!resources.includes(resource)) throw new errors.InvalidTarget("its resource is not served here");
    return { audience: resource, scope: scopes.join(" "), accessTokenFormat: "jwt", accessTokenTTL: accessTokenTtl, jwt: { sign: { alg: "RS256" } } };
  };

  const provider = new Provider(issuer, {
    clients: options.clients.map((client) => ({ grant_types: [JWT_BEARER_GRANT], token_endpoint_auth_method: "client_secret_basic", ...client, response_types: [], redirect_uris: [] })),
    jwks: { keys: [jwk] },
    cookies: { keys: ["mcp-auth-server-cookie-key"] },
    scopes,
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: { enabled: true, defaultResource: () => undefined, useGrantedResource: () => false, getResourceServerInfo: (_ctx, resource) => resourceServer(resource) },
    },
    ttl: { AccessToken: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? accessTokenTtl, ClientCredentials: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? accessTokenTtl },
    discovery: { authorization_grant_profiles_supported: [ID_JAG_GRANT_PROFILE] },
  });
  provider.proxy = false;

  const seen: SeenGrant[] = [];
  const tokenRequests: TokenRequest[] = [];
  let refusal: string | undefined;
  // jti → its exp: an ID-JAG is single-use while it could still be accepted.
  const usedJtis = new Map<string, number>();
  let trustedKeys: Promise<ReturnType<typeof createRemoteJWKSet>> | undefined;
  const resolveTrustedKeys = async () => {
    if (!options.trustedIssuer) throw new Error("no IdP's ID-JAGs are trusted here");
    const res = await fetch(`${options.trustedIssuer}/.well-known/openid-configuration`);
    if (!res.ok) throw new Error(`the trusted IdP's metadata answered ${res.status}`);
    const { jwks_uri: jwksUri } = (await res.json()) as { jwks_uri?: string };
    if (!jwksUri) throw new Error("the trusted IdP publishes no jwks_uri");
    return createRemoteJWKSet(new URL(jwksUri));
  };

  async function acceptIdJag(ctx: TokenEndpointGrantContext<JwtBearerParams>) {
    const { params, client } = ctx.oidc;
    const refuse = (why: string) => new errors.CustomOIDCProviderError("invalid_grant", `assertion refused: ${why}`);
    if (!params.assertion) throw new errors.InvalidRequest("missing assertion");
    trustedKeys ??= resolveTrustedKeys().catch((error: unknown) => {
      trustedKeys = undefined;
      throw error;
    });
    // RFC 7521 §5.2 and the ID-JAG profile: explicitly typed, signed by the trusted IdP, for this
    // server, unexpired, naming the client that presents it and a resource served here.
    const { payload } = await jwtVerify(params.assertion, await trustedKeys, {
      issuer: options.trustedIssuer,
      audience: issuer,
      typ: ID_JAG_TYP,
      requiredClaims: ["sub", "jti", "exp", "iat", "resource", "client_id"],
    }).catch((error: unknown) => {
      throw refuse(error instanceof Error ? error.message : "invalid");
    });
    const { sub, jti, exp, resource, client_id: clientId } = payload as JWTPayload & { sub: string; jti: string; exp: number; resource: unknown; client_id: unknown };
    if (clientId !== client.clientId) throw refuse("it was issued to another client");
    if (typeof resource !== "string" || !resources.includes(resource)) throw refuse("its resource is not served here");
    if (params.resource !== undefined && params.resource !== resource) throw new errors.InvalidTarget("resource differs from the assertion's");
    const now = Math.floor(Date.now() / 1000);
    for (const [used, expiry] of usedJtis) if (expiry < now) usedJtis.delete(used);
    if (usedJtis.has(jti)) throw refuse("it was already used");
    if (refusal) throw new errors.CustomOIDCProviderError(refusal, "this authorization server refuses the assertion");
    usedJtis.set(jti, exp);
    const granted = typeof payload.scope === "string" ? payload.scope.split(" ").filter((scope) => scopes.includes(scope)).join(" ") : "";
    return issueAccessToken(ctx, sub, resource, granted || undefined);
  }

  /** A workload identity token (SEP-1933): signed by the trusted platform, for an audience taken here, unexpired; the token is for the workload. */
  async function acceptWorkloadToken(ctx: TokenEndpointGrantContext<JwtBearerParams>, workload: NonNullable<typeof options.trustedWorkload>) {
    const { params } = ctx.oidc;
    if (!params.assertion) throw new errors.InvalidRequest("missing assertion");
    const { payload } = await jwtVerify(params.assertion, createLocalJWKSet(workload.jwks), { issuer: workload.issuer, audience: [issuer, ...(workload.audiences ?? [])], requiredClaims: ["sub", "exp"] }).catch((error: unknown) => {
      throw new errors.CustomOIDCProviderError("invalid_grant", `assertion refused: ${error instanceof Error ? error.message : "invalid"}`);
    });
    if (!params.resource) throw new errors.InvalidTarget("a workload's token names the resource it is for");
    resourceServer(params.resource);
    if (refusal) throw new errors.CustomOIDCProviderError(refusal, "this authorization server refuses the assertion");
    return issueAccessToken(ctx, String(payload.sub), params.resource, undefined);
  }

  async function issueAccessToken(ctx: TokenEndpointGrantContext<JwtBearerParams>, sub: string, resource: string, scope: string | undefined) {
    const info = resourceServer(resource);
    const grant = new provider.Grant({ accountId: sub, clientId: ctx.oidc.client.clientId });
    if (scope) grant.addResourceScope(resource, scope);
    const token = new provider.AccessToken({ accountId: sub, client: ctx.oidc.client, grantId: await grant.save(), gty: JWT_BEARER_GRANT, scope });
    token.resourceServer = new provider.ResourceServer(resource, info);
    return { access_token: await token.save(), token_type: "Bearer", expires_in: token.expiration, ...(scope ? { scope } : {}) };
  }

  provider.registerGrantType(JWT_BEARER_GRANT, async (ctx: TokenEndpointGrantContext<JwtBearerParams>) => {
    const record: SeenGrant = { clientId: ctx.oidc.client.clientId, ...decoded(ctx.oidc.params.assertion), outcome: "issued" };
    seen.push(record);
    try {
      const workload = options.trustedWorkload;
      ctx.body = workload && record.claims?.iss === workload.issuer ? await acceptWorkloadToken(ctx, workload) : await acceptIdJag(ctx);
    } catch (error) {
      record.outcome = error instanceof errors.OIDCProviderError ? error.error : "server_error";
      throw error;
    }
  }, ["assertion", "resource"]);

  provider.use(async (ctx: KoaContextWithOIDC, next: () => Promise<void>) => {
    if (ctx.path !== "/token" || ctx.method !== "POST") return next();
    const raw = (await readBody(ctx.req)).toString("utf8");
    (ctx.req as http.IncomingMessage & { body?: unknown }).body = raw; // oidc-provider parses a body read before it
    const form = new URLSearchParams(raw);
    const request: TokenRequest = { grantType: form.get("grant_type"), form, authorization: ctx.get("authorization") || undefined, status: 0 };
    tokenRequests.push(request);
    try {
      await next();
    } finally {
      request.status = ctx.status;
    }
  });

  const callback = provider.callback();
  handle = (req, res) => {
    // RFC 8414's own well-known name for the same document, where MCP clients look first.
    if (req.url === "/.well-known/oauth-authorization-server") req.url = "/.well-known/openid-configuration";
    void callback(req, res);
  };

  return {
    issuer,
    grants: () => seen.map((grant) => ({ ...grant })),
    tokenRequests: (grantType) => tokenRequests.filter((request) => grantType === undefined || request.grantType === grantType),
    allowResources: (more) => void resources.push(...more),
    setRefusal: (error) => {
      refusal = error;
    },
    stop: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => { resolve(); });
    }),
  };
}

function decoded(assertion: string | undefined): Pick<SeenGrant, "header" | "claims"> {
  try {
    return assertion ? { header: decodeProtectedHeader(assertion), claims: decodeJwt(assertion) } : { header: undefined, claims: undefined };
  } catch {
    return { header: undefined, claims: undefined };
  }
}
