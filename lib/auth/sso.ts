// Linking an OIDC sign-in to a console user, and keeping the identity's refresh token (encrypted):
// the identity runtime mints per-user tokens from it.
//
// The rules that keep one person from becoming another:
// - an identity already linked signs in as the user it is linked to;
// - a new identity is linked to an existing account by email only when the identity provider says
//   the email is verified (OIDC_TRUST_UNVERIFIED_EMAIL=true relaxes that for providers that never
//   send the claim), and never to an address in the reserved .invalid domain;
// - a user has at most one identity per issuer: a second one claiming the same email is refused.
import "server-only";
import { createHash, randomUUID } from "node:crypto";
import { EMAIL_MAX, isReservedEmail, normaliseEmail, placeholderEmail } from "@/lib/auth/email";
import { secrets } from "@/lib/crypto";
import { db, prismaErrorCode } from "@/lib/db";
import { env } from "@/lib/env";
import { MAX_TOKEN_CHARS } from "@/lib/identity/idp";
import { isClaimedOnly, markAddressVerified, takeOverClaimedAccount, verifiedNow } from "@/lib/auth/verified-address";
import { accessEnded, type EndedAccess } from "@/lib/workspaces/members";

export type SsoProfile = {
  issuer: string;
  subject: string;
  email?: unknown;
  emailVerified?: unknown;
  name?: unknown;
  refreshToken?: string;
  /** The ID token of the sign-in: Enterprise-Managed Authorization exchanges it for ID-JAGs. */
  idToken?: string;
};

/** Why a sign-in was refused; the sign-in page explains each. */
export type SsoRefusal = "SsoIdentityConflict";

export type LinkResult = { userId: string } | { refused: SsoRefusal };

const NAME_MAX = 200;

function vouchedEmail(profile: SsoProfile): string | undefined {
  if (typeof profile.email !== "string") return undefined;
  const email = normaliseEmail(profile.email);
  if (!/^[^@\s]+@[^@\s]+$/.test(email) || email.length > EMAIL_MAX || isReservedEmail(email)) return undefined;
  const verified = profile.emailVerified === true || env().OIDC_TRUST_UNVERIFIED_EMAIL;
  return verified ? email : undefined;
}

function displayName(profile: SsoProfile, fallback: string): string {
  const name = typeof profile.name === "string" ? profile.name.normalize("NFKC").trim().slice(0, NAME_MAX) : "";
  return name || fallback;
}

export async function linkSsoAccount(profile: SsoProfile): Promise<LinkResult> {
  const { issuer, subject, refreshToken, idToken } = profile;
  const box = secrets(env().encryptionKey);
  // A token longer than any real one is not kept (nothing of the provider's is stored uncapped).
  const sealed = (token: string | undefined) => (token && token.length <= MAX_TOKEN_CHARS ? box.encrypt(token) : undefined);
  const refreshTokenEncrypted = sealed(refreshToken);
  // A sign-in's ID token replaces the last one, or, without one, none is kept (it was another session's).
  const idTokenEncrypted = sealed(idToken) ?? null;
  try {
    let takenOver: { userId: string; ended: EndedAccess } | undefined;
    const result: LinkResult = await db().$transaction(async (tx): Promise<LinkResult> => {
      const linked = await tx.ssoAccount.findUnique({ where: { issuer_subject: { issuer, subject } } });
      const email = vouchedEmail(profile);
      // The address counts as verified only when the provider says so, not by OIDC_TRUST_UNVERIFIED_EMAIL.
      const verified = email !== undefined && profile.emailVerified === true;
      if (linked) {
        await tx.ssoAccount.update({ where: { id: linked.id }, data: { ...(refreshTokenEncrypted ? { refreshTokenEncrypted } : {}), idTokenEncrypted } });
        if (verified) await markAddressVerified(tx, linked.userId, email, "sso");
        return { userId: linked.userId };
      }
      let user = email ? await tx.user.findUnique({ where: { email } }) : null;
      // A claimed account may hold the claimant's identity at this same issuer (one trusted without
      // email_verified): the verified owner takes it over below, and that identity goes with it.
      const takesOver = user !== null && isClaimedOnly(user) && verified;
      if (user && !takesOver && (await tx.ssoAccount.findUnique({ where: { userId_issuer: { userId: user.id, issuer } } }))) {
        return { refused: "SsoIdentityConflict" as const };
      }
      // Only the provider's email_verified takes a claimed account over; an address trusted without
      // it (OIDC_TRUST_UNVERIFIED_EMAIL) is a claim too, and one claim doesn't join another's account.
      const address = user && isClaimedOnly(user) && !verified ? undefined : email;
      if (address === undefined) user = null;
      if (user && isClaimedOnly(user)) {
        // The account was made from an invitation link, which proves nothing about the address;
        // the identity provider does. Whoever set its password loses it, with everything it opened
        // or joined: the owner of the address starts afresh, as a new SSO user would.
        const taken = await takeOverClaimedAccount(tx, user.id, { passwordHash: null, by: "sso", name: displayName(profile, user.email) });
        takenOver = { userId: user.id, ended: taken.ended };
        user = taken.user;
      } else if (user && verified) {
        await markAddressVerified(tx, user.id, user.email, "sso");
      }
      if (!user) {
        // An address the provider didn't verify is only claimed, as one made from an invitation link is.
        const proof = verified ? verifiedNow("sso") : address ? { emailVerified: false } : {};
        const placeholder = () => placeholderEmail(createHash("sha256").update(`${issuer}\0${subject}`).digest("hex").slice(0, 32));
        user = await tx.user.create({ data: { id: randomUUID(), email: address ?? placeholder(), name: displayName(profile, address ?? "SSO user"), createdAt: new Date(), ...proof } });
      }
      await tx.ssoAccount.create({
        data: { id: randomUUID(), userId: user.id, issuer, subject, refreshTokenEncrypted: refreshTokenEncrypted ?? null, idTokenEncrypted, createdAt: new Date() },
      });
      // New SSO users join the first workspace as members; admins promote them. An invitation
      // elsewhere is accepted on its own page, never by signing in (anyone may own a workspace and
      // invite any address).
      const hasMembership = await tx.membership.findFirst({ where: { userId: user.id } });
      if (!hasMembership) {
        const workspace = await tx.workspace.findFirst({ orderBy: { createdAt: "asc" } });
        if (workspace) await tx.membership.create({ data: { userId: user.id, workspaceId: workspace.id, role: "member", createdAt: new Date() } });
      }
      return { userId: user.id };
    });
    if (takenOver) await accessEnded(takenOver.userId, takenOver.ended);
    return result;
  } catch (error) {
    // Two first sign-ins raced to link the same user to this issuer: the loser is refused.
    if (prismaErrorCode(error) === "P2002") return { refused: "SsoIdentityConflict" };
    throw error;
  }
}
