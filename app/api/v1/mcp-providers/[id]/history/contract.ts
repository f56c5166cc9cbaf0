import { z } from "zod";
import { defineContract } from "@/lib/api/contract";
import { pageQueryFields } from "@/lib/api/paging";
import { providerEventSchema } from "@/lib/providers/history";
import { providerIdSchema } from "@/lib/providers/schemas";

export const providerHistoryQuerySchema = z.strictObject(pageQueryFields);
export const providerHistorySchema = z.object({ data: z.array(providerEventSchema), next_cursor: z.string().nullable() });

export const providerHistoryContract = defineContract({
  method: "GET",
  path: "/api/v1/mcp-providers/{id}/history",
  operationId: "getProviderHistory",
  tag: "Providers",
  summary: "A provider's change history",
  description: "Who created the provider and who changed which settings, newest first: the names of the settings, never their values.",
  auth: "caller",
  role: "admin",
  params: providerIdSchema,
  query: providerHistoryQuerySchema,
  responses: { 200: { description: "A page of changes", schema: providerHistorySchema } },
  errors: [],
});
