// The one interface every way of carrying a caller to an MCP server implements (SPEC §10): what a
// call carries, what a refusal by the server means for it, and how it is described to the user.
import type { McpConnection } from "@/lib/mcp/client";
import type { RequestProof } from "@/lib/mcp/request-proof";
import type { ConnectionToken } from "@/lib/upstream-oauth/connections";

/** Whom a call is made for. */
export type EndUser = { userId: string; workspaceId: string };

export const CREDENTIAL_KINDS = ["static_headers", "idp_token", "token_exchange", "id_jag", "oauth_shared", "oauth_per_user", "unsupported"] as const;
export type CredentialKind = (typeof CREDENTIAL_KINDS)[number];

export type Credential = {
  /** The server URL to use: without query parameters that carry a credential when the caller's own one goes instead. */
  url: string;
  headers: Record<string, string>;
  /** Whether this carries the end user's identity (identity forwarding). */
  forwarded: boolean;
  /** What the activity log records: an identity mode, "oauth" (a connection's token), or "off". */
  mode: string;
  /** When this stops being usable (ms). */
  validUntil: number;
  /** The forwarded token's cache entry, so a server's refusal drops exactly that token. */
  tokenKey?: string;
  /** The OAuth connection whose token this carries. */
  oauth?: ConnectionToken;
  /** A proof each request must carry besides the headers (a DPoP-bound token's). */
  proof?: RequestProof;
};

/** A credential and the provider's limits: everything a call to the server needs. */
export type Connection = McpConnection & Credential;

/** How a strategy is described to the user (a preflight shows this with the credential's claims). */
export type CredentialDescription = {
  strategy: CredentialKind;
  /** Who the credential is for: the server's canonical URI, when the strategy binds one. */
  audience: string | null;
  /** One line on what the strategy needs (from the identity provider, an admin or the user). */
  needs: string;
};

export interface CredentialStrategy {
  readonly kind: CredentialKind;
  /** What the activity log records for calls with this strategy. */
  readonly label: string;
  readonly forwarded: boolean;
  /** The credential a call carries for `user`. Throws IdentityError or ApiError — never another credential. */
  credential(user: EndUser | undefined): Promise<Credential>;
  /** The same credential without a wait when it is at hand (cached); undefined when `credential` must work it out. A throw counts as a miss: `credential` meets the failure again and reports it. */
  credentialNow?(user: EndUser | undefined): Credential | undefined;
  /**
   * The server refused `refused` (401/403), before acting on anything. Drops what must go; hands
   * back a fresh credential to try once more, or undefined (the refusal stands); throws the
   * ApiError that tells the user what to do instead. Never another kind of credential.
   */
  afterRefusal(refused: Credential, status: number | undefined, attempt: number, user: EndUser | undefined): Promise<Credential | undefined>;
  describe(): Promise<CredentialDescription>;
}
