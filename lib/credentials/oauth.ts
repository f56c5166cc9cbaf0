// OAuth to the server (SPEC §9): the token of the workspace's connection (shared) or of the
// caller's own (per_user), and none of the provider's static credentials; a DPoP-bound token with
// the proof every request to the server carries. The connections
// themselves — connecting, storing, refreshing, ending — are lib/upstream-oauth/connections.ts.
import "server-only";
import { ApiError } from "@/lib/api/errors";
import { bearerOnly, type Target } from "@/lib/credentials/target";
import type { Credential, CredentialStrategy, EndUser } from "@/lib/credentials/types";
import { lastChallengeFor } from "@/lib/mcp/client";
import { canonicalResource } from "@/lib/mcp/resource";
import type { ProviderRow } from "@/lib/providers/record";
import type { OAuthConnectionKind } from "@/lib/providers/schemas";
import { connectionRefused, connectionToken, isStepUp, noteStepUp, tokenRefused, type ConnectionToken } from "@/lib/upstream-oauth/connections";
import { dpopRequestProof } from "@/lib/upstream-oauth/dpop";

const NEEDS: Record<OAuthConnectionKind, string> = {
  shared: "An admin connects the workspace's account at the server once; every call uses that connection.",
  per_user: "Each user connects their own account at the server; a user without a connection is asked to connect.",
};

/** The token as the server takes it: Bearer, or DPoP-bound — `Authorization: DPoP` and a fresh proof of its key per request (RFC 9449 §7.1). */
function presented(target: Target, oauth: ConnectionToken): Pick<Credential, "url" | "headers" | "proof"> {
  const bearer = bearerOnly(target, oauth.token);
  if (!oauth.dpop) return bearer;
  return { url: bearer.url, headers: { ...bearer.headers, Authorization: `DPoP ${oauth.token}` }, proof: dpopRequestProof(oauth.dpop, oauth.token) };
}

export function oauthStrategy(row: ProviderRow, target: Target, connection: OAuthConnectionKind): CredentialStrategy {
  // What the connection's tokens are bound to (the server, the client, the kind): nothing else of the row is decrypted.
  const binding = { server_url: target.serverUrl, authentication: { type: "oauth" as const, connection, ...(row.clientId ? { client_id: row.clientId } : {}) } };
  const credential = async (user: EndUser | undefined): Promise<Credential> => {
    const oauth = await connectionToken(row, user?.userId, binding);
    return { ...presented(target, oauth), forwarded: false, mode: "oauth", validUntil: oauth.validUntil, oauth };
  };
  return {
    kind: connection === "shared" ? "oauth_shared" : "oauth_per_user",
    label: "oauth",
    forwarded: false,
    credential,
    /**
     * A 401: the token is refreshed and tried once more; a second refusal asks for a reconnect. A
     * 403 with an insufficient_scope challenge asks for a reconnect with more scope (step-up);
     * any other 403 stands. Never other credentials.
     */
    async afterRefusal(refused, status, attempt, user) {
      const { oauth } = refused;
      if (!oauth) return undefined;
      if (status === 403) {
        const challenge = lastChallengeFor(refused.headers.Authorization);
        if (isStepUp(challenge)) throw await noteStepUp(row, oauth, challenge);
        throw new ApiError("upstream_unauthorized", `${row.name} refused the request for the connected account (403): the account may lack permission there. Nothing was retried with other credentials.`);
      }
      if (attempt > 0) throw await connectionRefused(row, oauth);
      await tokenRefused(row, oauth);
      return credential(user);
    },
    describe: async () => ({ strategy: connection === "shared" ? "oauth_shared" : "oauth_per_user", audience: await canonicalResource(target.serverUrl), needs: NEEDS[connection] }),
  };
}
