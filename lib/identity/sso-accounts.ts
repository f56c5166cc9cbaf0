// A user's SSO identity as the identity runtime sees it: whether it can mint tokens (a stored
// refresh token, or the ID token of the last sign-in), its version (tokens cached for an older version are dead on every instance),
// and the lease that makes its refreshes single-flight across console instances.
import "server-only";
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { decodeJwt } from "jose";
import { z } from "zod";
import { runAfterResponse } from "@/lib/background";
import { secrets } from "@/lib/crypto";
import { db, hotRead, hotReadNow } from "@/lib/db";
import { env } from "@/lib/env";
import { IdentityError } from "@/lib/identity/errors";
import { idpClient, revokeRefreshToken } from "@/lib/identity/idp";

/**
 * Whose identity a token is minted from, and its version: `key` names the user's SSO identity at
 * the configured issuer (or the user, without one); `version` joins the user's identity version
 * and the SSO account's, so sign-out, unlinking or a refusal on any instance retires cached tokens.
 */
export type ForwardingIdentity = { key: string; version: string; canMint: boolean };

// Read on every forwarded call: one keyed read (lib/db.ts, hotRead). SQLite gives the boolean as 0 or 1.
const identityRow = z.object({
  identityVersion: z.coerce.number().int(),
  accountId: z.string().nullable(),
  accountVersion: z.coerce.number().int().nullable(),
  canMint: z.union([z.boolean(), z.number(), z.bigint()]).transform((value) => Boolean(Number(value))),
});

const IDENTITY_READ = `
  SELECT u.identity_version AS "identityVersion", a.id AS "accountId", a.version AS "accountVersion",
         (a.refresh_token_encrypted IS NOT NULL OR a.id_token_encrypted IS NOT NULL) AS "canMint"
  FROM users u LEFT JOIN sso_accounts a ON a.user_id = u.id AND a.issuer = ?
  WHERE u.id = ?`;

function identityOf(userId: string, issuer: string) {
  return (rows: unknown[]): ForwardingIdentity => {
    if (rows.length === 0) return { key: `user:${userId}`, version: "gone", canMint: false };
    const row = identityRow.parse(rows[0]);
    if (!issuer || row.accountId === null) return { key: `user:${userId}`, version: `${row.identityVersion}`, canMint: false };
    return { key: row.accountId, version: `${row.identityVersion}.${row.accountVersion}`, canMint: row.canMint };
  };
}

export async function forwardingIdentity(userId: string): Promise<ForwardingIdentity> {
  const issuer = env().OIDC_ISSUER ?? "";
  return hotRead(IDENTITY_READ, [issuer, userId], identityOf(userId, issuer));
}

/** forwardingIdentity without a wait, where the database answers at once (SQLite); undefined otherwise. */
export function forwardingIdentityNow(userId: string): ForwardingIdentity | undefined {
  const issuer = env().OIDC_ISSUER ?? "";
  return hotReadNow(IDENTITY_READ, [issuer, userId], identityOf(userId, issuer));
}

/** Retires every token cached for the user, on every instance (a refusal said their identity is no good). */
export async function retireIdentity(userId: string): Promise<void> {
  await db().user.updateMany({ where: { id: userId }, data: { identityVersion: { increment: 1 } } });
}

/**
 * Ends forwarding for a user until their next SSO sign-in: drops every stored refresh and ID token and
 * moves each identity to a new version at once; revoking the tokens at the provider (when it
 * supports that) happens after the response.
 */
export async function endForwarding(userId: string): Promise<void> {
  await retireIdentity(userId);
  const accounts = await db().ssoAccount.findMany({ where: { userId }, select: { id: true, issuer: true, refreshTokenEncrypted: true } });
  const client = idpClient();
  for (const account of accounts) {
    await db().ssoAccount.update({ where: { id: account.id }, data: { refreshTokenEncrypted: null, idTokenEncrypted: null, version: { increment: 1 } } });
    const spent = account.refreshTokenEncrypted;
    if (spent && client && account.issuer === client.issuer) {
      runAfterResponse("revoke refresh token", () => revokeRefreshToken(client, secrets(env().encryptionKey).decrypt(spent)));
    }
  }
}

/** The provider refused this refresh token: the session is over — drop it and its ID token (unless replaced meanwhile) and move on a version. */
export async function dropRefusedRefreshToken(accountId: string, refreshTokenEncrypted: string): Promise<void> {
  await db().ssoAccount.updateMany({
    where: { id: accountId, refreshTokenEncrypted },
    data: { refreshTokenEncrypted: null, idTokenEncrypted: null, version: { increment: 1 } },
  });
}

/** Keeps the ID token a refresh returned: the freshest identity assertion of the session. */
export async function storeIdToken(accountId: string, idToken: string): Promise<void> {
  await db().ssoAccount.updateMany({ where: { id: accountId }, data: { idTokenEncrypted: secrets(env().encryptionKey).encrypt(idToken) } });
}

/** How long before its expiry a stored ID token is no longer passed on (the exchange takes a moment). */
const ID_TOKEN_MARGIN_MS = 60_000;

/** The identity's stored ID token while it is unexpired (by its own `exp`), else undefined. */
export async function usableIdToken(accountId: string): Promise<string | undefined> {
  const account = await db().ssoAccount.findUnique({ where: { id: accountId }, select: { idTokenEncrypted: true } });
  if (!account?.idTokenEncrypted) return undefined;
  const idToken = secrets(env().encryptionKey).decrypt(account.idTokenEncrypted);
  try {
    const { exp } = decodeJwt(idToken);
    return typeof exp === "number" && exp * 1000 - Date.now() > ID_TOKEN_MARGIN_MS ? idToken : undefined;
  } catch {
    return undefined;
  }
}

/** Keeps a rotated refresh token, only if nobody replaced the one we spent. */
export async function storeRotatedRefreshToken(accountId: string, spentEncrypted: string, refreshToken: string): Promise<void> {
  await db().ssoAccount.updateMany({
    where: { id: accountId, refreshTokenEncrypted: spentEncrypted },
    data: { refreshTokenEncrypted: secrets(env().encryptionKey).encrypt(refreshToken) },
  });
}

const LEASE_POLL_MS = 50;

/**
 * Runs `work` holding the identity's refresh lease: one refresh at a time per identity across every
 * instance sharing the database. A lease outlives a crashed holder by at most `leaseMs`.
 */
export async function withRefreshLease<T>(accountId: string, leaseMs: number, work: () => Promise<T>): Promise<T> {
  const lease = randomUUID();
  const giveUpAt = Date.now() + 2 * leaseMs;
  for (;;) {
    const now = new Date();
    const { count } = await db().ssoAccount.updateMany({
      where: { id: accountId, OR: [{ refreshLeaseUntil: null }, { refreshLeaseUntil: { lt: now } }] },
      data: { refreshLeaseId: lease, refreshLeaseUntil: new Date(now.getTime() + leaseMs) },
    });
    if (count === 1) break;
    if (!(await db().ssoAccount.findUnique({ where: { id: accountId }, select: { id: true } }))) {
      throw new IdentityError("no_refresh_token", "the SSO identity was unlinked");
    }
    if (Date.now() > giveUpAt) throw new IdentityError("token_error", "another refresh of your SSO session is taking too long");
    await sleep(LEASE_POLL_MS + Math.random() * LEASE_POLL_MS);
  }
  try {
    return await work();
  } finally {
    await db().ssoAccount.updateMany({ where: { id: accountId, refreshLeaseId: lease }, data: { refreshLeaseId: null, refreshLeaseUntil: null } });
  }
}
