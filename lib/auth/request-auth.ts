// Who is calling: an API token (Authorization: Bearer …) or the browser's session cookie, resolved
// to a user, their current workspace and their current role in it — on every request.
import "server-only";
import type { NextRequest } from "next/server";
import { getToken } from "next-auth/jwt";
import { ApiError } from "@/lib/api/errors";
import { findApiTokenByHash, noteTokenUse } from "@/lib/auth/api-tokens";
import { cacheCaller, cachedCaller, callerCacheEpoch } from "@/lib/auth/caller-cache";
import { hashApiToken } from "@/lib/crypto";
import { findLiveSession } from "@/lib/auth/sessions";
import { parseRole, type Role } from "@/lib/auth/roles";
import { db } from "@/lib/db";
import { env } from "@/lib/env";

export type Caller = {
  userId: string;
  email: string;
  name: string;
  workspaceId: string;
  workspaceName: string;
  role: Role;
  /** An API token, the browser's session, or an OAuth access token an MCP client holds. */
  via: "token" | "session" | "oauth";
  /** The browser session signed in with SSO (its refresh token can mint identity tokens). */
  viaSso: boolean;
  /** The browser session's id (a session can switch workspaces; a token can't). */
  sessionId?: string;
};

export const unauthenticated = (detail: string) => new ApiError("unauthenticated", detail, { headers: { "www-authenticate": 'Bearer realm="mcp-console"' } });

export async function membershipCaller(userId: string, workspaceId: string, via: Caller["via"], viaSso: boolean): Promise<Caller> {
  const membership = await db().membership.findUnique({
    where: { userId_workspaceId: { userId, workspaceId } },
    include: { user: true, workspace: true },
  });
  if (!membership) throw unauthenticated("This credential no longer has access to its workspace");
  return {
    userId,
    email: membership.user.email,
    name: membership.user.name,
    workspaceId,
    workspaceName: membership.workspace.name,
    role: parseRole(membership.role),
    via,
    viaSso,
  };
}

export async function authenticate(req: NextRequest): Promise<Caller> {
  const authorization = req.headers.get("authorization");
  if (authorization) return bearerCaller(authorization);
  return sessionCaller(req);
}

/** The token of an `Authorization: Bearer <token>` header; anything else is refused as unauthenticated. */
export function bearerSecret(authorization: string | null): string {
  const secret = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1] : undefined;
  if (!secret) throw unauthenticated("Use Authorization: Bearer <api token>");
  return secret;
}

/** The caller behind an `Authorization: Bearer <api token>` header. */
export async function bearerCaller(authorization: string): Promise<Caller> {
  return tokenCaller(bearerSecret(authorization));
}

/** The caller behind an API token: from the caller cache, or the database (and then cached). */
export async function tokenCaller(secret: string): Promise<Caller> {
  const hash = hashApiToken(secret);
  const kept = keptTokenCaller(hash);
  if (kept) return kept;
  const epoch = callerCacheEpoch();
  const token = await findApiTokenByHash(hash);
  if (!token) throw unauthenticated("The API token is invalid or has been revoked");
  if (token.expiresAt && token.expiresAt.getTime() <= Date.now()) throw unauthenticated(`The API token expired on ${token.expiresAt.toISOString().slice(0, 10)}; create a new one`);
  const caller = await membershipCaller(token.userId, token.workspaceId, "token", false);
  // Cached no longer than the token lives.
  cacheCaller(hash, { caller, tokenId: token.id, lastUsedAt: Date.now() }, epoch, token.expiresAt?.getTime());
  return caller;
}

/** The caller behind an API token (by its hash) checked moments ago, without a wait; undefined when it must be read. */
export function keptTokenCaller(tokenHash: string): Caller | undefined {
  const cached = cachedCaller(tokenHash);
  // Only an API token's own entry: an OAuth access token is never a credential for the REST API.
  if (cached?.caller.via !== "token") return undefined;
  noteTokenUse(cached.tokenId, cached.lastUsedAt);
  return cached.caller;
}

/** The caller behind a session cookie (in a route's request, or a page's headers and cookies). */
export async function sessionCaller(req: Parameters<typeof getToken>[0]["req"]): Promise<Caller> {
  const jwt = await getToken({ req, secret: env().NEXTAUTH_SECRET }).catch(() => null);
  if (!jwt || typeof jwt.sid !== "string") throw unauthenticated("Sign in, or send an API token");
  const session = await findLiveSession(jwt.sid);
  if (!session) throw unauthenticated("Your session has ended; sign in again");
  return { ...(await membershipCaller(session.userId, session.workspaceId, "session", session.viaSso)), sessionId: session.id };
}

/** Cookie-authenticated mutations must come from the console's own pages (CSRF defence). */
export function assertSameOrigin(req: NextRequest) {
  const origin = req.headers.get("origin");
  const allowed = new Set([new URL(env().NEXTAUTH_URL).origin, req.nextUrl.origin]);
  if (!origin || !allowed.has(origin)) {
    throw new ApiError("forbidden", "Cross-origin request refused: send the request from the console, or use an API token");
  }
}
