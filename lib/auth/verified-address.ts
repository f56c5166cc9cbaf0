// Whether a person proved they receive mail at their account's address: the identity provider said
// so (email_verified) or they followed a link mailed to it. Anything else is only claimed — an
// account made from an invitation link that an admin was shown proves only that someone held it.
import "server-only";
import type { Db, DbTransaction } from "@/lib/db";
import { endAccess } from "@/lib/workspaces/members";

export type VerifiedBy = "sso" | "email";

export const verifiedNow = (by: VerifiedBy) => ({ emailVerified: true, emailVerifiedAt: new Date(), emailVerifiedBy: by });

/** Marks `userId`'s address verified, when it still is `email` (the address that was proved). */
export async function markAddressVerified(tx: DbTransaction | Db, userId: string, email: string, by: VerifiedBy): Promise<void> {
  await tx.user.updateMany({ where: { id: userId, email, emailVerifiedAt: null }, data: verifiedNow(by) });
}

/** An account made from an invitation link, never verified since: its holder only claimed the address. */
export function isClaimedOnly(user: { emailVerified: boolean; emailVerifiedAt: Date | null }): boolean {
  return !user.emailVerified && !user.emailVerifiedAt;
}

/**
 * The owner of a claimed address proved it: whoever set the account up loses it, with everything it
 * opened or joined in every workspace, and the owner starts afresh (a new password, or none for SSO;
 * "operator": `npm run user:add` gave the address a password, the way in without SSO or mail), under
 * the owner's `name` if known.
 * Call `accessEnded` with the result after the transaction commits.
 */
export async function takeOverClaimedAccount(tx: DbTransaction, userId: string, input: { passwordHash: string | null; by: VerifiedBy | "operator"; name?: string }) {
  const ended = await endAccess(tx, { userId });
  // Nor does the claimant's choice of name stay on it: the owner's, or the address's local part.
  const { email } = await tx.user.findUniqueOrThrow({ where: { id: userId }, select: { email: true } });
  const name = input.name ?? email.split("@")[0];
  // An identity the claimant linked on an address its provider didn't verify goes with the rest.
  await tx.ssoAccount.deleteMany({ where: { userId } });
  // The operator vouches for whoever gets the password, but proves nothing about the mailbox.
  const proof = input.by === "operator" ? { emailVerified: true } : verifiedNow(input.by);
  const user = await tx.user.update({ where: { id: userId }, data: { passwordHash: input.passwordHash, name, ...proof, identityVersion: { increment: 1 } } });
  return { user, ended };
}
