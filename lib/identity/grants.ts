// What the built-in issuer sends to the SSO provider's token endpoint for each identity mode, once
// it holds the user's fresh SSO tokens. Only the request shapes live here; builtin-issuer.ts runs them.
import { IdentityError } from "@/lib/identity/errors";
import { defaultSubjectToken, type SubjectTokenType } from "@/lib/identity/modes";
import type { IssueTokenRequest } from "@/lib/identity/types";

export const TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";
export const JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer";
export const ID_JAG_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id-jag";
const TOKEN_TYPES: Record<SubjectTokenType, string> = {
  access_token: "urn:ietf:params:oauth:token-type:access_token",
  id_token: "urn:ietf:params:oauth:token-type:id_token",
};

/** The user's SSO tokens, the subject of an exchange: from a refresh grant just made, or the ID token of the last sign-in. */
export type SubjectTokens = { accessToken?: string; idToken?: string };

/** Whether the exchange `request` asks for takes the user's ID token (and only that) as its subject. */
export function exchangesIdToken(request: IssueTokenRequest): boolean {
  if ((request.mode !== "token_exchange" && request.mode !== "id_jag") || request.profile === "entra_obo") return false;
  return (request.subjectTokenType ?? defaultSubjectToken(request.mode)) === "id_token";
}

function accessTokenOf(tokens: SubjectTokens): string {
  if (!tokens.accessToken) throw new IdentityError("token_error", "the identity provider sent no access token to exchange");
  return tokens.accessToken;
}

function subjectOf(tokens: SubjectTokens, type: SubjectTokenType): string {
  if (type === "access_token") return accessTokenOf(tokens);
  // An ID token comes back from a refresh only when the console's client asked for `openid`.
  if (!tokens.idToken) throw new IdentityError("token_error", "the identity provider sent no ID token with the refresh, so there is none to exchange");
  return tokens.idToken;
}

/**
 * The form of the exchange `request` asks for (token_exchange or id_jag):
 * - token_exchange (RFC 8693): the user's token for an access token whose audience and resource are the server;
 * - token_exchange with profile entra_obo: Microsoft's on-behalf-of, a jwt-bearer grant with the
 *   user's access token as the assertion and the server's `scope` (e.g. api://…/.default);
 * - id_jag: the user's token for an ID-JAG whose audience is the server's authorization server and
 *   whose resource is the server.
 */
export function exchangeForm(request: IssueTokenRequest, tokens: SubjectTokens): Record<string, string> {
  const scope: Record<string, string> = request.scope ? { scope: request.scope } : {};
  if (request.mode === "token_exchange" && request.profile === "entra_obo") {
    if (!request.scope) throw new IdentityError("token_error", "on-behalf-of needs the server's scope, and the provider has none");
    return { grant_type: JWT_BEARER_GRANT, requested_token_use: "on_behalf_of", assertion: accessTokenOf(tokens), ...scope };
  }
  if (request.mode !== "token_exchange" && request.mode !== "id_jag") throw new IdentityError("unsupported_mode", `identity mode "${request.mode}"`);
  const subjectType = request.subjectTokenType ?? defaultSubjectToken(request.mode);
  const common = { grant_type: TOKEN_EXCHANGE_GRANT, subject_token: subjectOf(tokens, subjectType), subject_token_type: TOKEN_TYPES[subjectType] };
  if (request.mode === "token_exchange") {
    return { ...common, requested_token_type: TOKEN_TYPES.access_token, audience: request.audience, resource: request.resource ?? request.audience, ...scope };
  }
  if (!request.resource) throw new IdentityError("token_error", "an ID-JAG needs the MCP server as its resource");
  return { ...common, requested_token_type: ID_JAG_TOKEN_TYPE, audience: request.audience, resource: request.resource, ...scope };
}

/** An OAuth error code, when it is one: nothing else a server wrote is shown to a user. */
export function errorCodeShown(error: string | undefined, status: number): string {
  return error && /^[a-z_]{1,64}$/.test(error) ? `it answered ${error}` : `it answered HTTP ${status}`;
}
