// Connected apps: the MCP clients a user has authorised through the console's OAuth server, one per
// grant — at the consent screen, or by their enterprise's identity provider (an ID-JAG). Revoking one
// ends its grant, codes and tokens at once, on every instance.
import "server-only";
import { z } from "zod";
import { ApiError } from "@/lib/api/errors";
import { type UserRef, userRefSchema } from "@/lib/api/user-ref";
import { announceAuthChange } from "@/lib/auth/caller-cache";
import type { Caller } from "@/lib/auth/request-auth";
import { hasRole } from "@/lib/auth/roles";
import { setBounded } from "@/lib/bounded-map";
import { db } from "@/lib/db";
import { destroyGrant } from "@/lib/oauth/adapter";
import { processWide } from "@/lib/process-wide";

export const CONNECTED_APP_SOURCES = ["consent", "enterprise_idp"] as const;
export type ConnectedAppSource = (typeof CONNECTED_APP_SOURCES)[number];

export const connectedAppSchema = z.object({
  id: z.string().describe("The grant's id"),
  client_id: z.string().describe("The OAuth client: a registered id, or the URL of its Client ID Metadata Document"),
  client_name: z.string(),
  redirect_host: z.string().nullable().describe("Where the authorization was sent back to; null when it came from the identity provider (no redirect)"),
  source: z.enum(CONNECTED_APP_SOURCES).describe('How it was authorised: "consent" — by the user at the consent screen; "enterprise_idp" — by an ID-JAG from the SSO provider (enterprise-managed authorization), with no consent screen'),
  user: userRefSchema,
  created_at: z.iso.datetime(),
  last_used_at: z.iso.datetime().nullable(),
  expires_at: z.iso.datetime().describe("When the user must authorise the app again"),
});

export const connectedAppIdSchema = z.strictObject({ id: z.string().min(1).max(100) });

type AppRow = {
  grantId: string; clientId: string; clientName: string; redirectHost: string; source: string; createdAt: Date; lastUsedAt: Date | null; expiresAt: Date;
  user: UserRef;
};

function toConnectedApp(row: AppRow): z.infer<typeof connectedAppSchema> {
  return {
    id: row.grantId,
    client_id: row.clientId,
    client_name: row.clientName,
    redirect_host: row.source === "enterprise_idp" ? null : row.redirectHost,
    source: row.source === "enterprise_idp" ? "enterprise_idp" : "consent",
    user: { id: row.user.id, email: row.user.email },
    created_at: row.createdAt.toISOString(),
    last_used_at: row.lastUsedAt?.toISOString() ?? null,
    expires_at: row.expiresAt.toISOString(),
  };
}

export async function recordConnectedApp(app: {
  grantId: string; workspaceId: string; userId: string; clientId: string; clientName: string; redirectHost: string; expiresAt: Date; source?: ConnectedAppSource;
}) {
  await db().connectedApp.create({ data: { ...app, createdAt: new Date() } });
}

/** Of `grantIds`, those that can still reach the gateway: a live, unspent refresh or access token. */
async function grantsWithLiveTokens(grantIds: string[], now: Date): Promise<Set<string>> {
  const live = await db().oAuthRecord.findMany({
    where: { grantId: { in: grantIds }, model: { in: ["RefreshToken", "AccessToken"] }, consumedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
    select: { grantId: true },
    distinct: ["grantId"],
  });
  return new Set(live.map((row) => row.grantId ?? ""));
}

/** The caller's own apps; with `everyone`, an admin's view of the whole workspace. */
export async function listConnectedApps(caller: Caller, everyone: boolean) {
  if (everyone && !hasRole(caller.role, "admin")) throw new ApiError("forbidden", "Only owners and admins can see everyone's connected apps");
  const now = new Date();
  const rows = await db().connectedApp.findMany({
    where: { workspaceId: caller.workspaceId, ...(everyone ? {} : { userId: caller.userId }), expiresAt: { gt: now } },
    include: { user: { select: { id: true, email: true } } },
    orderBy: [{ createdAt: "desc" }, { grantId: "desc" }],
    take: 500,
  });
  // An app whose tokens have all expired or been revoked is no longer connected, whatever its grant says.
  const live = await grantsWithLiveTokens(rows.map((row) => row.grantId), now);
  return rows.filter((row) => live.has(row.grantId)).map(toConnectedApp);
}

/** Members revoke their own apps; owners and admins anyone's in the workspace. */
export async function revokeConnectedApp(caller: Caller, grantId: string) {
  const row = await db().connectedApp.findUnique({ where: { grantId } });
  const visible = row?.workspaceId === caller.workspaceId && (row.userId === caller.userId || hasRole(caller.role, "admin"));
  if (!row || !visible) throw new ApiError("not_found", "No connected app with this id");
  await destroyGrant(grantId);
  await forgetConnectedApp(grantId);
}

/**
 * Ends, at once, the grants the identity provider gave these clients in the workspace (ID-JAGs):
 * the admin no longer allows them there. Apps the users authorised themselves stay.
 */
export async function endEnterpriseGrants(workspaceId: string, clientIds: string[]) {
  if (clientIds.length === 0) return;
  const apps = await db().connectedApp.findMany({ where: { workspaceId, source: "enterprise_idp", clientId: { in: clientIds } }, select: { grantId: true } });
  for (const { grantId } of apps) {
    await destroyGrant(grantId);
    await forgetConnectedApp(grantId);
  }
}

/** The grant has ended: the app leaves the list and every instance forgets its cached caller. */
export async function forgetConnectedApp(grantId: string) {
  // Announced first: this instance forgets the caller before this function's first wait, so a
  // revocation's answer never goes out while its token still works here.
  const announced = announceAuthChange({ kind: "token", id: grantId });
  await db().connectedApp.deleteMany({ where: { grantId } });
  await announced;
}

// Last use is written at most once a minute per app, not on every call.
const LAST_USE_GRANULARITY_MS = 60_000;
const lastUseWritten = processWide("connected-app-last-use", () => new Map<string, number>());

export function noteConnectedAppUse(grantId: string) {
  const now = Date.now();
  if (now - (lastUseWritten.get(grantId) ?? 0) <= LAST_USE_GRANULARITY_MS) return;
  setBounded(lastUseWritten, grantId, now, 10_000);
  void db().connectedApp.updateMany({ where: { grantId }, data: { lastUsedAt: new Date(now) } }).catch(() => undefined);
}
