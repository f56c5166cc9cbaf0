// The shapes every token issuer shares. Their own module, so the issuers and the module that picks
// one (token-issuer.ts) import these without importing each other.
import type { ExchangeProfile, SubjectTokenType } from "@/lib/identity/modes";

/**
 * What a token is asked for. `audience`: who the token is for — the MCP server for idp_token and
 * token_exchange, the server's authorization server for id_jag (whose `resource` is the server).
 * The rest is the provider's identity settings the grant needs (see lib/identity/grants.ts).
 */
export type IssueTokenRequest = {
  userId: string;
  workspaceId: string;
  audience: string;
  mode: string;
  resource?: string;
  subjectTokenType?: SubjectTokenType;
  profile?: ExchangeProfile;
  scope?: string;
};

/** `expiresAt`: unix seconds. */
export type IssuedToken = { token: string; expiresAt: number };

export interface TokenIssuer {
  /** Throws IdentityError on every failure. */
  issue(request: IssueTokenRequest): Promise<IssuedToken>;
}
