// The built-in token issuer: mints an audience-bound access token for a user from their stored SSO
// refresh token — a refresh grant at the OpenID Provider with RFC 8707 `resource` = the MCP server.
import "server-only";
import { secrets } from "@/lib/crypto";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { IdentityError } from "@/lib/identity/errors";
import { IDP_TIMEOUT_MS, idpClient, idpMetadata, refreshGrant } from "@/lib/identity/idp";
import { dropRefusedRefreshToken, forwardingIdentity, storeRotatedRefreshToken, withRefreshLease } from "@/lib/identity/sso-accounts";
import type { IssuedToken, IssueTokenRequest, TokenIssuer } from "@/lib/identity/types";
import { log } from "@/lib/log";
import { hit, LIMITS } from "@/lib/rate-limit";

const POLICY_REFUSALS = new Set(["invalid_target", "access_denied", "unauthorized_client", "invalid_scope"]);

export class BuiltinIssuer implements TokenIssuer {
  constructor(private readonly timeoutMs = IDP_TIMEOUT_MS) {}

  async issue({ userId, workspaceId, audience, mode }: IssueTokenRequest): Promise<IssuedToken> {
    if (mode !== "idp_token") throw new IdentityError("unsupported_mode", `identity mode "${mode}"`);
    const client = idpClient();
    if (!client) throw new IdentityError("token_error", "single sign-on is not configured on this console");
    const retryAfter = await hit(LIMITS.identityTokenPerUser, userId);
    if (retryAfter > 0) throw new IdentityError("rate_limited", "too many identity tokens for this user", { retryAfter });
    const member = await db().membership.findUnique({ where: { userId_workspaceId: { userId, workspaceId } } });
    if (!member) throw new IdentityError("refused", "the user is not a member of this workspace", { refusedBy: "policy" });
    const identity = await forwardingIdentity(userId);
    if (!identity.canMint) throw new IdentityError("no_refresh_token", "the user has no SSO refresh token");
    await idpMetadata(client, this.timeoutMs); // outside the lease, which only guards the refresh itself

    // A refresh token may rotate on use, and spending one twice makes the provider revoke the whole
    // grant: refreshes of one identity run one at a time on every instance, each reading the latest.
    // The lease outlives the longest refresh (the provider's metadata again, then the grant).
    return withRefreshLease(identity.key, 2 * this.timeoutMs + 5_000, async () => {
      const account = await db().ssoAccount.findUnique({ where: { id: identity.key } });
      if (!account?.refreshTokenEncrypted) throw new IdentityError("no_refresh_token", "the user has no SSO refresh token");
      const refreshToken = secrets(env().encryptionKey).decrypt(account.refreshTokenEncrypted);
      const answer = await refreshGrant(client, { refreshToken, resource: audience, timeoutMs: this.timeoutMs });
      if (!answer.ok) {
        log.warn({ status: answer.status, error: answer.error, userId }, "identity provider refused a refresh grant");
        if (answer.error === "invalid_grant") {
          await dropRefusedRefreshToken(account.id, account.refreshTokenEncrypted);
          throw new IdentityError("refused", "the SSO session has expired or was revoked", { refusedBy: "session" });
        }
        if (answer.error && POLICY_REFUSALS.has(answer.error)) {
          throw new IdentityError("refused", "the identity provider does not allow a token for this server", { refusedBy: "policy" });
        }
        throw new IdentityError("token_error", `the identity provider answered ${answer.status}`);
      }
      if (answer.refreshToken && answer.refreshToken !== refreshToken) {
        await storeRotatedRefreshToken(account.id, account.refreshTokenEncrypted, answer.refreshToken);
      }
      return { token: answer.accessToken, expiresAt: Math.floor(Date.now() / 1000) + answer.expiresIn };
    });
  }
}
