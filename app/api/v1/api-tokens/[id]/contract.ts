import { defineContract } from "@/lib/api/contract";
import { apiTokenIdSchema } from "@/lib/auth/api-token-schemas";

export const revokeApiTokenContract = defineContract({
  method: "DELETE",
  path: "/api/v1/api-tokens/{id}",
  operationId: "revokeApiToken",
  tag: "API tokens",
  summary: "Revoke one of your API tokens",
  auth: "caller",
  params: apiTokenIdSchema,
  responses: { 204: { description: "Revoked" } },
  errors: [],
});
