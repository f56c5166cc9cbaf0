// token_exchange: the user's fresh SSO token exchanged at the SSO provider for one whose audience
// and resource are the server (RFC 8693) — or, with profile entra_obo, Microsoft Entra's
// on-behalf-of grant for the server's scope. The grant itself is lib/identity/grants.ts.
import "server-only";
import { forwardingStrategy, type Minter } from "@/lib/credentials/forwarded";
import type { Target } from "@/lib/credentials/target";
import type { CredentialStrategy } from "@/lib/credentials/types";
import { defaultSubjectToken } from "@/lib/identity/modes";
import { tokenIssuer } from "@/lib/identity/token-issuer";
import type { IdentitySettings } from "@/lib/providers/schemas";

const SUBJECT_WORDS = { access_token: "access token", id_token: "ID token" } as const;

export function tokenExchangeStrategy(target: Target, settings: Omit<IdentitySettings, "client_secret">): CredentialStrategy {
  const obo = settings.profile === "entra_obo";
  const subjectTokenType = settings.subject_token_type ?? defaultSubjectToken("token_exchange");
  const scope = settings.scope ? { scope: settings.scope } : {};
  const minter: Minter = {
    variant: JSON.stringify(["token_exchange", obo ? "entra_obo" : subjectTokenType, settings.scope ?? ""]),
    mint: ({ userId, workspaceId }, audience) =>
      tokenIssuer().issue({ userId, workspaceId, audience, resource: audience, mode: "token_exchange", ...(obo ? { profile: "entra_obo" as const } : { subjectTokenType }), ...scope }),
  };
  const needs = obo
    ? `Microsoft Entra on-behalf-of: the console's app registration may ask for ${settings.scope ?? "the server's scope"} for the signed-in user.`
    : `An identity provider that exchanges the user's SSO ${SUBJECT_WORDS[subjectTokenType]} for a token for this server (RFC 8693 token exchange).`;
  return forwardingStrategy("token_exchange", target, minter, needs);
}
