// Invitations as their invitee sees them in the console: the pending invitations for the signed-in
// person's address, to accept or decline. Only for a verified address (by SSO or a mailed link):
// anyone can make an account for an address they don't own from an invitation link, and such a
// claimant must not see — let alone accept — invitations meant for the address's owner.
import "server-only";
import { z } from "zod";
import { ApiError } from "@/lib/api/errors";
import { recordAuditEvent } from "@/lib/audit";
import type { Caller } from "@/lib/auth/request-auth";
import { isClaimedOnly } from "@/lib/auth/verified-address";
import { parseRole, ROLES } from "@/lib/auth/roles";
import { db, prismaErrorCode } from "@/lib/db";
import { mailConfigured } from "@/lib/mail/send";
import { join } from "@/lib/workspaces/invitations";

type Invitee = { userId: string; email: string; via: Caller["via"] };

/**
 * Invitations are handled in the console, signed in: an API token or a connected app can't list,
 * accept or decline them (one that leaked must not take its user into other workspaces).
 */
function signedIn(invitee: Invitee): void {
  if (invitee.via !== "session") throw new ApiError("forbidden", "Invitations are handled in the console, signed in: an API token or app can't see, accept or decline them.");
}

export const receivedInvitationSchema = z.object({
  id: z.uuid(),
  workspace: z.object({ id: z.string(), name: z.string() }),
  role: z.enum(ROLES),
  invited_by: z.string().nullable().describe("The email of whoever invited you; null if they have no account any more"),
  created_at: z.iso.datetime(),
  expires_at: z.iso.datetime(),
});
export const receivedInvitationsSchema = z.object({
  address_verified: z.boolean().describe("Invitations show only once your address is verified: by SSO, or by a link mailed to it"),
  can_verify_by_mail: z.boolean().describe("Whether POST /api/v1/account/email-verification can mail you a link (SMTP is configured)"),
  data: z.array(receivedInvitationSchema),
});

const addressOf = (invitee: Invitee) => db().user.findUnique({ where: { id: invitee.userId }, select: { email: true, emailVerified: true, emailVerifiedAt: true } });

async function verifiedAddress(invitee: Invitee): Promise<string | undefined> {
  const user = await addressOf(invitee);
  return user?.emailVerifiedAt ? user.email : undefined;
}

const pendingFor = (email: string, id?: string) => ({ ...(id ? { id } : {}), email, acceptedAt: null, expiresAt: { gt: new Date() } });

export async function listReceivedInvitations(invitee: Invitee): Promise<z.infer<typeof receivedInvitationsSchema>> {
  signedIn(invitee);
  const user = await addressOf(invitee);
  if (!user?.emailVerifiedAt) {
    // A claimed account can't ask for a verification mail (lib/auth/email-verification.ts).
    return { address_verified: false, can_verify_by_mail: mailConfigured() && !(user && isClaimedOnly(user)), data: [] };
  }
  const { email } = user;
  const rows = await db().invitation.findMany({ where: pendingFor(email), include: { workspace: true }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: 100 });
  const inviters = await db().user.findMany({ where: { id: { in: rows.map((row) => row.createdBy) } }, select: { id: true, email: true } });
  const emailOf = new Map(inviters.map((user) => [user.id, user.email]));
  return {
    address_verified: true,
    can_verify_by_mail: mailConfigured(),
    data: rows.map((row) => ({
      id: row.id,
      workspace: { id: row.workspaceId, name: row.workspace.name },
      role: parseRole(row.role),
      invited_by: emailOf.get(row.createdBy) ?? null,
      created_at: row.createdAt.toISOString(),
      expires_at: row.expiresAt.toISOString(),
    })),
  };
}

async function receivedInvitation(invitee: Invitee, id: string) {
  signedIn(invitee);
  const email = await verifiedAddress(invitee);
  // The same answer for someone else's invitation as for none: ids don't reveal invitations.
  const row = email ? await db().invitation.findFirst({ where: pendingFor(email, id) }) : null;
  if (!row) throw new ApiError("not_found", "No pending invitation with this id for your verified address.");
  return row;
}

/** Joins the invitation's workspace with its role; answers the workspace joined. */
export async function acceptReceivedInvitation(invitee: Invitee, id: string): Promise<{ workspace_id: string }> {
  const invitation = await receivedInvitation(invitee, id);
  try {
    await db().$transaction((tx) => join(tx, invitation, invitee.userId));
  } catch (error) {
    // Joined through the invitation's link at the same moment: they are in.
    if (prismaErrorCode(error) !== "P2002") throw error;
  }
  return { workspace_id: invitation.workspaceId };
}

export async function declineReceivedInvitation(invitee: Invitee, id: string): Promise<void> {
  const invitation = await receivedInvitation(invitee, id);
  await db().$transaction(async (tx) => {
    const { count } = await tx.invitation.deleteMany({ where: { id: invitation.id, acceptedAt: null } });
    if (count === 0) throw new ApiError("not_found", "No pending invitation with this id for your verified address.");
    await recordAuditEvent(tx, { workspaceId: invitation.workspaceId, actorUserId: invitee.userId, action: "invitation.declined", targetId: invitation.id });
  });
}
