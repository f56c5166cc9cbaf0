// Enterprise-managed authorization, inbound: the console's authorization server redeems an ID-JAG
// from the console's SSO provider (an RFC 7523 jwt-bearer grant) for a gateway access token — the
// same opaque, stored, audience-bound token the authorization-code flow issues — with no consent
// screen. A workspace admin turns it on and names the OAuth clients that may (lib/workspaces/settings.ts).
// The ID-JAG's subject is the SSO identity the console already links to a user; the token acts for
// them in the one workspace that allows the client. It is a connected app the user can revoke.
import "server-only";
import type Provider from "oidc-provider";
import { errors, type TokenEndpointGrantContext } from "oidc-provider";
import { db, prismaErrorCode } from "@/lib/db";
import { env } from "@/lib/env";
import { JWT_BEARER_GRANT } from "@/lib/identity/grants";
import { idpSigningKeys } from "@/lib/identity/idp";
import { log } from "@/lib/log";
import { accountIdOf } from "@/lib/oauth/accounts";
import { oauthRecordKey } from "@/lib/oauth/adapter";
import { recordConnectedApp } from "@/lib/oauth/connected-apps";
import { CLOCK_SKEW_SECONDS, IdJagRefusal, verifyIdJag, type IdJagClaims } from "@/lib/oauth/id-jag";
import { isMcpResource, MCP_SCOPE, oauthUrls } from "@/lib/oauth/urls";
import { idJagDeploymentReady, workspacesAllowingIdJagClient } from "@/lib/workspaces/settings";

type GrantContext = TokenEndpointGrantContext<{ assertion?: string }>;
type Params = GrantContext["oidc"]["params"];
type Client = GrantContext["oidc"]["client"];

/** What the grant's token lives by; the authorization server's own TTL for access tokens. */
export type IdJagTokenSettings = { accessTokenTtl: number; grantTtl: number };

const settingsLink = "the workspace's Settings page (or PATCH /api/v1/settings)";

function oauthError(refusal: IdJagRefusal) {
  const error = new errors.CustomOIDCProviderError(refusal.error, refusal.description);
  if (refusal.error === "temporarily_unavailable") {
    // Not the request's fault, and worth retrying: 503, still an OAuth error body.
    Object.assign(error, { status: 503, statusCode: 503, expose: true });
  }
  return error;
}

/** The workspaces the client may redeem ID-JAGs in, or the refusal saying an admin must allow it. */
async function allowingWorkspaces(client: Client): Promise<string[]> {
  if (!idJagDeploymentReady()) {
    throw new IdJagRefusal("unauthorized_client", "Enterprise-managed authorization (ID-JAG) is off in this deployment: an administrator must turn on enterprise features (ENTERPRISE_ENABLED) and single sign-on (OIDC_ISSUER)");
  }
  if (client.clientAuthMethod === "none") {
    throw new IdJagRefusal("unauthorized_client", "Only a confidential client can redeem an ID-JAG: register one with a client secret (token_endpoint_auth_method client_secret_basic or client_secret_post) and authenticate with it");
  }
  const workspaces = await workspacesAllowingIdJagClient(client.clientId);
  if (workspaces.length === 0) {
    throw new IdJagRefusal("unauthorized_client", `Enterprise-managed authorization (ID-JAG) is off for this client: a workspace admin must turn it on and allow client_id ${client.clientId.slice(0, 200)} in ${settingsLink}`);
  }
  return workspaces;
}

/** RFC 6749 §3.3: the gateway grants one scope; a request or an ID-JAG that names scopes must include it. */
function grantedScope(claims: IdJagClaims, params: Params): string {
  for (const [scope, where] of [[claims.scope, "The assertion's scope"], [params.scope, "The requested scope"]] as const) {
    if (scope !== undefined && !scope.split(" ").includes(MCP_SCOPE)) {
      throw new IdJagRefusal("invalid_scope", `${where} doesn't include ${MCP_SCOPE}, the only scope this server grants`);
    }
  }
  return MCP_SCOPE;
}

/** The console user the ID-JAG's subject is, and the one workspace of theirs that allows the client. */
async function memberFor(issuer: string, sub: string, workspaces: string[]): Promise<{ userId: string; workspaceId: string }> {
  const account = await db().ssoAccount.findUnique({ where: { issuer_subject: { issuer, subject: sub } }, select: { userId: true } });
  if (!account) {
    throw new IdJagRefusal("invalid_grant", "No console account is linked to the assertion's subject (sub): the user must sign in to the console with SSO once first");
  }
  const memberships = await db().membership.findMany({ where: { userId: account.userId, workspaceId: { in: workspaces } }, select: { workspaceId: true }, take: 2 });
  if (memberships.length === 0) {
    throw new IdJagRefusal("invalid_grant", "The assertion's user is not a member of a workspace that allows this client; a workspace admin must invite them, or allow the client in their workspace");
  }
  if (memberships.length > 1) {
    throw new IdJagRefusal("invalid_grant", "This client is allowed in more than one of the user's workspaces, so the token's workspace is ambiguous; an admin should allow it in only one of them");
  }
  return { userId: account.userId, workspaceId: memberships[0].workspaceId };
}

/**
 * Records the ID-JAG's jti as spent, on every instance (the database): a second redemption is
 * refused. Kept until the ID-JAG could no longer be accepted anyway, then pruned with the
 * authorization server's other expired records.
 */
async function spendJti(issuer: string, claims: IdJagClaims): Promise<void> {
  try {
    await db().oAuthRecord.create({
      data: { model: "IdJagJti", id: oauthRecordKey(`${issuer} ${claims.jti}`), payload: "", expiresAt: new Date((claims.exp + CLOCK_SKEW_SECONDS) * 1000) },
    });
  } catch (error) {
    if (prismaErrorCode(error) !== "P2002") throw error;
    throw new IdJagRefusal("invalid_grant", "The assertion (ID-JAG) was refused: it was already used (jti); each ID-JAG is redeemed once — get a fresh one from the identity provider");
  }
}

/**
 * The grant the token hangs on: the client's existing enterprise-managed grant for this user in
 * this workspace (so each redemption doesn't add another connected app), or a new one.
 */
async function grantFor(provider: Provider, client: Client, member: { userId: string; workspaceId: string }, resource: string, ttl: IdJagTokenSettings) {
  const accountId = accountIdOf(member.workspaceId, member.userId);
  const expiresAt = new Date(Date.now() + ttl.grantTtl * 1000);
  const existing = await db().connectedApp.findFirst({
    where: { workspaceId: member.workspaceId, userId: member.userId, clientId: client.clientId, source: "enterprise_idp" },
    select: { grantId: true },
    orderBy: { createdAt: "desc" },
  });
  const grant = existing ? await provider.Grant.find(existing.grantId) : undefined;
  if (grant && existing) {
    grant.addResourceScope(resource, MCP_SCOPE);
    await grant.save();
    await db().connectedApp.updateMany({ where: { grantId: existing.grantId }, data: { expiresAt } });
    return { accountId, grantId: existing.grantId };
  }
  const created = new provider.Grant({ accountId, clientId: client.clientId });
  created.addResourceScope(resource, MCP_SCOPE);
  const grantId = await created.save();
  await recordConnectedApp({
    grantId,
    ...member,
    clientId: client.clientId.slice(0, 2000),
    clientName: (client.clientName ?? "").trim().slice(0, 80) || "An unnamed app",
    redirectHost: "",
    expiresAt,
    source: "enterprise_idp",
  });
  return { accountId, grantId };
}

async function redeem(ctx: GrantContext, ttl: IdJagTokenSettings) {
  const { provider } = ctx.oidc;
  const { client, params } = ctx.oidc;
  const workspaces = await allowingWorkspaces(client);
  if (!params.assertion) throw new IdJagRefusal("invalid_request", "assertion is required: the ID-JAG the identity provider issued for this authorization server");
  const issuer = env().OIDC_ISSUER ?? "";
  const claims = await verifyIdJag(params.assertion, {
    issuer,
    audience: oauthUrls().issuer,
    clientId: client.clientId,
    isResource: isMcpResource,
    signingKeys: () => idpSigningKeys(issuer).catch(() => {
      throw new IdJagRefusal("temporarily_unavailable", "The console couldn't get the identity provider's signing keys (its discovery document's jwks_uri); try again shortly");
    }),
  });
  if (params.resource !== undefined && params.resource !== claims.resource) {
    throw new IdJagRefusal("invalid_target", "The resource parameter differs from the assertion's resource; send the same one, or leave it out");
  }
  const scope = grantedScope(claims, params);
  const member = await memberFor(issuer, claims.sub, workspaces);
  await spendJti(issuer, claims);
  const { accountId, grantId } = await grantFor(provider, client, member, claims.resource, ttl);
  const token = new provider.AccessToken({ accountId, client, grantId, gty: JWT_BEARER_GRANT, scope });
  token.resourceServer = new provider.ResourceServer(claims.resource, { scope: MCP_SCOPE, audience: claims.resource, accessTokenFormat: "opaque", accessTokenTTL: ttl.accessTokenTtl });
  ctx.oidc.entity("AccessToken", token);
  const accessToken = await token.save();
  log.info({ userId: member.userId, workspaceId: member.workspaceId, clientId: client.clientId.slice(0, 200) }, "an ID-JAG was redeemed for a gateway token");
  // No refresh token: the client gets a fresh ID-JAG from the identity provider, which decides again.
  return { access_token: accessToken, token_type: "Bearer", expires_in: token.expiration, scope };
}

/** Adds the jwt-bearer grant (ID-JAG) to the authorization server's token endpoint and metadata. */
export function registerIdJagGrant(provider: Provider, ttl: IdJagTokenSettings) {
  provider.registerGrantType(
    JWT_BEARER_GRANT,
    async (ctx: GrantContext) => {
      try {
        ctx.body = await redeem(ctx, ttl);
      } catch (error) {
        if (error instanceof IdJagRefusal) throw oauthError(error);
        throw error;
      }
    },
    ["assertion", "resource", "scope"],
  );
}
