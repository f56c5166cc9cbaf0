// The consent step of an MCP client's authorization: what the page shows, and what the user's
// answer does. oidc-provider keeps the pending authorization under a cookie scoped to
// /oauth/authorize/{uid}; it reads only the Cookie header, so a minimal request carries it.
import "server-only";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { InteractionResults } from "oidc-provider";
import type { Caller } from "@/lib/auth/request-auth";
import { log } from "@/lib/log";
import { accountIdOf } from "@/lib/oauth/accounts";
import { recordConnectedApp } from "@/lib/oauth/connected-apps";
import { redirectDestination } from "@/lib/oauth/redirect-uris";
import { oauthServer, TTL } from "@/lib/oauth/server";
import { isMcpResource, MCP_SCOPE, oauthUrls } from "@/lib/oauth/urls";

/** The scopes the authorization server knows (lib/oauth/server.ts): all a client may be granted. */
const GRANTABLE_SCOPES = new Set(["openid", "offline_access", MCP_SCOPE]);

function carrier(cookie: string | null) {
  const { origin } = oauthUrls();
  // Koa asks the socket and the forwarded protocol whether cookies may be secure.
  const headers = { cookie: cookie ?? "", "x-forwarded-proto": new URL(origin).protocol.slice(0, -1) };
  return { req: { headers, socket: {} } as unknown as IncomingMessage, res: {} as unknown as ServerResponse };
}

async function interactionAt(uid: string, cookie: string | null) {
  const provider = await oauthServer();
  const { req, res } = carrier(cookie);
  const details = await provider.interactionDetails(req, res).catch((error: unknown) => {
    log.info({ uid, reason: (error as Error).message }, "no pending authorization in this browser");
    return null;
  });
  return details?.uid === uid ? { provider, details, req, res } : null;
}

function requestedList(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === "string");
  return typeof value === "string" ? [value] : [];
}

export type PendingAuthorization = {
  uid: string;
  clientId: string;
  clientName: string;
  /** Where the answer goes back to: the host of the redirect URI, or a native app's scheme (`com.example.app:`). */
  redirectHost: string;
  /** Whether the client identified itself with a Client ID Metadata Document (its id is an https URL). */
  metadataDocument: boolean;
  /** The gateway endpoints the token will reach: `/mcp` (every provider) or one provider's. */
  resources: string[];
};

/** The authorization waiting at `uid` in this browser, or null (expired, finished, another browser's). */
export async function pendingAuthorization(uid: string, cookie: string | null): Promise<PendingAuthorization | null> {
  const pending = await interactionAt(uid, cookie);
  if (!pending) return null;
  const { provider, details } = pending;
  const clientId = String(details.params.client_id);
  const client = await provider.Client.find(clientId).catch(() => undefined);
  if (!client) return null;
  const redirectHost = redirectDestination(String(details.params.redirect_uri));
  if (!redirectHost) return null;
  const { mcp } = oauthUrls();
  return {
    uid,
    clientId,
    clientName: (client.clientName ?? "").trim().slice(0, 80) || "An unnamed app",
    redirectHost,
    metadataDocument: /^https:\/\//.test(clientId),
    resources: requestedList(details.params.resource).filter(isMcpResource).map((resource) => resource.slice(mcp.length) || "/"),
  };
}

/**
 * Finishes the authorization at `uid` with the signed-in caller's answer. Returns where the browser
 * goes next (back into the authorization server, which sends it on to the client), or null when
 * nothing is pending here any more.
 */
export async function decideAuthorization(uid: string, cookie: string | null, caller: Caller, allow: boolean): Promise<string | null> {
  const interaction = await interactionAt(uid, cookie);
  if (!interaction) return null;
  const { provider, details, req, res } = interaction;
  let result: InteractionResults;
  if (!allow) {
    result = { error: "access_denied", error_description: "The user declined to authorise this app" };
  } else {
    const pending = await pendingAuthorization(uid, cookie);
    if (!pending) return null;
    const accountId = accountIdOf(caller.workspaceId, caller.userId);
    const grant = new provider.Grant({ accountId, clientId: pending.clientId });
    const scopes = (typeof details.params.scope === "string" ? details.params.scope : "").split(" ").filter((scope) => GRANTABLE_SCOPES.has(scope));
    if (scopes.length > 0) grant.addOIDCScope(scopes.join(" "));
    for (const resource of requestedList(details.params.resource).filter(isMcpResource)) grant.addResourceScope(resource, MCP_SCOPE);
    const grantId = await grant.save();
    await recordConnectedApp({
      grantId,
      workspaceId: caller.workspaceId,
      userId: caller.userId,
      clientId: pending.clientId.slice(0, 2000),
      clientName: pending.clientName,
      redirectHost: pending.redirectHost.slice(0, 300),
      expiresAt: new Date(Date.now() + TTL.Grant * 1000),
    });
    log.info({ userId: caller.userId, workspaceId: caller.workspaceId, clientId: pending.clientId.slice(0, 200) }, "an MCP client was authorised");
    result = { login: { accountId }, consent: { grantId } };
  }
  return provider.interactionResult(req, res, result, { mergeWithLastSubmission: false });
}
