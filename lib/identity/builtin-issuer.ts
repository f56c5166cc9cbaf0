// The built-in token issuer: mints an audience-bound token for a user from their stored SSO
// refresh token. idp_token: a refresh grant at the OpenID Provider with RFC 8707 `resource` = the
// MCP server. token_exchange and id_jag: the user's SSO token — the stored ID token of the last
// sign-in while it lasts, when that is the subject, else fresh tokens from a refresh grant — then
// the exchange lib/identity/grants.ts shapes (RFC 8693, Entra on-behalf-of, or an ID-JAG).
import "server-only";
import { secrets } from "@/lib/crypto";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { IdentityError } from "@/lib/identity/errors";
import { errorCodeShown, exchangeForm, exchangesIdToken, ID_JAG_TOKEN_TYPE, type SubjectTokens } from "@/lib/identity/grants";
import { IDP_TIMEOUT_MS, idpClient, idpMetadata, refreshGrant, tokenGrant, type IdpClient } from "@/lib/identity/idp";
import { dropRefusedRefreshToken, forwardingIdentity, storeIdToken, storeRotatedRefreshToken, usableIdToken, withRefreshLease } from "@/lib/identity/sso-accounts";
import type { IssuedToken, IssueTokenRequest, TokenIssuer } from "@/lib/identity/types";
import { log } from "@/lib/log";
import { hit, LIMITS, noteRefusal } from "@/lib/rate-limit";

const POLICY_REFUSALS = new Set(["invalid_target", "access_denied", "unauthorized_client", "invalid_scope"]);
const MODES = new Set(["idp_token", "token_exchange", "id_jag"]);

const expiresAt = (expiresIn: number) => Math.floor(Date.now() / 1000) + expiresIn;

export class BuiltinIssuer implements TokenIssuer {
  constructor(private readonly timeoutMs = IDP_TIMEOUT_MS) {}

  async issue(request: IssueTokenRequest): Promise<IssuedToken> {
    const { userId, workspaceId, audience, mode } = request;
    if (!MODES.has(mode)) throw new IdentityError("unsupported_mode", `identity mode "${mode}"`);
    const client = idpClient();
    if (!client) throw new IdentityError("token_error", "single sign-on is not configured on this console");
    const retryAfter = await hit(LIMITS.identityTokenPerUser, userId);
    if (retryAfter > 0) {
      noteRefusal(LIMITS.identityTokenPerUser);
      throw new IdentityError("rate_limited", "too many identity tokens for this user", { retryAfter });
    }
    const member = await db().membership.findUnique({ where: { userId_workspaceId: { userId, workspaceId } } });
    if (!member) throw new IdentityError("refused", "the user is not a member of this workspace", { refusedBy: "policy" });
    const identity = await forwardingIdentity(userId);
    if (!identity.canMint) throw new IdentityError("no_refresh_token", "the user has no SSO refresh token");
    await idpMetadata(client, this.timeoutMs); // outside the lease, which only guards the refresh itself

    if (mode === "idp_token") {
      const answer = await this.refresh(client, identity.key, userId, audience);
      return { token: answer.accessToken, expiresAt: expiresAt(answer.expiresIn) };
    }
    // The exchange spends no refresh token: it runs outside the lease.
    return this.exchange(client, request, await this.subjectTokens(client, identity.key, userId, request));
  }

  /**
   * What the exchange takes as its subject. An exchange of the ID token (an ID-JAG's usual subject,
   * SEP-990: the identity assertion the client got at sign-in) uses the stored one while it lasts;
   * otherwise, or once it has expired, a refresh grant gets fresh tokens. On-behalf-of takes only a
   * token issued to the console's own API (Entra): the refresh asks for that API's scope when the
   * deployment names it (OIDC_API_SCOPE).
   */
  private async subjectTokens(client: IdpClient, identityKey: string, userId: string, request: IssueTokenRequest): Promise<SubjectTokens> {
    const idToken = exchangesIdToken(request) ? await usableIdToken(identityKey) : undefined;
    if (idToken) return { idToken };
    const fresh = await this.refresh(client, identityKey, userId, undefined, request.profile === "entra_obo" ? env().OIDC_API_SCOPE : undefined);
    return { accessToken: fresh.accessToken, idToken: fresh.idToken };
  }

  /**
   * A refresh grant (for `resource`, when given). A refresh token may rotate on use, and spending
   * one twice makes the provider revoke the whole grant: refreshes of one identity run one at a
   * time on every instance, each reading the latest. The lease outlives the longest refresh (the
   * provider's metadata again, then the grant).
   */
  private refresh(client: IdpClient, identityKey: string, userId: string, resource?: string, scope?: string) {
    return withRefreshLease(identityKey, 2 * this.timeoutMs + 5_000, async () => {
      const account = await db().ssoAccount.findUnique({ where: { id: identityKey } });
      if (!account?.refreshTokenEncrypted) throw new IdentityError("no_refresh_token", "the user has no SSO refresh token");
      const refreshToken = secrets(env().encryptionKey).decrypt(account.refreshTokenEncrypted);
      const answer = await refreshGrant(client, { refreshToken, resource, scope, timeoutMs: this.timeoutMs });
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
      if (answer.idToken) await storeIdToken(account.id, answer.idToken);
      return answer;
    });
  }

  private async exchange(client: IdpClient, request: IssueTokenRequest, tokens: SubjectTokens): Promise<IssuedToken> {
    const answer = await tokenGrant(client, exchangeForm(request, tokens), this.timeoutMs);
    if (!answer.ok) {
      log.warn({ status: answer.status, error: answer.error, userId: request.userId, mode: request.mode }, "identity provider refused a token exchange");
      // A refusal with an OAuth error is the provider's decision (policy, trust, consent); anything else is a failure.
      if (answer.status < 500 && answer.error) throw new IdentityError("exchange_refused", errorCodeShown(answer.error, answer.status));
      throw new IdentityError("token_error", `the identity provider answered ${answer.status} to a token exchange`);
    }
    if (request.mode === "id_jag" && answer.issuedTokenType !== undefined && answer.issuedTokenType !== ID_JAG_TOKEN_TYPE) {
      throw new IdentityError("token_error", "the identity provider sent another kind of token than an ID-JAG");
    }
    return { token: answer.accessToken, expiresAt: expiresAt(answer.expiresIn) };
  }
}
