// A workspace's members, as its owners and admins manage them. The rules: an admin can't make,
// change or remove an owner; the last owner can't be demoted or removed; removing a member ends at
// once everything they hold in the workspace — sessions, API tokens, OAuth grants of their
// connected apps, their OAuth connections to providers — on every instance.
import "server-only";
import { isClaimedOnly } from "@/lib/auth/verified-address";
import { z } from "zod";
import { ApiError } from "@/lib/api/errors";
import { recordAuditEvent } from "@/lib/audit";
import { announceAuthChange } from "@/lib/auth/caller-cache";
import { hasRole, parseRole, ROLES, type Role } from "@/lib/auth/roles";
import { db, isPostgres, type DbTransaction } from "@/lib/db";
import { destroyGrant } from "@/lib/oauth/adapter";
import { endConnectionsOf, revokeEnded, type EndedConnection } from "@/lib/upstream-oauth/connections";

export type AdminCaller = { userId: string; workspaceId: string; role: Role };

export const roleSchema = z.enum(ROLES, { error: 'role is "member", "admin" or "owner"' });

export const memberSchema = z.object({
  user_id: z.string(),
  email: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
  sign_in: z.array(z.enum(["local", "sso"])).describe("How the member can sign in: a password here, SSO, or both"),
  email_verified_by: z
    .enum(["sso", "email"])
    .nullable()
    .describe('How they proved they receive mail at the address: "sso" (their identity provider said so), "email" (they followed a link mailed to it); null: not proved'),
  email_claimed_only: z
    .boolean()
    .describe("The account was made from an invitation link that was shown, not mailed, and nothing proved the address since: whoever made it only claimed the address, and its owner can take the account over. False for accounts the operator made"),
  joined_at: z.iso.datetime(),
  last_active_at: z.iso.datetime().nullable().describe("The last sign-in, API token use or tool call in this workspace"),
});
export type Member = z.infer<typeof memberSchema>;

export const memberIdSchema = z.strictObject({ user_id: z.string().min(1).max(64) });
export const updateMemberSchema = z.strictObject({ role: roleSchema });

export function requireAdmin(caller: AdminCaller) {
  if (!hasRole(caller.role, "admin")) throw new ApiError("forbidden", "Only owners and admins manage members.");
}

/** An admin may hand out and take back member and admin; only an owner may touch owner. */
export function assertMayGrant(caller: AdminCaller, role: Role) {
  if (role === "owner" && caller.role !== "owner") throw new ApiError("forbidden", "Only an owner can make someone an owner.");
}

const parseVerifiedBy = (value: string | null) => (value === "sso" ? "sso" : "email");

const latest = (...dates: (Date | null | undefined)[]) => dates.reduce<Date | null>((max, date) => (date && (!max || date > max) ? date : max), null);

/** The workspace's members; with `only`, just that user (a write reading back what it changed). */
export async function listMembers(caller: AdminCaller, only?: string): Promise<Member[]> {
  requireAdmin(caller);
  const memberships = await db().membership.findMany({
    where: { workspaceId: caller.workspaceId, ...(only ? { userId: only } : {}) },
    include: { user: { include: { ssoAccounts: { select: { id: true } } } } },
    orderBy: [{ createdAt: "asc" }, { userId: "asc" }],
    take: 1000,
  });
  const userIds = memberships.map((m) => m.userId);
  const [sessions, tokens, calls] = await Promise.all([
    db().session.groupBy({ by: ["userId"], where: { workspaceId: caller.workspaceId, userId: { in: userIds } }, _max: { createdAt: true } }),
    db().apiToken.groupBy({ by: ["userId"], where: { workspaceId: caller.workspaceId, userId: { in: userIds } }, _max: { lastUsedAt: true } }),
    db().toolCall.groupBy({ by: ["userId"], where: { workspaceId: caller.workspaceId, userId: { in: userIds } }, _max: { createdAt: true } }),
  ]);
  const by = <T extends { userId: string }>(rows: T[]) => new Map(rows.map((row) => [row.userId, row]));
  const [s, t, c] = [by(sessions), by(tokens), by(calls)];
  return memberships.map((m) => ({
    user_id: m.userId,
    email: m.user.email,
    name: m.user.name,
    role: parseRole(m.role),
    sign_in: [...(m.user.passwordHash ? (["local"] as const) : []), ...(m.user.ssoAccounts.length ? (["sso"] as const) : [])],
    email_verified_by: m.user.emailVerifiedAt ? parseVerifiedBy(m.user.emailVerifiedBy) : null,
    email_claimed_only: isClaimedOnly(m.user),
    joined_at: m.createdAt.toISOString(),
    last_active_at: latest(s.get(m.userId)?._max.createdAt, t.get(m.userId)?._max.lastUsedAt, c.get(m.userId)?._max.createdAt)?.toISOString() ?? null,
  }));
}

async function membershipOf(tx: DbTransaction, workspaceId: string, userId: string) {
  const membership = await tx.membership.findUnique({ where: { userId_workspaceId: { userId, workspaceId } } });
  if (!membership) throw new ApiError("not_found", "No member with this id in your workspace.");
  return { ...membership, role: parseRole(membership.role) };
}

async function assertNotLastOwner(tx: DbTransaction, workspaceId: string, what: string) {
  // Two owners demoting each other at once must not both see the other still there: on
  // PostgreSQL (read committed) the workspace row is locked first; SQLite runs one writer at a time.
  if (isPostgres()) await tx.$queryRaw`SELECT id FROM workspaces WHERE id = ${workspaceId} FOR UPDATE`;
  const owners = await tx.membership.count({ where: { workspaceId, role: "owner" } });
  if (owners <= 1) throw new ApiError("conflict", `The workspace's last owner can't be ${what}; make someone else an owner first.`);
}

export async function changeRole(caller: AdminCaller, userId: string, role: Role): Promise<Member> {
  requireAdmin(caller);
  assertMayGrant(caller, role);
  let ended: EndedConnection[] = [];
  await db().$transaction(async (tx) => {
    const membership = await membershipOf(tx, caller.workspaceId, userId);
    if (membership.role === role) return;
    if (membership.role === "owner") {
      if (caller.role !== "owner") throw new ApiError("forbidden", "Only an owner can change an owner's role.");
      await assertNotLastOwner(tx, caller.workspaceId, "demoted");
    }
    await tx.membership.update({ where: { userId_workspaceId: { userId, workspaceId: caller.workspaceId } }, data: { role } });
    // Shared OAuth connections they made run on their account for everyone: not past their admin role.
    if (!hasRole(role, "admin")) ended = await endConnectionsOf(tx, { userId, workspaceId: caller.workspaceId }, "admin_demoted", false);
    // Links they made for roles they may no longer grant stop working.
    if (!hasRole(role, "admin")) await tx.invitation.deleteMany({ where: { workspaceId: caller.workspaceId, createdBy: userId, acceptedAt: null } });
    else if (role !== "owner") await tx.invitation.deleteMany({ where: { workspaceId: caller.workspaceId, createdBy: userId, acceptedAt: null, role: "owner" } });
    await recordAuditEvent(tx, { workspaceId: caller.workspaceId, actorUserId: caller.userId, action: "member.role_changed", targetId: userId, fields: ["role"] });
  });
  revokeEnded(ended);
  // Cached callers carry the old role: every instance forgets them now.
  await announceAuthChange({ kind: "user", id: userId });
  const member = (await listMembers(caller, userId)).at(0);
  if (!member) throw new ApiError("not_found", "No member with this id in your workspace.");
  return member;
}

export async function removeMember(caller: AdminCaller, userId: string): Promise<void> {
  requireAdmin(caller);
  const ended = await db().$transaction(async (tx) => {
    const membership = await membershipOf(tx, caller.workspaceId, userId);
    if (membership.role === "owner") {
      if (caller.role !== "owner") throw new ApiError("forbidden", "Only an owner can remove an owner.");
      await assertNotLastOwner(tx, caller.workspaceId, "removed");
    }
    const workspaceId = caller.workspaceId;
    const access = await endAccess(tx, { userId, workspaceId });
    await recordAuditEvent(tx, { workspaceId, actorUserId: caller.userId, action: "member.removed", targetId: userId });
    return access;
  });
  await accessEnded(userId, ended);
}

/**
 * Ends everything a user holds in one workspace, or in every one: the membership, sessions, API
 * tokens, connected apps with their OAuth codes and tokens, upstream OAuth connections (their own,
 * and the shared ones they made), and the invitations they made that nobody has used. Returns what
 * accessEnded finishes after the commit.
 */
export type EndedAccess = { grantIds: string[]; connections: EndedConnection[] };

export async function endAccess(tx: DbTransaction, scope: { userId: string; workspaceId?: string }): Promise<EndedAccess> {
  const where = scope.workspaceId ? { userId: scope.userId, workspaceId: scope.workspaceId } : { userId: scope.userId };
  const grantIds = (await tx.connectedApp.findMany({ where, select: { grantId: true } })).map((app) => app.grantId);
  await tx.membership.deleteMany({ where });
  await tx.session.deleteMany({ where });
  await tx.apiToken.deleteMany({ where });
  // Their apps' codes, access and refresh tokens, with the grants themselves.
  await tx.oAuthRecord.deleteMany({ where: { grantId: { in: grantIds } } });
  await tx.connectedApp.deleteMany({ where });
  const connections = await endConnectionsOf(tx, scope, "admin_removed", true);
  await tx.invitation.deleteMany({ where: { ...(scope.workspaceId ? { workspaceId: scope.workspaceId } : {}), createdBy: scope.userId, acceptedAt: null } });
  return { grantIds, connections };
}

/**
 * After endAccess commits: the grant records go, the ended upstream connections are revoked at their
 * servers, and every instance forgets the user's cached callers (API tokens and apps alike).
 */
export async function accessEnded(userId: string, { grantIds, connections }: EndedAccess): Promise<void> {
  revokeEnded(connections);
  try {
    // The grant records themselves are keyed by a hash only the adapter knows.
    for (const grantId of grantIds) await destroyGrant(grantId);
  } finally {
    await announceAuthChange({ kind: "user", id: userId });
  }
}
