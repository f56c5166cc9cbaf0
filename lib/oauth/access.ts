// The gateway's side of OAuth: who an access token from the console's authorization server acts
// for, and the 401 that tells an MCP client where to get one (RFC 9728). Tokens are opaque and
// stored, so a revoked app's next call is refused; a token bound to another resource is refused.
import "server-only";
import { ApiError } from "@/lib/api/errors";
import { cacheCaller, cachedCaller, callerCacheEpoch } from "@/lib/auth/caller-cache";
import { keptTokenCaller, membershipCaller, tokenCaller, type Caller } from "@/lib/auth/request-auth";
import { API_TOKEN_PREFIX, hashApiToken } from "@/lib/crypto";
import { parseAccountId } from "@/lib/oauth/accounts";
import { noteConnectedAppUse } from "@/lib/oauth/connected-apps";
import { oauthServer } from "@/lib/oauth/server";
import { audienceAllows, MCP_SCOPE, resourceMetadataUrl } from "@/lib/oauth/urls";
import { JWT_BEARER_GRANT } from "@/lib/identity/grants";
import { idJagTokenStillAllowed } from "@/lib/workspaces/settings";

/** RFC 6750 §3 + RFC 9728 §5.1: a 401 naming the metadata that says how to authorise. */
export function gatewayUnauthenticated(detail: string, serverIdentifier: string | undefined, invalidToken: boolean): ApiError {
  const challenge = [
    `Bearer resource_metadata="${resourceMetadataUrl(serverIdentifier)}"`,
    ...(invalidToken ? [`error="invalid_token"`, `error_description="${detail.replace(/["\\]/g, "")}"`] : []),
  ].join(", ");
  return new ApiError("unauthenticated", detail, { headers: { "www-authenticate": challenge } });
}

async function oauthCaller(token: string, serverIdentifier: string | undefined): Promise<Caller> {
  const refuse = (detail: string) => gatewayUnauthenticated(detail, serverIdentifier, true);
  // Its own key space: an OAuth token is never taken for a personal API token (lib/auth/request-auth.ts).
  const hash = `oauth:${hashApiToken(token)}`;
  const cached = cachedCaller(hash);
  if (cached) {
    if (!audienceAllows(cached.audience, serverIdentifier)) throw refuse("This access token is for another resource");
    noteConnectedAppUse(cached.tokenId);
    return cached.caller;
  }
  const epoch = callerCacheEpoch();
  const provider = await oauthServer();
  const accessToken = await provider.AccessToken.find(token);
  if (!accessToken || accessToken.isExpired || !accessToken.grantId) throw refuse("The access token is invalid, expired or revoked");
  // A sender-constrained (DPoP) token proves nothing as a plain Bearer token; a token without the
  // mcp scope was not granted for the gateway.
  if (accessToken.isSenderConstrained() || !accessToken.scopes.has(MCP_SCOPE)) throw refuse("This access token can't be used as a Bearer token for the MCP gateway");
  const audience = typeof accessToken.aud === "string" ? accessToken.aud : undefined;
  if (!audienceAllows(audience, serverIdentifier)) throw refuse("This access token is for another resource");
  const account = parseAccountId(accessToken.accountId);
  if (!account) throw refuse("The access token is invalid, expired or revoked");
  if (accessToken.gty === JWT_BEARER_GRANT && !(await idJagTokenStillAllowed(account.workspaceId, accessToken.clientId ?? "", accessToken.grantId))) {
    throw refuse("This app's enterprise access has ended: an admin turned it off or revoked it");
  }
  const caller = await membershipCaller(account.userId, account.workspaceId, "oauth", false).catch(() => {
    throw refuse("This app's user no longer has access to its workspace");
  });
  cacheCaller(hash, { caller, tokenId: accessToken.grantId, lastUsedAt: Date.now(), audience }, epoch, (accessToken.exp ?? 0) * 1000);
  noteConnectedAppUse(accessToken.grantId);
  return caller;
}

/**
 * The gateway's caller: a personal API token or an OAuth access token as a Bearer token — never a
 * cookie, so no web page can call the gateway with a signed-in user's session.
 */
export async function gatewayCaller(req: { headers: Pick<Headers, "get"> }, serverIdentifier: string | undefined): Promise<Caller> {
  return gatewayCallerNow(req, serverIdentifier);
}

/**
 * gatewayCaller, without a wait when the caller's API token was checked moments ago (every relayed
 * call asks): the caller, or the promise of one. Throws the 401 it would reject with.
 */
export function gatewayCallerNow(req: { headers: Pick<Headers, "get"> }, serverIdentifier: string | undefined): Caller | Promise<Caller> {
  const authorization = req.headers.get("authorization");
  if (!authorization) throw gatewayUnauthenticated("Authorize this client (OAuth), or send a personal API token: Authorization: Bearer <token>", serverIdentifier, false);
  const secret = /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
  if (!secret) throw gatewayUnauthenticated("Use Authorization: Bearer <token>", serverIdentifier, true);
  if (!secret.startsWith(API_TOKEN_PREFIX)) return oauthCaller(secret, serverIdentifier);
  return keptTokenCaller(hashApiToken(secret)) ?? apiTokenCaller(secret, serverIdentifier);
}

async function apiTokenCaller(secret: string, serverIdentifier: string | undefined): Promise<Caller> {
  try {
    return await tokenCaller(secret);
  } catch (error) {
    if (error instanceof ApiError && error.code === "unauthenticated") throw gatewayUnauthenticated(error.message, serverIdentifier, true);
    throw error;
  }
}
