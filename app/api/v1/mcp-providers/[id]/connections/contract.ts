import { defineContract } from "@/lib/api/contract";
import { providerIdSchema } from "@/lib/providers/schemas";
import { connectionListSchema } from "@/lib/upstream-oauth/connections";

export const listConnectionsContract = defineContract({
  method: "GET",
  path: "/api/v1/mcp-providers/{id}/connections",
  operationId: "listConnections",
  tag: "Connections",
  summary: "Who is connected to the server",
  description: "Every live OAuth connection to the provider's server — the workspace's shared one, or each user's — with who made it and when. Never a token.",
  auth: "caller",
  role: "admin",
  params: providerIdSchema,
  responses: { 200: { description: "Connections, newest first", schema: connectionListSchema } },
  errors: ["conflict"],
});
