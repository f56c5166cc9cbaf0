// The shapes every token issuer shares. Their own module, so the issuers and the module that picks
// one (token-issuer.ts) import these without importing each other.
export type IssueTokenRequest = { userId: string; workspaceId: string; audience: string; mode: string };

/** `expiresAt`: unix seconds. */
export type IssuedToken = { token: string; expiresAt: number };

export interface TokenIssuer {
  /** Throws IdentityError on every failure. */
  issue(request: IssueTokenRequest): Promise<IssuedToken>;
}
