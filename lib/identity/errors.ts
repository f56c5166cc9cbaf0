// Why a per-user token could not be had. Each kind has one API error and one message a user can
// act on; none of them ever falls back to a shared credential.
import { ApiError } from "@/lib/api/errors";

export type IdentityFailure =
  | "no_user" //            no end user behind the call: nothing to forward
  | "no_refresh_token" //   the user has no SSO session to mint from (signed in locally, signed out, never linked)
  | "refused" //            the identity provider or policy refused (expired session, licence, policy)
  | "rate_limited" //       too many tokens asked for this user or from this console, right now
  | "unsupported_mode" //   the provider asks for an identity mode this console doesn't offer
  | "exchange_refused" //   the identity provider refused to exchange the user's token for this server (RFC 8693, on-behalf-of, ID-JAG)
  | "assertion_refused" //  the MCP server's authorization server refused the user's identity assertion (ID-JAG)
  | "metadata_missing" //   the MCP server doesn't say where its authorization server is, or that one can't take an assertion
  | "token_error"; //       the issuer failed: down, slow, misconfigured, or an answer we can't use

export class IdentityError extends Error {
  constructor(
    readonly failure: IdentityFailure,
    message: string,
    readonly options: {
      /** For "refused": the IdP refused the session (401 on the wire), or a policy did (403). */
      refusedBy?: "session" | "policy";
      /** For "rate_limited": seconds until a retry can succeed. */
      retryAfter?: number;
    } = {},
  ) {
    super(message);
  }

  get refusedBy(): "session" | "policy" {
    return this.options.refusedBy ?? "session";
  }
}

export function identityApiError(error: IdentityError, providerName: string): ApiError {
  switch (error.failure) {
    case "no_user":
      return new ApiError("identity_required", `${providerName} forwards the end user's identity, and this call has no end user.`);
    case "no_refresh_token":
      return new ApiError("identity_required", `Sign in with SSO again to use ${providerName}: it needs your SSO identity, and you have no SSO session.`);
    case "refused":
      return new ApiError("identity_refused", `Your identity provider refused a token for ${providerName}. Sign in with SSO again; if it persists, ask an admin.`);
    case "rate_limited": {
      const wait = error.options.retryAfter ?? 60;
      return new ApiError("rate_limited", `Too many identity tokens were asked for you just now. Try ${providerName} again in ${wait} seconds.`, {
        headers: { "retry-after": String(wait) },
      });
    }
    case "unsupported_mode":
      return new ApiError("identity_unavailable", `${providerName} asks for an identity mode this console doesn't support (${error.message}). An admin should choose another mode.`);
    case "exchange_refused":
      return new ApiError("identity_refused", `Your identity provider refused to exchange your sign-in for a token for ${providerName} (${error.message}). An admin should check that the identity provider allows token exchange for this server.`);
    case "assertion_refused":
      return new ApiError("identity_refused", `${providerName}'s authorization server refused your identity assertion (${error.message}). An admin should check the client registered for the console there, and that it trusts your identity provider.`);
    case "metadata_missing":
      return new ApiError("identity_unavailable", `${providerName} can't take your identity assertion: ${error.message}. An admin should check its URL or choose another identity mode.`);
    case "token_error":
      return new ApiError("identity_unavailable", `Couldn't get an identity token for ${providerName} right now (${error.message}). Try again in a moment.`);
  }
}
