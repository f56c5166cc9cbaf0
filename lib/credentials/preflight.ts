// What a preflight ("Check as me") shows: the strategy that applies to a user's calls, its
// audience, what it needs, and the decoded claims of the credential the next call would carry —
// never the credential itself — or the reason it can't be had. Getting the credential may ask the
// identity provider or an authorization server for a token (and read the metadata the server
// publishes for that); no MCP request reaches the server.
import "server-only";
import { decodeJwt } from "jose";
import { z } from "zod";
import { ApiError } from "@/lib/api/errors";
import { userRefSchema } from "@/lib/api/user-ref";
import type { Caller } from "@/lib/auth/request-auth";
import { hasRole } from "@/lib/auth/roles";
import { connectionFor, strategyFor } from "@/lib/credentials/connection";
import { CREDENTIAL_KINDS, type CredentialDescription, type EndUser } from "@/lib/credentials/types";
import { db } from "@/lib/db";
import { log } from "@/lib/log";
import { findProviderRow } from "@/lib/providers/data";
import type { ProviderRow } from "@/lib/providers/record";
import { enforce, LIMITS } from "@/lib/rate-limit";

export const credentialClaimsSchema = z
  .object({
    iss: z.string().optional(),
    sub: z.string().optional(),
    aud: z.union([z.string(), z.array(z.string())]).optional(),
    azp: z.string().optional(),
    client_id: z.string().optional(),
    scope: z.string().optional(),
    exp: z.number().optional().describe("Unix seconds"),
    iat: z.number().optional().describe("Unix seconds"),
  })
  .describe("What the token says of itself (its signature isn't checked here; the token itself is never shown)");
export type CredentialClaims = z.infer<typeof credentialClaimsSchema>;

const SHOWN_CLAIMS = Object.entries(credentialClaimsSchema.shape);

export type Preflight = CredentialDescription & {
  /** The claims of the bearer token the next call would carry, when it is a JWT; null otherwise. */
  claims: CredentialClaims | null;
  /** Why no credential can be had for this user, in the words a call would fail with; null when one can. */
  error: { code: string; message: string } | null;
};

/** The claims a JWT access token (Bearer or DPoP) says it carries, those of the expected types only (its signature isn't checked: this is only shown). */
export function shownClaims(authorization: string | undefined): CredentialClaims | null {
  const token = /^(?:Bearer|DPoP) (.+)$/.exec(authorization ?? "")?.[1];
  if (!token) return null;
  try {
    const payload = decodeJwt(token);
    return Object.fromEntries(SHOWN_CLAIMS.flatMap(([name, schema]) => (payload[name] !== undefined && schema.safeParse(payload[name]).success ? [[name, payload[name]]] : [])));
  } catch {
    return null; // an opaque token: nothing to show but that it exists
  }
}

export async function preflightCredential(row: ProviderRow, user: EndUser): Promise<Preflight> {
  const description = await strategyFor(row).describe();
  try {
    const connection = await connectionFor(row, user);
    // The provider's own headers are an admin's secret, not the user's credential: nothing of them is shown.
    const own = connection.forwarded || connection.oauth !== undefined;
    return { ...description, claims: own ? shownClaims(connection.headers.Authorization) : null, error: null };
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return { ...description, claims: null, error: { code: error.code, message: error.detail } };
  }
}

// ── The API's face of it: POST /api/v1/mcp-providers/{id}/identity-check ─────────────────────

export const identityCheckRequestSchema = z.strictObject({
  user_id: z.string().min(1).max(64).optional().describe("Owners and admins: check as this member (default: yourself)"),
});

export const identityCheckSchema = z.object({
  user: userRefSchema.describe("Whom the check was made as"),
  strategy: z.enum(CREDENTIAL_KINDS).describe("What decides the credential: the provider's identity mode, its OAuth connection, or its own headers"),
  audience: z.string().nullable().describe("Who the credential is for: the server's canonical URI, when the strategy binds one"),
  needs: z.string().describe("What the strategy needs, in one line"),
  claims: credentialClaimsSchema.nullable().describe("The decoded claims of the credential the next call would carry; null when there is none, it is opaque, or it is the provider's own"),
  error: z
    .object({ code: z.string(), message: z.string().describe("The words a call would fail with") })
    .nullable()
    .describe("Why no credential can be had; null when one can"),
  checked_at: z.iso.datetime(),
});
export type IdentityCheck = z.infer<typeof identityCheckSchema>;

/** A preflight for `userId` (default: the caller) — another member's only for owners and admins. Limited per caller and provider. */
export async function checkIdentity(options: { workspaceId: string; id: string; caller: Pick<Caller, "userId" | "role">; userId?: string }): Promise<IdentityCheck> {
  const { workspaceId, id, caller } = options;
  const userId = options.userId ?? caller.userId;
  if (userId !== caller.userId && !hasRole(caller.role, "admin")) throw new ApiError("forbidden", "Only owners and admins check as another member.");
  await enforce([[LIMITS.identityCheckPerUserProvider, `${caller.userId}:${id}`]], "identity checks of this provider");
  const row = await findProviderRow({ workspaceId, id });
  const member = await db().membership.findUnique({ where: { userId_workspaceId: { userId, workspaceId } }, select: { user: { select: { id: true, email: true } } } });
  if (!member) throw new ApiError("not_found", "No member of this workspace has that id.");
  const preflight = await preflightCredential(row, { userId, workspaceId });
  if (userId !== caller.userId) log.info({ providerId: id, userId: caller.userId, checkedAs: userId }, "an identity check was made as another member");
  return { user: member.user, ...preflight, checked_at: new Date().toISOString() };
}
