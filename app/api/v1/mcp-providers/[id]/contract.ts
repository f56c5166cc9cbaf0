import { defineContract } from "@/lib/api/contract";
import { patchedProviderSchema, providerIdSchema, providerPatchSchema, providerSchema } from "@/lib/providers/schemas";

const ETAG = { ETag: 'The provider\'s version, e.g. "3"' };

export const getProviderContract = defineContract({
  method: "GET",
  path: "/api/v1/mcp-providers/{id}",
  operationId: "getProvider",
  tag: "Providers",
  summary: "Get a provider",
  auth: "caller",
  params: providerIdSchema,
  responses: { 200: { description: "The provider", schema: providerSchema, headers: ETAG } },
  errors: [],
});

export const updateProviderContract = defineContract({
  method: "PATCH",
  path: "/api/v1/mcp-providers/{id}",
  operationId: "updateProvider",
  tag: "Providers",
  summary: "Merge-patch a provider (RFC 7396)",
  description:
    "A field that is omitted stays unchanged; `null` removes an optional field or one map entry " +
    '(`{"headers":{"X-Old":null}}` deletes one header; header names match whatever their case); nested objects merge. ' +
    "`{}` changes nothing. Send `If-Match` with the ETag you read to refuse a stale update (412). Moving `server_url` " +
    "to another origin drops the stored header values, and to another origin or path the OAuth client secret, private key and " +
    "identity client secret, that the same request does not send again (`dropped_secrets` lists them).",
  auth: "caller",
  role: "admin",
  params: providerIdSchema,
  body: providerPatchSchema,
  requestHeaders: { "If-Match": 'An ETag this API returned, such as "3"' },
  responses: { 200: { description: "The updated provider", schema: patchedProviderSchema, headers: ETAG } },
  errors: ["conflict", "precondition_failed"],
});

export const deleteProviderContract = defineContract({
  method: "DELETE",
  path: "/api/v1/mcp-providers/{id}",
  operationId: "deleteProvider",
  tag: "Providers",
  summary: "Delete a provider",
  auth: "caller",
  role: "admin",
  params: providerIdSchema,
  responses: { 204: { description: "Deleted" } },
  errors: [],
});
