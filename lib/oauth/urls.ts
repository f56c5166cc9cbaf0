// Where the console's OAuth pieces live, all derived from NEXTAUTH_URL: the issuer, the MCP
// resource that access tokens are bound to, and the RFC 9728 metadata documents.
import { env } from "@/lib/env";
import { serverIdentifierSchema } from "@/lib/providers/schemas";

export const MCP_SCOPE = "mcp";

export function oauthUrls() {
  const origin = new URL(env().NEXTAUTH_URL).origin;
  return { origin, issuer: `${origin}/oidc`, mcp: `${origin}/mcp` };
}

/** The MCP resource a gateway path stands for: `/mcp` or `/mcp/{server_identifier}`. */
export function mcpResourceFor(serverIdentifier?: string): string {
  const { mcp } = oauthUrls();
  return serverIdentifier ? `${mcp}/${encodeURIComponent(serverIdentifier)}` : mcp;
}

/** RFC 9728: the metadata of a resource lives at its path under /.well-known/oauth-protected-resource. */
export function resourceMetadataUrl(serverIdentifier?: string): string {
  const { origin } = oauthUrls();
  return `${origin}/.well-known/oauth-protected-resource${new URL(mcpResourceFor(serverIdentifier)).pathname}`;
}

/** A resource this server issues tokens for: the whole gateway, or one provider's endpoint. */
export function isMcpResource(resource: string): boolean {
  const { mcp } = oauthUrls();
  if (resource === mcp) return true;
  if (!resource.startsWith(`${mcp}/`)) return false;
  return serverIdentifierSchema.safeParse(resource.slice(mcp.length + 1)).success;
}

/** May a token bound to `audience` call the gateway endpoint of `serverIdentifier` (or `/mcp`)? */
export function audienceAllows(audience: unknown, serverIdentifier?: string): boolean {
  const { mcp } = oauthUrls();
  if (audience === mcp) return true;
  return serverIdentifier !== undefined && audience === mcpResourceFor(serverIdentifier);
}
