// Address verification by mail: a signed-in person asks for a link, it is mailed to their account's
// address, and following it and pressing Verify (signed in or not) marks the address verified —
// opening the link alone doesn't, since mail scanners open links. The link is signed with
// the console's key and names the user, the address and an expiry: it can't be forged, proves
// nothing once the account's address is another, and verifying twice changes nothing.
import "server-only";
import { z } from "zod";
import { ApiError } from "@/lib/api/errors";
import { isClaimedOnly, markAddressVerified } from "@/lib/auth/verified-address";
import { constantTimeEqual, secrets } from "@/lib/crypto";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { mailConfigured, sendMail } from "@/lib/mail/send";
import { oauthUrls } from "@/lib/oauth/urls";
import { enforce, LIMITS } from "@/lib/rate-limit";

const VALID_HOURS = 24;
const TOKEN_MAX = 1000;

export const addressVerificationSchema = z.object({
  sent_to: z.string().nullable().describe("Where the link was mailed; null when the address is already verified"),
});

const signatureOf = (payload: string) => secrets(env().encryptionKey).hash(`verify-email\0${payload}`);
const claimsSchema = z.object({ u: z.string(), e: z.string(), x: z.number() });

export function verificationToken(userId: string, email: string, now = Date.now()): string {
  const payload = Buffer.from(JSON.stringify({ u: userId, e: email, x: now + VALID_HOURS * 3600_000 })).toString("base64url");
  return `${payload}.${signatureOf(payload)}`;
}

/** Mails the caller a link that verifies their address. */
export async function sendAddressVerification(caller: { userId: string }): Promise<z.infer<typeof addressVerificationSchema>> {
  if (!mailConfigured()) throw new ApiError("conflict", "This console sends no mail (SMTP_URL is not set), so it can't verify addresses by mail; sign in with SSO instead.");
  const user = await db().user.findUnique({ where: { id: caller.userId }, select: { email: true, emailVerified: true, emailVerifiedAt: true } });
  if (!user) throw new ApiError("not_found", "Your account no longer exists.");
  if (user.emailVerifiedAt) return { sent_to: null };
  // Whoever made this account may not own the address: a mail its owner clicks without thinking
  // would hand them the owner's invitations. A mailed invitation, opened signed in, verifies it.
  if (isClaimedOnly(user)) throw new ApiError("conflict", "This account was made from an invitation link that proved nothing about the address. Open an invitation mailed to it while signed in, or sign in with SSO, to verify it.");
  await enforce([[LIMITS.addressVerificationPerUser, caller.userId]]);
  const url = `${oauthUrls().origin}/verify-email/${verificationToken(caller.userId, user.email)}`;
  const sent = await sendMail({
    to: user.email,
    subject: "Verify your address for MCP Console",
    text:
      `Someone signed in to MCP Console as ${user.email} asked to confirm that this address is theirs. If that was you, open this link within ${VALID_HOURS} hours and press Verify:\n${url}\n\n` +
      "If it wasn't you, don't open it: whoever asked would then see the invitations sent to this address. Ignore this mail instead.\n",
  });
  if (!sent) throw new ApiError("service_unavailable", "The mail could not be sent; try again later.");
  return { sent_to: user.email };
}

function claimsOf(token: string, now: number): z.infer<typeof claimsSchema> | undefined {
  const [payload = "", signature = ""] = token.slice(0, TOKEN_MAX).split(".");
  if (!payload || !signature || !constantTimeEqual(signature, signatureOf(payload))) return undefined;
  try {
    const claims = claimsSchema.parse(JSON.parse(Buffer.from(payload, "base64url").toString("utf8")));
    return claims.x < now ? undefined : claims;
  } catch {
    return undefined;
  }
}

/**
 * What a mailed link would do, without doing it — its page only offers to (mail scanners open links):
 * "invalid" when forged, expired or for an address the account no longer has.
 */
export async function verificationState(token: string, now = Date.now()): Promise<"invalid" | "verified" | "pending"> {
  const claims = claimsOf(token, now);
  const user = claims ? await db().user.findUnique({ where: { id: claims.u }, select: { email: true, emailVerifiedAt: true } }) : null;
  if (!claims || user?.email !== claims.e) return "invalid";
  return user.emailVerifiedAt ? "verified" : "pending";
}

/** Follows a mailed link (POSTed from its page): true when it verified (or had verified) the address it was sent to. */
export async function confirmAddress(token: string, now = Date.now()): Promise<boolean> {
  const claims = claimsOf(token, now);
  if (!claims) return false;
  await markAddressVerified(db(), claims.u, claims.e, "email");
  return (await db().user.count({ where: { id: claims.u, email: claims.e, emailVerifiedAt: { not: null } } })) === 1;
}
