// RFC 9728 protected-resource metadata for the gateway's endpoints: which authorization server
// issues tokens for them and which scope to ask for.
import "server-only";
import { ApiError, problemResponse } from "@/lib/api/errors";
import { MCP_SCOPE, mcpResourceFor, oauthUrls } from "@/lib/oauth/urls";
import { serverIdentifierSchema } from "@/lib/providers/schemas";

export function resourceMetadataResponse(serverIdentifier?: string): Response {
  if (serverIdentifier !== undefined && !serverIdentifierSchema.safeParse(serverIdentifier).success) {
    return problemResponse(new ApiError("not_found", "No such MCP endpoint"));
  }
  const { issuer } = oauthUrls();
  return Response.json(
    {
      resource: mcpResourceFor(serverIdentifier),
      authorization_servers: [issuer],
      scopes_supported: [MCP_SCOPE],
      bearer_methods_supported: ["header"],
      resource_name: serverIdentifier ? `MCP Console · ${serverIdentifier}` : "MCP Console",
    },
    // Public by nature: a browser-based MCP client of any origin reads it to find where to sign in.
    { headers: { "cache-control": "public, max-age=300", "access-control-allow-origin": "*" } },
  );
}
