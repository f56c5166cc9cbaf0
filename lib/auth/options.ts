// next-auth: local email/password and, when configured, generic OIDC ("Sign in with SSO").
// Sessions are JWT cookies that name a database session (lib/auth/sessions.ts).
import "server-only";
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { z } from "zod";
import { verifyPassword } from "@/lib/crypto";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { createSession, endSession, SESSION_MAX_AGE_SECONDS } from "@/lib/auth/sessions";
import { linkSsoAccount } from "@/lib/auth/sso";

const credentialsSchema = z.object({ email: z.string().trim().toLowerCase().email(), password: z.string().min(1).max(1024) });

// A constant hash to verify against when the email is unknown, so timing doesn't reveal accounts.
const DUMMY_HASH = "scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

export function ssoConfigured(): boolean {
  return Boolean(env().OIDC_ISSUER);
}

export function authOptions(): NextAuthOptions {
  const config = env();
  const providers: NextAuthOptions["providers"] = [
    CredentialsProvider({
      id: "credentials",
      name: "Email and password",
      credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
      async authorize(credentials) {
        const parsed = credentialsSchema.safeParse(credentials);
        if (!parsed.success) return null;
        const user = await db().user.findUnique({ where: { email: parsed.data.email } });
        const valid = await verifyPassword(parsed.data.password, user?.passwordHash ?? DUMMY_HASH);
        return user && user.passwordHash && valid ? { id: user.id, email: user.email, name: user.name } : null;
      },
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
      // An SSO identity is linked to an existing account by email only when the IdP vouches for it.
      profile: (profile: { sub: string; email?: string; email_verified?: boolean; name?: string }) => ({
        id: profile.sub,
        email: profile.email && profile.email_verified !== false ? profile.email : `${profile.sub}@sso.invalid`,
        name: profile.name ?? profile.email ?? profile.sub,
      }),
    });
  }

  return {
    secret: config.NEXTAUTH_SECRET,
    providers,
    session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_SECONDS },
    pages: { signIn: "/signin" },
    callbacks: {
      async jwt({ token, user, account }) {
        if (!user) return token; // an existing session: nothing to do
        let userId = user.id;
        if (account?.provider === "oidc") {
          userId = await linkSsoAccount({
            issuer: config.OIDC_ISSUER!,
            subject: account.providerAccountId,
            email: user.email ?? "",
            name: user.name ?? "",
            refreshToken: account.refresh_token,
          });
        }
        const sid = await createSession({ userId, viaSso: account?.provider === "oidc" });
        if (!sid) throw new Error("This account is not a member of any workspace");
        return { sub: userId, sid, email: user.email, name: user.name };
      },
      async session({ session, token }) {
        return { ...session, user: { ...session.user, id: token.sub } };
      },
    },
    events: {
      async signOut({ token }) {
        if (typeof token?.sid === "string") await endSession(token.sid);
      },
    },
  };
}
