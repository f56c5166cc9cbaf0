// idp_token: the built-in issuer's refresh grant at the SSO provider with RFC 8707 `resource` = the
// server, so the token's audience is that server.
import "server-only";
import { forwardingStrategy, type Minter } from "@/lib/credentials/forwarded";
import type { Target } from "@/lib/credentials/target";
import type { CredentialStrategy } from "@/lib/credentials/types";
import { IDENTITY_MODE_NEEDS } from "@/lib/identity/modes";
import { tokenIssuer } from "@/lib/identity/token-issuer";

const minter: Minter = {
  variant: "idp_token",
  mint: ({ userId, workspaceId }, audience) => tokenIssuer().issue({ userId, workspaceId, audience, mode: "idp_token" }),
};

export function idpTokenStrategy(target: Target): CredentialStrategy {
  return forwardingStrategy("idp_token", target, minter, IDENTITY_MODE_NEEDS.idp_token);
}
