// next-auth: local email/password and, when configured, generic OIDC ("Sign in with SSO").
// Sessions are JWT cookies that name a database session (lib/auth/sessions.ts): a cookie is only
// as good as its session row, for the API and for next-auth's own /api/auth/session alike.
import "server-only";
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { safeCallbackPath } from "@/lib/auth/callback-url";
import { EMAIL_MAX, normaliseEmail } from "@/lib/auth/email";
import { createSession, defaultWorkspaceFor, endSession, findUsableSession, SESSION_MAX_AGE_SECONDS } from "@/lib/auth/sessions";
import { linkSsoAccount } from "@/lib/auth/sso";
import { verifyPassword } from "@/lib/crypto";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { endForwarding } from "@/lib/identity/sso-accounts";
import { log } from "@/lib/log";
import { clientAddress, hit, LIMITS, longestWait, peek, usage, type Limit } from "@/lib/rate-limit";

const PASSWORD_MAX = 1024;

// A constant hash to verify against when the email is unknown, so timing doesn't reveal accounts.
const DUMMY_HASH = "scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

/** Sign-in errors the sign-in page explains (they travel as `?error=`). */
export const SIGN_IN_ERRORS = {
  rateLimited: "RateLimited",
  noWorkspace: "NoWorkspace",
  identityConflict: "SsoIdentityConflict",
} as const;

export function ssoConfigured(): boolean {
  return Boolean(env().OIDC_ISSUER);
}

/**
 * The password check, with the attempt counted first — here, on the very values next-auth signs in
 * with, so no path, body shape or spelling of the email escapes the count. Attempts count per
 * address and per (account, address). Wrong passwords also count per account, against a much
 * higher limit that caps what all addresses guess together — except the addresses the person
 * signed in from lately, which only their own per-(account, address) limit holds: guesses from
 * elsewhere never lock the person out of where they sign in from.
 */
async function authorizeCredentials(credentials: Record<string, unknown> | undefined, headers: Record<string, unknown> | undefined) {
  const rawEmail = typeof credentials?.email === "string" ? credentials.email : "";
  const password = typeof credentials?.password === "string" ? credentials.password : "";
  const email = normaliseEmail(rawEmail);
  const address = clientAddress({ headers: new Headers(Object.entries(headers ?? {}).filter((entry): entry is [string, string] => typeof entry[1] === "string")) });
  const accountAddress = `${email}\0${address}`;
  const waits: [Limit, number][] = [
    [LIMITS.signInPerAddress, await hit(LIMITS.signInPerAddress, address)],
    [LIMITS.signInPerAccountAddress, await hit(LIMITS.signInPerAccountAddress, accountAddress)],
  ];
  if ((await usage(LIMITS.signInSuccessesPerAccountAddress, accountAddress)) === 0) {
    waits.push([LIMITS.signInFailuresPerAccount, await peek(LIMITS.signInFailuresPerAccount, email)], [LIMITS.signInFailuresPerAccountDaily, await peek(LIMITS.signInFailuresPerAccountDaily, email)]);
  }
  const retryAfter = longestWait(waits);
  if (retryAfter > 0) throw new Error(`${SIGN_IN_ERRORS.rateLimited}:${retryAfter}`);
  if (!email || email.length >= EMAIL_MAX || !password || password.length > PASSWORD_MAX) return null;
  const user = await db().user.findUnique({ where: { email } });
  const valid = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
  if (!user?.passwordHash || !valid) {
    await hit(LIMITS.signInFailuresPerAccount, email);
    await hit(LIMITS.signInFailuresPerAccountDaily, email);
    return null;
  }
  if (!(await defaultWorkspaceFor(user.id))) throw new Error(SIGN_IN_ERRORS.noWorkspace);
  await hit(LIMITS.signInSuccessesPerAccountAddress, accountAddress);
  return { id: user.id, email: user.email, name: user.name };
}

export function authOptions(): NextAuthOptions {
  const config = env();
  const providers: NextAuthOptions["providers"] = [
    CredentialsProvider({
      id: "credentials",
      name: "Email and password",
      credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
      authorize: (credentials, req) => authorizeCredentials(credentials, req.headers),
    }),
  ];
  if (config.OIDC_ISSUER && config.OIDC_CLIENT_ID && config.OIDC_CLIENT_SECRET) {
    providers.push({
      id: "oidc",
      name: "SSO",
      type: "oauth",
      wellKnown: `${config.OIDC_ISSUER.replace(/\/$/, "")}/.well-known/openid-configuration`,
      clientId: config.OIDC_CLIENT_ID,
      clientSecret: config.OIDC_CLIENT_SECRET,
      idToken: true,
      checks: ["pkce", "state"],
      authorization: { params: { scope: "openid email profile offline_access", prompt: "consent" } },
      // The console user is decided in the signIn callback (lib/auth/sso.ts has the linking rules).
      profile: (profile: { sub: string; name?: string }) => ({ id: profile.sub, name: profile.name ?? profile.sub, email: null }),
    });
  }

  return {
    secret: config.NEXTAUTH_SECRET,
    providers,
    session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_SECONDS },
    pages: { signIn: "/signin", error: "/signin" },
    logger: {
      error: (code, metadata) => {
        // A cookie whose session ended is routine (sign-out elsewhere, removal), not an error.
        if (code === "JWT_SESSION_ERROR") log.info({ code }, "a session cookie was refused");
        else log.error({ code, err: metadata instanceof Error ? metadata : undefined }, "next-auth error");
      },
      warn: (code) => { log.warn({ code }, "next-auth warning"); },
      debug: () => undefined,
    },
    callbacks: {
      async signIn({ user, account, profile }) {
        if (account?.provider !== "oidc") return true;
        const issuer = config.OIDC_ISSUER;
        if (!issuer) return false;
        const claims = (profile ?? {}) as { email?: unknown; email_verified?: unknown; name?: unknown };
        const linked = await linkSsoAccount({
          issuer,
          subject: account.providerAccountId,
          email: claims.email,
          emailVerified: claims.email_verified,
          name: claims.name,
          refreshToken: account.refresh_token,
          idToken: account.id_token,
        });
        if ("refused" in linked) return `/signin?error=${linked.refused}`;
        if (!(await defaultWorkspaceFor(linked.userId))) return `/signin?error=${SIGN_IN_ERRORS.noWorkspace}`;
        user.id = linked.userId; // the console user from here on
        return true;
      },
      async jwt({ token, user, account, trigger }) {
        if (trigger === "signIn" || trigger === "signUp") {
          const sid = await createSession({ userId: user.id, viaSso: account?.provider === "oidc" });
          if (!sid) throw new Error(SIGN_IN_ERRORS.noWorkspace);
          return { sub: user.id, sid, email: user.email, name: user.name };
        }
        // Every later read of the cookie (next-auth's /api/auth/session too) needs a live session.
        if (typeof token.sid !== "string" || !(await findUsableSession(token.sid))) throw new Error("The session has ended");
        return token;
      },
      session({ session, token }) {
        return { ...session, user: { ...session.user, id: token.sub } };
      },
      redirect({ url, baseUrl }) {
        return new URL(safeCallbackPath(url, baseUrl), baseUrl).href;
      },
    },
    events: {
      async signOut({ token }) {
        if (typeof token.sid === "string") await endSession(token.sid);
        // Signing out ends identity forwarding until the next SSO sign-in (API tokens included).
        if (typeof token.sub === "string") await endForwarding(token.sub);
      },
    },
  };
}
