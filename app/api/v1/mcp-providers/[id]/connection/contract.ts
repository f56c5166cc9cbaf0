import { z } from "zod";
import { defineContract } from "@/lib/api/contract";
import { providerIdSchema } from "@/lib/providers/schemas";
import { connectionStatusSchema } from "@/lib/upstream-oauth/connections";

const WHOSE =
  "A provider with `connection: \"per_user\"` uses each caller's own connection; one with `\"shared\"` uses the workspace's, which only owners and admins make or end.";

export const getConnectionContract = defineContract({
  method: "GET",
  path: "/api/v1/mcp-providers/{id}/connection",
  operationId: "getConnection",
  tag: "Connections",
  summary: "Whether your calls have an OAuth connection to the server",
  description: `Whether and since when a connection exists; tokens are never shown. ${WHOSE}`,
  auth: "caller",
  params: providerIdSchema,
  responses: { 200: { description: "The connection your calls use", schema: connectionStatusSchema } },
  errors: ["conflict"],
});

export const startConnectionContract = defineContract({
  method: "POST",
  path: "/api/v1/mcp-providers/{id}/connection",
  operationId: "startConnection",
  tag: "Connections",
  summary: "Start connecting to the server's OAuth authorization server",
  description:
    "Discovers the server's authorization server (its 401 challenge, RFC 9728 and RFC 8414 metadata), identifies the console " +
    "(the configured client, its Client ID Metadata Document, or dynamic registration) and returns the authorization URL " +
    "(PKCE S256, `resource` = the server) to open in the caller's browser. The authorization server sends the browser back " +
    "to /oauth/callback, which finishes the connection for the user who started it, in the browser that started it " +
    "(the `mcp_console_connect` cookie this answer sets), within ten minutes; the first answer spends the sign-in, whoever brings it. " +
    WHOSE,
  auth: "caller",
  params: providerIdSchema,
  responses: {
    200: {
      description: "Where to send the browser",
      schema: z.object({ authorization_url: z.url() }),
      headers: { "Set-Cookie": "`mcp_console_connect`: ties the sign-in to this browser; only a browser holding it can finish it" },
    },
  },
  errors: ["conflict", "forbidden", "upstream_error"],
});

export const endConnectionContract = defineContract({
  method: "DELETE",
  path: "/api/v1/mcp-providers/{id}/connection",
  operationId: "endConnection",
  tag: "Connections",
  summary: "Disconnect",
  description:
    "Revokes the tokens at the authorization server (RFC 7009) when it offers revocation, and forgets them. " +
    `Owners and admins may end another user's connection with \`user_id\`. ${WHOSE}`,
  auth: "caller",
  params: providerIdSchema,
  query: z.strictObject({ user_id: z.string().max(64).optional().describe("Owners and admins: whose connection to end") }),
  responses: { 204: { description: "Disconnected" } },
  errors: ["conflict", "forbidden"],
});
