import { defineContract } from "@/lib/api/contract";
import { providerIdSchema } from "@/lib/providers/schemas";
import { toolListSchema } from "@/lib/providers/tool-schemas";

export const listToolsContract = defineContract({
  method: "GET",
  path: "/api/v1/mcp-providers/{id}/tools",
  operationId: "listTools",
  tag: "Tools",
  summary: "List a provider's tools",
  description: "The tools as you see them: your own last discovery when the provider forwards identity, else the shared one.",
  auth: "caller",
  params: providerIdSchema,
  responses: { 200: { description: "The tools", schema: toolListSchema } },
  errors: [],
});
