// Invitations: an admin invites an email with a role — whether or not it has an account, with the
// same answer — and a one-time link, valid for seven days, is mailed to it (SMTP_URL) or, without
// mail, shown to the admin. The link's token is stored only as a hash. Nobody joins without
// accepting while signed in as the invited email (or setting the password of a new account); a
// person whose address is verified also sees their invitations in the console
// (lib/workspaces/received-invitations.ts). A mailed link proves the address: following it verifies
// it, and takes over an account someone else made for the address without proving it.
import "server-only";
import { randomBytes, randomUUID } from "node:crypto";
import { z } from "zod";
import { ApiError } from "@/lib/api/errors";
import { recordAuditEvent } from "@/lib/audit";
import { EMAIL_MAX, isReservedEmail, normaliseEmail } from "@/lib/auth/email";
import { parseRole, type Role, ROLES } from "@/lib/auth/roles";
import { hashApiToken, hashPassword } from "@/lib/crypto";
import { db, prismaErrorCode, type DbTransaction } from "@/lib/db";
import { isClaimedOnly, takeOverClaimedAccount, verifiedNow } from "@/lib/auth/verified-address";
import { env } from "@/lib/env";
import { mailConfigured, sendMail } from "@/lib/mail/send";
import { oauthUrls } from "@/lib/oauth/urls";
import { enforce, LIMITS } from "@/lib/rate-limit";
import { accessEnded, assertMayGrant, requireAdmin, roleSchema, type AdminCaller } from "@/lib/workspaces/members";

export const INVITATION_DAYS = 7;
const PASSWORD_MIN = 12;

export const emailSchema = z
  .string({ error: "Email is required" })
  .max(EMAIL_MAX, `At most ${EMAIL_MAX} characters`)
  .meta({ examples: ["ada@example.com"] })
  .transform(normaliseEmail)
  // One plain address: nothing a mailer reads as a name, a group or a list ("x<victim@…>", "a,victim@…"),
  // which would deliver to someone other than the address the limits and invitation are keyed by.
  .refine((email) => /^[^@\s<>()[\]\\,;:"]+@[^@\s<>()[\]\\,;:"]+\.[^@\s<>()[\]\\,;:"]+$/.test(email), "Enter an email address")
  .refine((email) => !isReservedEmail(email), "Addresses in the .invalid domain can't receive an invitation");

export const createInvitationSchema = z.strictObject({ email: emailSchema, role: roleSchema.default("member") });
export const invitationIdSchema = z.strictObject({ id: z.uuid() });

export const invitationSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  role: z.enum(ROLES),
  created_at: z.iso.datetime(),
  expires_at: z.iso.datetime(),
  mailed: z.boolean().describe("Whether the link was mailed to the address (SMTP configured) rather than shown to the admin"),
});
export const createdInvitationSchema = invitationSchema.extend({
  url: z.url().nullable().describe("The one-time link to pass on to the invitee, shown only in this response; null when it was mailed to them instead."),
});

export const acceptInvitationSchema = z.strictObject({
  name: z.string().trim().min(1, "Name is required").max(100, "At most 100 characters").optional(),
  password: z.string().min(PASSWORD_MIN, `At least ${PASSWORD_MIN} characters`).max(200, "At most 200 characters").optional(),
});

type InvitationRow = { id: string; email: string; role: string; createdAt: Date; expiresAt: Date; mailed: boolean };

export function toInvitation(row: InvitationRow): z.infer<typeof invitationSchema> {
  return { id: row.id, email: row.email, role: parseRole(row.role), created_at: row.createdAt.toISOString(), expires_at: row.expiresAt.toISOString(), mailed: row.mailed };
}

const keyOf = (token: string) => hashApiToken(`invitation:${token}`);

export async function listInvitations(caller: AdminCaller) {
  requireAdmin(caller);
  const rows = await db().invitation.findMany({
    where: { workspaceId: caller.workspaceId, acceptedAt: null, expiresAt: { gt: new Date() } },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: 1000,
  });
  return rows.map(toInvitation);
}

export async function createInvitation(caller: AdminCaller, input: { email: string; role: Role }) {
  requireAdmin(caller);
  assertMayGrant(caller, input.role);
  await enforce([[LIMITS.invitationsPerWorkspace, caller.workspaceId], [LIMITS.invitationsPerUser, caller.userId]]);
  const member = await db().membership.findFirst({ where: { workspaceId: caller.workspaceId, user: { email: input.email } } });
  if (member) throw new ApiError("conflict", `${input.email} is already a member of this workspace.`, { errors: [{ path: "email", message: "Already a member" }] });
  const token = randomBytes(32).toString("base64url");
  // With mail, the link only ever goes to the address: past its mail allowance the admin waits (a
  // link shown instead would let anyone who owns a workspace claim the address again).
  const mailing = mailConfigured();
  if (mailing) await enforce([[LIMITS.invitationMailsPerAddress, input.email]], "invitation mails to this address");
  const row = await db().$transaction(async (tx) => {
    // A new invitation for the same email replaces the pending one: only the newest link works.
    await tx.invitation.deleteMany({ where: { workspaceId: caller.workspaceId, email: input.email, acceptedAt: null } });
    const created = await tx.invitation.create({
      data: {
        id: randomUUID(),
        workspaceId: caller.workspaceId,
        email: input.email,
        role: input.role,
        tokenHash: keyOf(token),
        createdBy: caller.userId,
        createdAt: new Date(),
        expiresAt: new Date(Date.now() + INVITATION_DAYS * 24 * 60 * 60_000),
        mailed: mailing,
      },
    });
    await recordAuditEvent(tx, { workspaceId: caller.workspaceId, actorUserId: caller.userId, action: "invitation.created", targetId: created.id, fields: ["role"] });
    return created;
  });
  const url = `${oauthUrls().origin}/invite/${token}`;
  if (mailing && (await mailInvitation(row, url))) return { ...toInvitation(row), url: null };
  // No mail (or it failed, or the address had its share): the admin passes the link on, so
  // following it proves nothing about the address.
  if (mailing) await db().invitation.updateMany({ where: { id: row.id }, data: { mailed: false } });
  return { ...toInvitation({ ...row, mailed: false }), url };
}

async function mailInvitation(invitation: { workspaceId: string; email: string; role: string; createdBy: string }, url: string): Promise<boolean> {
  const [workspace, inviter] = await Promise.all([
    db().workspace.findUnique({ where: { id: invitation.workspaceId }, select: { name: true } }),
    db().user.findUnique({ where: { id: invitation.createdBy }, select: { email: true } }),
  ]);
  return sendMail({
    to: invitation.email,
    subject: `Join ${workspace?.name ?? "a workspace"} on MCP Console`,
    text:
      `${inviter?.email ?? "An admin"} invited you to the workspace "${workspace?.name ?? ""}" on MCP Console as ${invitation.role}.\n\n` +
      `Open this link within ${INVITATION_DAYS} days to accept (it works once):\n${url}\n\n` +
      "If you didn't expect this, ignore this mail: nothing happens unless you accept.\n",
  });
}

export async function revokeInvitation(caller: AdminCaller, id: string) {
  requireAdmin(caller);
  await db().$transaction(async (tx) => {
    const { count } = await tx.invitation.deleteMany({ where: { id, workspaceId: caller.workspaceId, acceptedAt: null } });
    if (count === 0) throw new ApiError("not_found", "No pending invitation with this id.");
    await recordAuditEvent(tx, { workspaceId: caller.workspaceId, actorUserId: caller.userId, action: "invitation.revoked", targetId: id });
  });
}

async function findPending(token: string) {
  const row = await db().invitation.findUnique({ where: { tokenHash: keyOf(token.slice(0, 200)) }, include: { workspace: true } });
  if (!row || row.acceptedAt || row.expiresAt < new Date()) return null;
  const user = await db().user.findUnique({ where: { email: row.email }, select: { id: true, emailVerified: true, emailVerifiedAt: true } });
  // Someone made the account without proving the address; this link came by mail to the address,
  // so whoever follows it owns the address and may take the account over (without SSO).
  const claimedAccountId = user && row.mailed && isClaimedOnly(user) && !env().OIDC_ISSUER ? user.id : undefined;
  return { invitation: row, hasAccount: Boolean(user), claimedAccountId };
}

/** What the invitation page offers a visitor who isn't signed in. */
export type InvitationOffer = "take-over" | "sign-in" | "create" | "sso" | "sign-in-or-create" | "sso-or-sign-in";

function offerOf({ invitation, hasAccount, claimedAccountId }: NonNullable<Awaited<ReturnType<typeof findPending>>>): InvitationOffer {
  if (claimedAccountId) return "take-over";
  const sso = Boolean(env().OIDC_ISSUER);
  // A link shown to an admin proves nothing about who holds it, and anyone may make a workspace and
  // invite any address: the page mustn't say whether the address has an account. A mailed link is
  // in the address owner's hands.
  if (!invitation.mailed) return sso ? "sso-or-sign-in" : "sign-in-or-create";
  if (hasAccount) return "sign-in";
  return sso ? "sso" : "create";
}

/** What the invitation page shows: which workspace, for whom, and what a visitor not signed in may do. */
export async function pendingInvitation(token: string) {
  const found = await findPending(token);
  if (!found) return null;
  const { invitation } = found;
  return { id: invitation.id, email: invitation.email, role: parseRole(invitation.role), workspaceName: invitation.workspace.name, offer: offerOf(found) };
}

/** Joins `userId` to the invitation's workspace with its role, once; the invitation is used up. */
export async function join(tx: DbTransaction, invitation: { id: string; workspaceId: string; role: string }, userId: string) {
  const { count } = await tx.invitation.updateMany({ where: { id: invitation.id, acceptedAt: null }, data: { acceptedAt: new Date(), acceptedBy: userId } });
  if (count === 0) throw new ApiError("conflict", "This invitation was already used.");
  // Already a member (added meanwhile): their role stays as it is.
  const existing = await tx.membership.findUnique({ where: { userId_workspaceId: { userId, workspaceId: invitation.workspaceId } } });
  if (existing) return;
  await tx.membership.create({ data: { userId, workspaceId: invitation.workspaceId, role: invitation.role, createdAt: new Date() } });
  await recordAuditEvent(tx, { workspaceId: invitation.workspaceId, actorUserId: userId, action: "member.joined", targetId: userId, fields: ["role"] });
}

/**
 * Accepts an invitation. Signed in (`userId`): only as the invited email. Not signed in: only when
 * no account has that email yet, creating one with the password given.
 */
export async function acceptInvitation(token: string, input: z.infer<typeof acceptInvitationSchema>, signedIn?: { userId: string; email: string }): Promise<{ workspaceId: string; email: string; created: boolean }> {
  const found = await findPending(token);
  if (!found) throw new ApiError("not_found", "This invitation link is invalid, expired or already used; ask an admin for a new one.");
  const { invitation, hasAccount, claimedAccountId } = found;
  if (signedIn) {
    if (signedIn.email !== invitation.email) throw new ApiError("forbidden", `This invitation is for ${invitation.email}; you are signed in as ${signedIn.email}. Sign out and open the link again.`);
    try {
      await db().$transaction(async (tx) => {
        await join(tx, invitation, signedIn.userId);
        // A link that came by mail to the address proves it.
        if (invitation.mailed) await tx.user.updateMany({ where: { id: signedIn.userId, email: invitation.email, emailVerifiedAt: null }, data: verifiedNow("email") });
      });
    } catch (error) {
      // Added to the workspace by an admin at the same moment: they are in.
      if (prismaErrorCode(error) !== "P2002") throw error;
    }
    return { workspaceId: invitation.workspaceId, email: invitation.email, created: false };
  }
  if (claimedAccountId) return takeOverByInvitation(invitation, input, claimedAccountId);
  // Said as the page offers it (sign in or create): trying to create is the one way to learn that
  // an address has an account, and it costs an invitation each time (limited per workspace and user).
  if (hasAccount) throw new ApiError("conflict", `No new account can be made for ${invitation.email} with this link. If you have one, sign in, then open the link again.`);
  // With SSO, the identity provider proves the address: invitees join by signing in with it.
  if (env().OIDC_ISSUER) throw new ApiError("conflict", `Sign in with SSO as ${invitation.email} to join: your identity provider confirms the address.`);
  if (!input.password) throw new ApiError("validation_failed", "Choose a password", { errors: [{ path: "password", message: "Choose a password" }] });
  const passwordHash = await hashPassword(input.password);
  try {
    await db().$transaction(async (tx) => {
      const userId = randomUUID();
      // Without mail, holding the link is all that was proved, not owning the address.
      const proof = invitation.mailed ? verifiedNow("email") : { emailVerified: false };
      await tx.user.create({ data: { id: userId, email: invitation.email, name: input.name ?? invitation.email.split("@")[0], passwordHash, createdAt: new Date(), ...proof } });
      await join(tx, invitation, userId);
    });
  } catch (error) {
    if (prismaErrorCode(error) === "P2002") throw new ApiError("conflict", `${invitation.email} already has an account: sign in, then open the link again.`);
    throw error;
  }
  return { workspaceId: invitation.workspaceId, email: invitation.email, created: true };
}

/** The owner of the address, by the mailed link, takes over an account someone else only claimed. */
async function takeOverByInvitation(invitation: { id: string; email: string; workspaceId: string; role: string }, input: z.infer<typeof acceptInvitationSchema>, userId: string) {
  if (!input.password) throw new ApiError("validation_failed", "Choose a password", { errors: [{ path: "password", message: "Choose a password" }] });
  const passwordHash = await hashPassword(input.password);
  const ended = await db().$transaction(async (tx) => {
    const taken = await takeOverClaimedAccount(tx, userId, { passwordHash, by: "email", name: input.name });
    await join(tx, invitation, userId);
    return taken.ended;
  });
  await accessEnded(userId, ended);
  return { workspaceId: invitation.workspaceId, email: invitation.email, created: true };
}

/** Invitations past their week, used or not, go (what happened is in the audit log). */
export async function pruneExpiredInvitations(now = new Date()): Promise<number> {
  const { count } = await db().invitation.deleteMany({ where: { expiresAt: { lt: now } } });
  return count;
}
