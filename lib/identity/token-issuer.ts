// The one interface the runtime mints per-user tokens through. The built-in issuer runs in-process
// unless ENTERPRISE_API_URL names a remote one (which speaks the SPEC §5 contract).
import "server-only";
import { env } from "@/lib/env";
import { BuiltinIssuer } from "@/lib/identity/builtin-issuer";
import { RemoteIssuer } from "@/lib/identity/remote-issuer";

export type IssueTokenRequest = { userId: string; workspaceId: string; audience: string; mode: string };
export type IssuedToken = { token: string; expiresAt: number };

export interface TokenIssuer {
  /** Throws IdentityError on every failure. */
  issue(request: IssueTokenRequest): Promise<IssuedToken>;
}

let override: TokenIssuer | undefined;

export function tokenIssuer(): TokenIssuer {
  if (override) return override;
  const { ENTERPRISE_API_URL, ENTERPRISE_API_SECRET } = env();
  return ENTERPRISE_API_URL ? new RemoteIssuer(ENTERPRISE_API_URL, ENTERPRISE_API_SECRET!) : new BuiltinIssuer();
}

/** Tests count or replace issuer calls at this seam. */
export function setTokenIssuerForTests(issuer: TokenIssuer | undefined) {
  override = issuer;
}
