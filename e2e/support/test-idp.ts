// A real OpenID Provider for tests and the demo (oidc-provider, a certified implementation):
// authorization code + refresh grants, RFC 8707 resource indicators with JWT access tokens whose
// audience is the resource, JWKS, and a headless login (login_hint) next to a plain login form.
// Optionally (per start option) the grants enterprise IdPs add for calling APIs as the user —
// RFC 8693 token exchange, Entra's on-behalf-of and ID-JAG issuance (see idp-exchanges.ts).
// Test controls: refuse, slow down or drop refresh grants, count them and what they asked for,
// count revocations; refuse exchanges, record them, issue faulty ID-JAGs; stop the server.
// Listens on a port the system picks unless given one.
import { randomBytes } from "node:crypto";
import http from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import Provider, { type ClientMetadata, type Configuration, type KoaContextWithOIDC, type ResourceServer } from "oidc-provider";
import { readBody } from "./http";
import { exchangeRecord, registerExchangeGrants, type ExchangeKind, type ExchangeRecord, type IdJagFault } from "./idp-exchanges";
import { JWT_BEARER_GRANT, ID_JAG_TOKEN_TYPE, TOKEN_EXCHANGE_GRANT } from "./oauth-urns";
import { listenOn } from "./ports";
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, type JWTPayload, type ProtectedHeaderParameters } from "jose";

export type { ExchangeKind, ExchangeRecord, IdJagFault } from "./idp-exchanges";

/** `emailVerified`: what the IdP says of the email; undefined leaves the claim out, as some IdPs do. */
export type IdpUser = { sub: string; email: string; name: string; password: string; emailVerified?: boolean | undefined };
export type IdpClient = { client_id: string; client_secret: string; redirect_uris: string[] };
export type TokenRequestSeen = { grantType: string; dpop: { header: ProtectedHeaderParameters; claims: JWTPayload } | undefined };

export type TestIdp = {
  issuer: string;
  /** Refresh grants answered (successfully or not) since start. */
  refreshGrants: () => number;
  /** The RFC 8707 `resource` of every refresh grant, in order. */
  resourcesRequested: () => string[];
  /** The `scope` of every refresh grant that named one, in order. */
  refreshScopes: () => string[];
  /** More MCP servers tokens may be minted for (servers started after the IdP, which need its issuer). */
  allowResources: (more: string[]) => void;
  /** Token revocations (RFC 7009) received. */
  revocations: () => number;
  /** Every token request, in order: its grant type and the DPoP proof it carried (header and claims, as sent), if any. */
  tokenRequests: () => TokenRequestSeen[];
  /** "refuse": refresh grants get invalid_grant; "slow": they wait `delayMs` first; "unreachable": the connection drops. */
  setRefreshBehaviour: (behaviour: RefreshBehaviour, delayMs?: number) => void;
  /** Every exchange request (token exchange, on-behalf-of, ID-JAG) received, in order, as it was asked — refused ones too. */
  exchanges: (kind?: ExchangeKind) => ExchangeRecord[];
  /** While set, exchanges of this kind are refused with this OAuth error after their checks pass; undefined accepts them again. */
  setExchangeRefusal: (kind: ExchangeKind, error: string | undefined) => void;
  /** An authorization server (its issuer) ID-JAGs may be issued for, with the client_id it knows each IdP client as (default: the same). */
  allowIdJagAudience: (issuer: string, clientIds?: Record<string, string>) => void;
  /** While set, every ID-JAG issued gets this wrong; undefined issues good ones again. */
  setIdJagFault: (fault: IdJagFault | undefined) => void;
  stop: () => Promise<void>;
};

type RefreshBehaviour = "normal" | "refuse" | "slow" | "unreachable";

export async function startTestIdp(options: {
  port?: number;
  users: IdpUser[];
  clients: IdpClient[];
  /** The MCP servers (resource indicators) tokens may be minted for; allowResources adds more. */
  resources: string[];
  accessTokenTtlSeconds?: number;
  /** Open dynamic client registration (RFC 7591), as an MCP server's authorization server would. */
  registration?: boolean;
  /** Exchange grants the token endpoint offers every client; none unless listed. */
  exchanges?: ExchangeKind[];
  /** Authorization servers (issuer → IdP client_id → their client_id) ID-JAGs may be issued for; allowIdJagAudience adds more. */
  idJagAudiences?: Record<string, Record<string, string>>;
  idJagTtlSeconds?: number;
  idTokenTtlSeconds?: number;
  /** DPoP (RFC 9449, on in oidc-provider by default): with `requireNonce`, every proof must carry the server's nonce (§8). */
  dpop?: { requireNonce?: boolean };
  /** Clients that get tokens with no person (client_credentials, client_secret_basic), for the MCP servers as resources. */
  machineClients?: { client_id: string; client_secret: string }[];
}): Promise<TestIdp> {
  const resources = [...options.resources];
  const exchangeKinds = options.exchanges ?? [];
  const exchangeGrantTypes = [...new Set(exchangeKinds.map((kind) => (kind === "on_behalf_of" ? JWT_BEARER_GRANT : TOKEN_EXCHANGE_GRANT)))];
  const idJagAudiences = new Map(Object.entries(options.idJagAudiences ?? {}));
  // The server listens first: the issuer URL names its port.
  let handle: http.RequestListener = (_req, res) => void res.writeHead(503).end();
  const server = http.createServer((req, res) => { handle(req, res); });
  const port = await listenOn(server, options.port);
  const issuer = `http://127.0.0.1:${port}`;
  const users = new Map(options.users.map((user) => [user.sub, user]));
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: "test-idp-key", alg: "RS256", use: "sig" };
  const accessTokenTtl = options.accessTokenTtlSeconds ?? 300;
  const resourceServer = (resource: string): ResourceServer => ({ scope: "mcp", audience: resource, accessTokenFormat: "jwt", accessTokenTTL: accessTokenTtl, jwt: { sign: { alg: "RS256" } } });

  const provider = new Provider(issuer, {
    clients: [
      ...options.clients.map((client): ClientMetadata => ({
        ...client,
        grant_types: ["authorization_code", "refresh_token", ...exchangeGrantTypes],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_basic",
      })),
      ...(options.machineClients ?? []).map((client): ClientMetadata => ({ ...client, grant_types: ["client_credentials"], response_types: [], redirect_uris: [], token_endpoint_auth_method: "client_secret_basic" })),
    ],
    jwks: { keys: [jwk] },
    cookies: { keys: ["test-idp-cookie-key"] },
    findAccount: (_ctx, sub) => {
      const user = users.get(sub);
      if (!user) return undefined;
      const verified = "emailVerified" in user ? user.emailVerified : true;
      return { accountId: sub, claims: () => ({ sub, email: user.email, ...(verified === undefined ? {} : { email_verified: verified }), name: user.name }) };
    },
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
    // Put the scopes' claims (email, name) in the ID token, as most enterprise IdPs do.
    conformIdTokenClaims: false,
    scopes: ["openid", "email", "profile", "offline_access", "mcp"],
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: true },
      clientCredentials: { enabled: Boolean(options.machineClients?.length) },
      dPoP: options.dpop?.requireNonce ? { enabled: true, nonceSecret: randomBytes(32), requireNonce: () => true } : { enabled: true },
      registration: { enabled: Boolean(options.registration) },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => undefined,
        useGrantedResource: () => false,
        getResourceServerInfo: (_ctx, resource) => {
          if (!resources.includes(resource)) throw new Error(`unknown resource ${resource}`);
          return resourceServer(resource);
        },
      },
    },
    issueRefreshToken: (_ctx, client) => client.grantTypeAllowed("refresh_token"),
    rotateRefreshToken: true,
    ttl: { AccessToken: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? accessTokenTtl, AuthorizationCode: 60, IdToken: options.idTokenTtlSeconds ?? 3600, RefreshToken: 14 * 24 * 3600, Interaction: 600, Session: 24 * 3600, Grant: 14 * 24 * 3600 },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    pkce: { required: () => false },
    // Consent is implied: grant what was asked, including every known MCP resource.
    loadExistingGrant: async (ctx) => {
      const accountId = ctx.oidc.session?.accountId;
      if (!accountId || !ctx.oidc.client) return undefined;
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId });
      const requested = ctx.oidc.params?.scope;
      grant.addOIDCScope(`openid email profile offline_access ${typeof requested === "string" ? requested : ""}`.trim());
      grant.addOIDCClaims(["sub", "email", "email_verified", "name"]);
      for (const resource of resources) grant.addResourceScope(resource, "mcp");
      await grant.save();
      return grant;
    },
    discovery: exchangeKinds.includes("id_jag") ? { identity_chaining_requested_token_types_supported: [ID_JAG_TOKEN_TYPE] } : {},
  } satisfies Configuration);
  provider.proxy = false;

  let grants = 0;
  let revocations = 0;
  const tokenRequests: TokenRequestSeen[] = [];
  const resourcesRequested: string[] = [];
  const refreshScopes: string[] = [];
  let behaviour: RefreshBehaviour = "normal";
  let delayMs = 0;
  const exchanges: ExchangeRecord[] = [];
  const exchangeRefusals = new Map<ExchangeKind, string>();
  let idJagFault: IdJagFault | undefined;

  registerExchangeGrants(provider, {
    kinds: exchangeKinds,
    key: { privateKey, publicKey, kid: jwk.kid },
    resources: () => resources,
    idJagAudiences: () => idJagAudiences,
    resourceServer,
    user: (sub) => users.get(sub),
    refusal: (kind) => exchangeRefusals.get(kind),
    idJagFault: () => idJagFault,
    idJagTtlSeconds: options.idJagTtlSeconds ?? 120,
  });

  provider.use(async (ctx: KoaContextWithOIDC, next: () => Promise<void>) => {
    // Authorization requests carry the known MCP resources, so refresh tokens can be exchanged
    // for any of them later (RFC 8707: a refresh grant may only name resources granted here).
    if (ctx.path === "/auth" && ctx.method === "GET") {
      const url = new URL(ctx.href);
      for (const resource of resources) if (!url.searchParams.getAll("resource").includes(resource)) url.searchParams.append("resource", resource);
      ctx.querystring = url.searchParams.toString();
    }
    if (ctx.path === "/token" && ctx.method === "POST") {
      const raw = (await readBody(ctx.req)).toString("utf8");
      (ctx.req as http.IncomingMessage & { body?: unknown }).body = raw; // oidc-provider parses a body read before it
      const form = new URLSearchParams(raw);
      const proof = ctx.get("dpop");
      tokenRequests.push({ grantType: form.get("grant_type") ?? "", dpop: proof ? { header: decodeProtectedHeader(proof), claims: decodeJwt(proof) } : undefined });
      const exchange = exchangeRecord(form, ctx.get("authorization"));
      if (exchange) exchanges.push(exchange);
      if (form.get("grant_type") === "refresh_token") {
        grants++;
        resourcesRequested.push(...form.getAll("resource"));
        refreshScopes.push(...form.getAll("scope"));
        if (behaviour === "unreachable") {
          ctx.req.socket.destroy();
          return;
        }
        if (behaviour === "slow") await sleep(delayMs);
        if (behaviour === "refuse") {
          ctx.status = 400;
          ctx.body = { error: "invalid_grant", error_description: "the session was revoked" };
          return;
        }
        // A server it doesn't know is refused before the refresh token is touched. oidc-provider would
        // spend a rotating one first and ask getResourceServerInfo after, so one call to an unknown
        // server would end the user's SSO session everywhere (their next refresh: invalid_grant).
        const unknown = form.getAll("resource").find((resource) => !resources.includes(resource));
        if (unknown !== undefined) {
          ctx.status = 400;
          ctx.body = { error: "invalid_target", error_description: `unknown resource ${unknown.slice(0, 200)}` };
          return;
        }
      }
    }
    if (ctx.path === "/token/revocation" && ctx.method === "POST") revocations++;
    await next();
  });

  const callback = provider.callback();
  handle = (req, res) => {
    const match = /^\/interaction\/([^/?]+)(\/login)?/.exec(req.url ?? "");
    if (!match) return void callback(req, res);
    interaction(req, res, match[2] === "/login").catch((error: unknown) => {
      res.writeHead(500, { "content-type": "text/plain" }).end(error instanceof Error ? error.message : "interaction failed");
    });
  };

  async function interaction(req: http.IncomingMessage, res: http.ServerResponse, submitted: boolean) {
    const details = await provider.interactionDetails(req, res);
    const { prompt, params, uid } = details;
    if (prompt.name === "consent") {
      const grant = new provider.Grant({ accountId: details.session?.accountId, clientId: String(params.client_id) });
      grant.addOIDCScope(`openid email profile offline_access ${typeof params.scope === "string" ? params.scope : ""}`.trim());
      grant.addOIDCClaims(["sub", "email", "email_verified", "name"]);
      for (const resource of resources) grant.addResourceScope(resource, "mcp");
      const grantId = await grant.save();
      await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
      return;
    }
    // Headless: a login_hint naming a known user signs them in without a form.
    const hinted = typeof params.login_hint === "string" ? [...users.values()].find((u) => u.sub === params.login_hint || u.email === params.login_hint) : undefined;
    if (hinted) {
      await provider.interactionFinished(req, res, { login: { accountId: hinted.sub } }, { mergeWithLastSubmission: false });
      return;
    }
    if (submitted) {
      const form = await readForm(req);
      const user = [...users.values()].find((u) => u.email === form.email && u.password === form.password);
      if (user) {
        await provider.interactionFinished(req, res, { login: { accountId: user.sub } }, { mergeWithLastSubmission: false });
        return;
      }
    }
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(`<!doctype html><html><head><title>Test IdP sign-in</title></head>
<body style="font-family:system-ui;max-width:22rem;margin:4rem auto">
<h1>Test identity provider</h1>${submitted ? '<p role="alert">Wrong email or password.</p>' : ""}
<form method="post" action="/interaction/${uid}/login">
<label>Email <input name="email" type="email" autocomplete="username"></label><br><br>
<label>Password <input name="password" type="password" autocomplete="current-password"></label><br><br>
<button type="submit">Continue</button></form></body></html>`);
  }

  return {
    issuer,
    refreshGrants: () => grants,
    resourcesRequested: () => [...resourcesRequested],
    refreshScopes: () => [...refreshScopes],
    revocations: () => revocations,
    tokenRequests: () => [...tokenRequests],
    allowResources: (more) => void resources.push(...more),
    setRefreshBehaviour: (next, ms = 0) => {
      behaviour = next;
      delayMs = ms;
    },
    exchanges: (kind) => exchanges.filter((exchange) => !kind || exchange.kind === kind),
    setExchangeRefusal: (kind, error) => {
      if (error) exchangeRefusals.set(kind, error);
      else exchangeRefusals.delete(kind);
    },
    allowIdJagAudience: (issuer, clientIds = {}) => void idJagAudiences.set(issuer, clientIds),
    setIdJagFault: (fault) => {
      idJagFault = fault;
    },
    stop: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => { resolve(); });
    }),
  };
}

async function readForm(req: http.IncomingMessage): Promise<Record<string, string>> {
  return Object.fromEntries(new URLSearchParams((await readBody(req)).toString("utf8")));
}
