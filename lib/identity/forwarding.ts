// What a request to a provider's MCP server carries. Forwarding off: the provider's own headers.
// Forwarding on: the same headers, with Authorization replaced by the end user's minted token —
// or no request at all. Nothing here ever falls back to a shared credential.
import "server-only";
import { ApiError } from "@/lib/api/errors";
import { env } from "@/lib/env";
import { IdentityError } from "@/lib/identity/errors";
import { isForwardingActive } from "@/lib/identity/modes";
import { cachedToken, cacheToken, EARLY_EXPIRY_SECONDS } from "@/lib/identity/token-cache";
import { tokenIssuer } from "@/lib/identity/token-issuer";

export type EndUser = { userId: string; workspaceId: string };

/** `validUntil` (ms): when these credentials stop being usable — the token's expiry less a margin. */
export type ConnectionCredentials = { headers: Record<string, string>; forwarded: boolean; validUntil: number };

export async function connectionCredentials(options: {
  identityMode: string;
  serverUrl: string;
  headers: Record<string, string> | undefined;
  user: EndUser | undefined;
}): Promise<ConnectionCredentials> {
  const staticHeaders = options.headers ?? {};
  if (!isForwardingActive(options.identityMode, env().ENTERPRISE_ENABLED)) return { headers: staticHeaders, forwarded: false, validUntil: Number.POSITIVE_INFINITY };
  // No user, no call: fail before any network I/O.
  if (!options.user) throw new IdentityError("no_user", "no end user for this call");
  const { userId, workspaceId } = options.user;
  const audience = options.serverUrl;
  let issued = cachedToken(userId, workspaceId, audience);
  if (!issued) {
    issued = await tokenIssuer()
      .issue({ userId, workspaceId, audience, mode: options.identityMode })
      .catch((error: unknown) => {
        // Identity failures, and API errors such as a rate limit, reach the caller as they are.
        if (error instanceof IdentityError || error instanceof ApiError) throw error;
        throw new IdentityError("token_error", "the token issuer failed unexpectedly");
      });
    cacheToken(userId, workspaceId, audience, issued);
  }
  const headers = Object.fromEntries(Object.entries(staticHeaders).filter(([name]) => name.toLowerCase() !== "authorization"));
  return {
    headers: { ...headers, Authorization: `Bearer ${issued.token}` },
    forwarded: true,
    validUntil: (issued.expiresAt - EARLY_EXPIRY_SECONDS) * 1000,
  };
}
