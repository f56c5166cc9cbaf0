// Who an SSO sign-in becomes. An identity is linked to an existing account only when the identity
// provider says the email is verified, never to a reserved .invalid address, and a user has at most
// one identity per issuer — so nobody can become the owner by claiming the owner's email.
// Exercised through next-auth's own signIn and jwt callbacks (lib/auth/options.ts).
import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import type { Account, User } from "next-auth";
import type { JWT } from "next-auth/jwt";
import { present } from "@/tests/support/present";
import { authOptions } from "@/lib/auth/options";
import { endSession } from "@/lib/auth/sessions";
import { db } from "@/lib/db";
import { resetEnvForTests } from "@/lib/env";
import { createActor, sessionCookie } from "./helpers";

const ISSUER = "https://idp.sso-linking.test";

function withSso(extra: Record<string, string> = {}) {
  Object.assign(process.env, { OIDC_ISSUER: ISSUER, OIDC_CLIENT_ID: "console", OIDC_CLIENT_SECRET: "secret", ...extra });
  resetEnvForTests();
}

afterEach(() => {
  for (const key of ["OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET", "OIDC_TRUST_UNVERIFIED_EMAIL"]) Reflect.deleteProperty(process.env, key);
  resetEnvForTests();
});

/** An OIDC sign-in as next-auth hands it to the signIn callback; returns its answer and the console user. */
async function ssoSignIn(claims: { sub?: string; email?: string; email_verified?: boolean }) {
  const subject = claims.sub ?? `sub-${randomUUID()}`;
  const user: User = { id: subject, name: "Someone", email: null };
  const account = { provider: "oidc", type: "oauth", providerAccountId: subject, refresh_token: `rt-${subject}` } as Account;
  const signIn = present(authOptions().callbacks?.signIn, "a signIn callback");
  const answer = await signIn({ user, account, profile: { sub: subject, ...claims } });
  return { answer, userId: answer === true ? user.id : undefined, subject };
}

async function roleOf(userId: string | undefined, workspaceId: string) {
  if (!userId) return undefined;
  return (await db().membership.findUnique({ where: { userId_workspaceId: { userId, workspaceId } } }))?.role;
}

describe("linking an SSO sign-in to an account", () => {
  it("an email the provider did not verify never reaches an existing account — the owner's included", async () => {
    withSso();
    const owner = await createActor("owner");
    for (const claims of [{ email: owner.email }, { email: owner.email, email_verified: false }]) {
      const { answer, userId } = await ssoSignIn(claims);
      expect(answer).toBe(true);
      expect(userId).not.toBe(owner.userId);
      expect(await roleOf(userId, owner.workspaceId)).not.toBe("owner");
      expect((await db().user.findUniqueOrThrow({ where: { id: present(userId, "a console user") } })).email).toMatch(/@sso\.invalid$/);
    }
  });

  it("a verified email links to its account", async () => {
    withSso();
    const member = await createActor("member");
    const { answer, userId } = await ssoSignIn({ email: member.email.toUpperCase(), email_verified: true });
    expect(answer).toBe(true);
    expect(userId).toBe(member.userId);
  });

  it("an operator may trust unverified emails (OIDC_TRUST_UNVERIFIED_EMAIL)", async () => {
    withSso({ OIDC_TRUST_UNVERIFIED_EMAIL: "true" });
    const member = await createActor("member");
    expect((await ssoSignIn({ email: member.email })).userId).toBe(member.userId);
  });

  it("an address in the reserved .invalid domain is never linked, verified or not", async () => {
    withSso();
    const first = await ssoSignIn({}); // no email: a placeholder address
    const placeholder = (await db().user.findUniqueOrThrow({ where: { id: present(first.userId, "a console user") } })).email;
    expect(placeholder).toMatch(/^sso-[0-9a-f]{32}@sso\.invalid$/);
    const claimant = await ssoSignIn({ email: placeholder, email_verified: true });
    expect(claimant.answer).toBe(true);
    expect(claimant.userId).not.toBe(first.userId);
  });

  it("one identity per issuer: a second identity claiming a linked account's email is refused", async () => {
    withSso();
    const member = await createActor("member");
    expect((await ssoSignIn({ email: member.email, email_verified: true })).userId).toBe(member.userId);
    const second = await ssoSignIn({ email: member.email, email_verified: true });
    expect(second.answer).toBe("/signin?error=SsoIdentityConflict");
    expect(await db().ssoAccount.count({ where: { userId: member.userId } })).toBe(1);
  });

  it("the same identity signs in as the same user again", async () => {
    withSso();
    const first = await ssoSignIn({ email: `again-${randomUUID()}@example.test`, email_verified: true });
    const again = await ssoSignIn({ sub: first.subject });
    expect(again.userId).toBe(first.userId);
  });
});

describe("a session cookie is only as good as its session", () => {
  // An existing session's cookie being read (no sign-in: no user, no account).
  const jwt = (token: JWT) => present(authOptions().callbacks?.jwt, "a jwt callback")({ token, user: { id: "" }, account: null });

  it("a live session passes; an ended one, or one whose user left the workspace, is refused", async () => {
    const member = await createActor("member");
    await sessionCookie(member.userId);
    const session = await db().session.findFirstOrThrow({ where: { userId: member.userId } });
    await expect(jwt({ sub: member.userId, sid: session.id })).resolves.toMatchObject({ sid: session.id });
    await db().membership.deleteMany({ where: { userId: member.userId } });
    await expect(jwt({ sub: member.userId, sid: session.id })).rejects.toThrow();

    const other = await createActor("member");
    await sessionCookie(other.userId);
    const ended = await db().session.findFirstOrThrow({ where: { userId: other.userId } });
    await endSession(ended.id);
    await expect(jwt({ sub: other.userId, sid: ended.id })).rejects.toThrow();
    await expect(jwt({ sub: other.userId })).rejects.toThrow();
  });
});
