import { defineContract } from "@/lib/api/contract";
import { createProviderSchema, listProvidersQuerySchema, providerListSchema, providerSchema } from "@/lib/providers/schemas";

export const listProvidersContract = defineContract({
  method: "GET",
  path: "/api/v1/mcp-providers",
  operationId: "listProviders",
  tag: "Providers",
  summary: "List providers",
  description: "Newest first, paginated with an opaque cursor. `q` filters by name or identifier.",
  auth: "caller",
  query: listProvidersQuerySchema,
  responses: { 200: { description: "A page of providers", schema: providerListSchema } },
  errors: [],
});

export const createProviderContract = defineContract({
  method: "POST",
  path: "/api/v1/mcp-providers",
  operationId: "createProvider",
  tag: "Providers",
  summary: "Register a provider",
  description:
    'Omitted optional fields take their defaults (identity_mode "off", timeouts 30/300). The server\'s tools are discovered right after the answer: `discovery.status` is "pending" until then.',
  auth: "caller",
  role: "admin",
  body: createProviderSchema,
  responses: {
    201: { description: "Registered", schema: providerSchema, headers: { Location: "The provider's URL", ETag: 'The provider\'s version, e.g. "1"' } },
  },
  errors: ["conflict"],
});
