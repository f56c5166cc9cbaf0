// Linking an OIDC sign-in to a console user, and keeping the account's refresh token (encrypted):
// the identity runtime mints per-user tokens from it.
import "server-only";
import { randomUUID } from "node:crypto";
import { secrets } from "@/lib/crypto";
import { db } from "@/lib/db";
import { env } from "@/lib/env";

export async function linkSsoAccount(options: {
  issuer: string;
  subject: string;
  email: string;
  name: string;
  refreshToken?: string;
}): Promise<string> {
  const { issuer, subject, refreshToken } = options;
  const email = options.email.trim().toLowerCase();
  const refreshTokenEncrypted = refreshToken ? secrets(env().encryptionKey).encrypt(refreshToken) : undefined;
  return db().$transaction(async (tx) => {
    const linked = await tx.ssoAccount.findUnique({ where: { issuer_subject: { issuer, subject } } });
    if (linked) {
      if (refreshTokenEncrypted) await tx.ssoAccount.update({ where: { id: linked.id }, data: { refreshTokenEncrypted } });
      return linked.userId;
    }
    // First SSO sign-in: link to the user with this email, or create one.
    const user =
      (await tx.user.findUnique({ where: { email } })) ??
      (await tx.user.create({ data: { id: randomUUID(), email, name: options.name || email, createdAt: new Date() } }));
    await tx.ssoAccount.create({
      data: { id: randomUUID(), userId: user.id, issuer, subject, refreshTokenEncrypted: refreshTokenEncrypted ?? null, createdAt: new Date() },
    });
    // New SSO users join the first workspace as members; admins promote them.
    const hasMembership = await tx.membership.findFirst({ where: { userId: user.id } });
    if (!hasMembership) {
      const workspace = await tx.workspace.findFirst({ orderBy: { createdAt: "asc" } });
      if (workspace) await tx.membership.create({ data: { userId: user.id, workspaceId: workspace.id, role: "member", createdAt: new Date() } });
    }
    return user.id;
  });
}
