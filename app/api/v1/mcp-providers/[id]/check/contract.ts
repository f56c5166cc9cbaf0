import { defineContract } from "@/lib/api/contract";
import { connectionCheckSchema, providerIdSchema, providerPatchSchema } from "@/lib/providers/schemas";

export const checkProviderEditContract = defineContract({
  method: "POST",
  path: "/api/v1/mcp-providers/{id}/check",
  operationId: "checkProviderEdit",
  tag: "Providers",
  summary: "Test a connection with changes not saved yet",
  description:
    "Takes the merge patch `PATCH /api/v1/mcp-providers/{id}` would (`{}` tests the provider as it is), applies it the same way — " +
    "a `server_url` on another origin gets none of the stored secrets — and asks the server for its tools as you. Nothing is saved. " +
    "Limited to 10 a minute per user and provider (429 `rate_limited` with Retry-After).",
  auth: "caller",
  role: "admin",
  params: providerIdSchema,
  body: providerPatchSchema,
  responses: { 200: { description: "What the server said", schema: connectionCheckSchema } },
  errors: ["rate_limited"],
});
