// The built-in token issuer: mints an audience-bound access token for a user from their stored SSO
// refresh token — a refresh grant at the OIDC provider with RFC 8707 `resource` = the MCP server.
import "server-only";
import { secrets } from "@/lib/crypto";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { IdentityError } from "@/lib/identity/errors";
import type { IssuedToken, IssueTokenRequest, TokenIssuer } from "@/lib/identity/token-issuer";
import { log } from "@/lib/log";
import { enforce, LIMITS } from "@/lib/rate-limit";

const TIMEOUT_MS = 10_000;

const discovery = new Map<string, Promise<string>>();

async function tokenEndpoint(issuer: string, timeoutMs: number): Promise<string> {
  let cached = discovery.get(issuer);
  if (!cached) {
    cached = (async () => {
      const res = await fetch(`${issuer.replace(/\/$/, "")}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(timeoutMs) });
      if (!res.ok) throw new Error(`discovery answered ${res.status}`);
      const { token_endpoint } = (await res.json()) as { token_endpoint?: unknown };
      if (typeof token_endpoint !== "string") throw new Error("discovery has no token_endpoint");
      return token_endpoint;
    })();
    discovery.set(issuer, cached);
    cached.catch(() => discovery.delete(issuer));
  }
  return cached;
}

// A refresh token may rotate on use, and reusing a rotated one makes the IdP revoke the whole
// grant. So one user's refreshes run one at a time in this process, each reading the latest token.
const userLocks = new Map<string, Promise<unknown>>();

async function withUserLock<T>(userId: string, work: () => Promise<T>): Promise<T> {
  const previous = userLocks.get(userId) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(work);
  userLocks.set(userId, run);
  try {
    return await run;
  } finally {
    if (userLocks.get(userId) === run) userLocks.delete(userId);
  }
}

export class BuiltinIssuer implements TokenIssuer {
  constructor(private readonly timeoutMs = TIMEOUT_MS) {}

  async issue({ userId, workspaceId, audience, mode }: IssueTokenRequest): Promise<IssuedToken> {
    if (mode !== "idp_token") throw new IdentityError("token_error", `identity mode "${mode}" is not supported by this issuer`);
    const config = env();
    if (!config.OIDC_ISSUER || !config.OIDC_CLIENT_ID || !config.OIDC_CLIENT_SECRET) {
      throw new IdentityError("token_error", "single sign-on is not configured on this console");
    }
    await enforce([[LIMITS.identityTokenPerUser, userId]]);
    const member = await db().membership.findUnique({ where: { userId_workspaceId: { userId, workspaceId } } });
    if (!member) throw new IdentityError("refused", "the user is not a member of this workspace", "policy");

    return withUserLock(userId, async () => {
      const account = await db().ssoAccount.findFirst({ where: { userId, issuer: config.OIDC_ISSUER }, orderBy: { updatedAt: "desc" } });
      if (!account?.refreshTokenEncrypted) throw new IdentityError("no_refresh_token", "the user has no SSO refresh token");
      const box = secrets(config.encryptionKey);
      const refreshToken = box.decrypt(account.refreshTokenEncrypted);

      let res: Response;
      try {
        res = await fetch(await tokenEndpoint(config.OIDC_ISSUER!, this.timeoutMs), {
          method: "POST",
          headers: {
            "content-type": "application/x-www-form-urlencoded",
            authorization: `Basic ${Buffer.from(`${encodeURIComponent(config.OIDC_CLIENT_ID!)}:${encodeURIComponent(config.OIDC_CLIENT_SECRET!)}`).toString("base64")}`,
          },
          body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: refreshToken, resource: audience }),
          signal: AbortSignal.timeout(this.timeoutMs),
        });
      } catch (error) {
        const timedOut = (error as Error)?.name === "TimeoutError";
        throw new IdentityError("token_error", timedOut ? "the identity provider did not answer in time" : "the identity provider is unreachable");
      }

      const body = (await res.json().catch(() => ({}))) as { access_token?: unknown; expires_in?: unknown; refresh_token?: unknown; error?: unknown };
      if (!res.ok) {
        log.warn({ status: res.status, error: body.error, userId }, "identity provider refused a refresh grant");
        if (body.error === "invalid_grant") throw new IdentityError("refused", "the SSO session has expired or was revoked", "session");
        if (body.error === "invalid_target" || body.error === "access_denied" || body.error === "unauthorized_client") {
          throw new IdentityError("refused", "the identity provider does not allow a token for this server", "policy");
        }
        throw new IdentityError("token_error", `the identity provider answered ${res.status}`);
      }
      if (typeof body.access_token !== "string" || typeof body.expires_in !== "number") {
        throw new IdentityError("token_error", "the identity provider sent a malformed token response");
      }
      if (typeof body.refresh_token === "string" && body.refresh_token !== refreshToken) {
        // Rotated: keep the new one (only if nobody replaced ours meanwhile).
        await db().ssoAccount.updateMany({
          where: { id: account.id, refreshTokenEncrypted: account.refreshTokenEncrypted },
          data: { refreshTokenEncrypted: box.encrypt(body.refresh_token), updatedAt: new Date() },
        });
      }
      return { token: body.access_token, expiresAt: Math.floor(Date.now() / 1000) + body.expires_in };
    });
  }
}
