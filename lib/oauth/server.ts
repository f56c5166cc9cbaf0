// The console's OAuth 2.1 authorization server for MCP clients: oidc-provider (a certified,
// maintained implementation — no hand-written token, PKCE or JWT code here), mounted at
// `${NEXTAUTH_URL}/oidc` by server.mjs, with its state in the database (lib/oauth/adapter.ts) so any
// instance serves any request. Access tokens are opaque and stored, so revoking a connected app
// ends them at once; their audience is the console's MCP endpoint (RFC 8707).
import "server-only";
import { hkdfSync } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import Provider, { errors, interactionPolicy, type Configuration, type KoaContextWithOIDC } from "oidc-provider";
import { OAUTH_POLICY } from "@/lib/edge/security-headers.mjs";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { PrismaAdapter } from "@/lib/oauth/adapter";
import { accountMembership } from "@/lib/oauth/accounts";
import { forgetConnectedApp } from "@/lib/oauth/connected-apps";
import { refusedAtEdge } from "@/lib/oauth/edge-limits";
import { ID_JAG_GRANT_PROFILE } from "@/lib/oauth/id-jag";
import { registerIdJagGrant } from "@/lib/oauth/id-jag-grant";
import { signingKeys } from "@/lib/oauth/keys";
import { allowedRedirectUri, isPrivateUseRedirectUri, REDIRECT_URI_RULE } from "@/lib/oauth/redirect-uris";
import { isMcpResource, MCP_SCOPE, oauthUrls } from "@/lib/oauth/urls";
import { processWide } from "@/lib/process-wide";
import { idJagDeploymentReady } from "@/lib/workspaces/settings";

export const TTL = {
  AccessToken: 60 * 60,
  AuthorizationCode: 60,
  Interaction: 10 * 60,
  Session: 10 * 60,
  RefreshToken: 30 * 24 * 60 * 60,
  Grant: 90 * 24 * 60 * 60,
} as const;

/** Cookie keys every instance derives alike from NEXTAUTH_SECRET. */
function cookieKeys(): string[] {
  return [Buffer.from(hkdfSync("sha256", env().NEXTAUTH_SECRET, Buffer.alloc(0), "mcp-console/oauth-cookies", 32)).toString("base64url")];
}

// Every authorization goes through the console's own sign-in check, never a session the
// authorization server kept: the browser may have signed in as someone else since.
function policy() {
  const prompts = interactionPolicy.base();
  prompts.get("login")?.checks.add(
    new interactionPolicy.Check("console_session", "the console confirms who is signed in", (ctx: KoaContextWithOIDC) =>
      ctx.oidc.result?.login ? interactionPolicy.Check.NO_NEED_TO_PROMPT : interactionPolicy.Check.REQUEST_PROMPT,
    ),
  );
  return prompts;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export type OAuthServerOptions = {
  /** Tests serve Client ID Metadata Documents from memory (the real fetch refuses private addresses). */
  fetch?: (url: string | URL, init: RequestInit) => Promise<Response>;
};

async function createOAuthServer(options: OAuthServerOptions = {}): Promise<Provider> {
  const urls = oauthUrls();
  // Enterprise-managed authorization is advertised (and its grant offered) by a deployment that can
  // accept it — enterprise on, an SSO provider to trust — whether or not a workspace has turned it
  // on yet: the metadata describes the server, the same for every client, and a client not allowed
  // is told so by the token endpoint (unauthorized_client), naming the setting.
  const acceptsIdJags = idJagDeploymentReady();
  const configuration: Configuration = {
    adapter: PrismaAdapter,
    jwks: await signingKeys(),
    cookies: { keys: cookieKeys() },
    findAccount: async (_ctx, sub) => ((await accountMembership(sub)) ? { accountId: sub, claims: () => ({ sub }) } : undefined),
    scopes: ["openid", "offline_access", MCP_SCOPE],
    // RFC 6749 §3.3: a request without `scope` gets the default — the gateway's, which is what an
    // MCP client is authorising (the conformance suite's authorization-code-grant sends none).
    // Validators of extra parameters run after the scope checks and before any interaction.
    extraParams: {
      scope: (ctx: KoaContextWithOIDC, value: string | undefined) => {
        if (value === undefined && ctx.oidc.params) ctx.oidc.params.scope = MCP_SCOPE;
      },
    },
    claims: { openid: ["sub"] },
    responseTypes: ["code"],
    pkce: { required: () => true },
    clientAuthMethods: ["none", "client_secret_basic", "client_secret_post"],
    // Checks every client — registered, described by a metadata document, or loaded back — once
    // per client: the validator sees the whole metadata whichever listed property it is called for.
    extraClientMetadata: {
      properties: ["software_id"],
      validator: (_ctx, key, value, metadata) => {
        if (value !== undefined && (typeof value !== "string" || value.length > 200)) throw new errors.InvalidClientMetadata(`${key} must be a string of at most 200 characters`);
        const uris: unknown = metadata.redirect_uris;
        if (!Array.isArray(uris)) return;
        if (!uris.every(allowedRedirectUri)) throw new errors.InvalidClientMetadata(REDIRECT_URI_RULE);
        // Only a native app has a private-use scheme; MCP clients seldom say what they are (RFC 8252).
        if (uris.some(isPrivateUseRedirectUri)) metadata.application_type = "native";
      },
    },
    // Only what MCP clients use (OAuth 2.1 code + PKCE, RFC 7591/8414/8707/9728, CIMD). Off:
    // pushed authorization requests (anonymous writes no MCP client makes), DPoP (the gateway takes
    // Bearer tokens only), userinfo (no client reads claims); device flow, CIBA, introspection and
    // the rest are off by default.
    features: {
      devInteractions: { enabled: false },
      pushedAuthorizationRequests: { enabled: false },
      dPoP: { enabled: false },
      userinfo: { enabled: false },
      registration: { enabled: true },
      revocation: { enabled: true },
      rpInitiatedLogout: { enabled: false },
      clientIdMetadataDocument: { enabled: true, ack: "draft-02" },
      resourceIndicators: {
        enabled: true,
        // RFC 8707 is required at authorization; later steps use what was granted.
        defaultResource: (ctx: KoaContextWithOIDC) => {
          if (ctx.oidc.route === "authorization") throw new errors.InvalidTarget("resource is required: the MCP endpoint this token is for");
          return undefined;
        },
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resourceIndicator) => {
          if (!isMcpResource(resourceIndicator)) throw new errors.InvalidTarget(`this server issues tokens only for ${urls.mcp}`);
          return { scope: MCP_SCOPE, audience: resourceIndicator, accessTokenFormat: "opaque", accessTokenTTL: TTL.AccessToken };
        },
      },
    },
    interactions: { url: (_ctx, interaction) => `${urls.origin}/oauth/authorize/${interaction.uid}`, policy: policy() },
    issueRefreshToken: (_ctx, client) => client.grantTypeAllowed("refresh_token"),
    // Tokens live by the grant, not the authorization server's browser session: each authorization
    // checks the console's own sign-in anyway, and a session ending must not end every app's access.
    expiresWithSession: () => false,
    rotateRefreshToken: true,
    // Revoking an access token (RFC 7009) already ends every token of its grant here; end the grant
    // too, so "grant.revoked" drops the app from Connected apps and every instance's cached caller.
    revokeGrantPolicy: () => true,
    ttl: { ...TTL },
    ...(acceptsIdJags ? { discovery: { authorization_grant_profiles_supported: [ID_JAG_GRANT_PROFILE] } } : {}),
    renderError: (ctx, out) => {
      ctx.type = "html";
      ctx.body = `<!doctype html><meta charset="utf-8"><title>Authorization failed · MCP Console</title><h1>Authorization failed</h1><p>${escapeHtml(out.error_description ?? out.error)}</p><p>Go back to the app you came from and try connecting again.</p>`;
    },
    ...(options.fetch ? { fetch: options.fetch as Configuration["fetch"] } : {}),
  };
  const provider = new Provider(urls.issuer, configuration);
  // The X-Forwarded-* headers it reads are set by the console itself: the client's address by
  // server.mjs (believing proxies only through TRUSTED_PROXIES), host and protocol by handleOAuthHttp.
  provider.proxy = true;
  if (acceptsIdJags) registerIdJagGrant(provider, { accessTokenTtl: TTL.AccessToken, grantTtl: TTL.Grant });
  provider.on("server_error", (_ctx, error) => { log.error({ err: error }, "OAuth server error"); });
  // A grant ended inside the authorization server (a client's revocation, a replayed refresh token):
  // the app leaves the connected apps, and every instance forgets its cached caller now.
  provider.on("grant.revoked", (_ctx, grantId: string) => {
    forgetConnectedApp(grantId).catch((error: unknown) => { log.warn({ err: error, grantId }, "couldn't remove a revoked connected app"); });
  });
  return provider;
}

/** The process's authorization server (one per process; Next bundles modules into several layers). */
export function oauthServer(): Promise<Provider> {
  return processWide("oauth-server", () => createOAuthServer());
}

/** A separate server for tests that need their own options. */
export const createOAuthServerForTests = createOAuthServer;

/**
 * server.mjs hands `/oidc/*` (and the RFC 8414 path-inserted metadata aliases) here, with `path`
 * relative to the mount. oidc-provider builds its URLs from `originalUrl` against `url`.
 */
export async function handleOAuthHttp(req: IncomingMessage & { originalUrl?: string }, res: ServerResponse, path: string) {
  if (await refusedAtEdge(req, res, path)) return;
  const provider = await oauthServer();
  // Every URL it builds names the console's public origin (NEXTAUTH_URL), as the issuer does,
  // whatever Host the request came with.
  const { origin } = oauthUrls();
  req.headers["x-forwarded-host"] = new URL(origin).host;
  req.headers["x-forwarded-proto"] = new URL(origin).protocol.slice(0, -1);
  res.setHeader("content-security-policy", OAUTH_POLICY);
  req.originalUrl = `/oidc${path}`;
  req.url = path;
  await provider.callback()(req, res);
}

/** What instrumentation registers for server.mjs (which is not bundled and can't import TypeScript). */
export function registerOAuthHttp() {
  processWide("oauth-http", () => handleOAuthHttp);
  void oauthServer().catch((error: unknown) => { log.error({ err: error }, "the OAuth server could not start"); });
}
