import { z } from "zod";
import { defineContract } from "@/lib/api/contract";
import { apiTokenSchema, createApiTokenSchema, createdApiTokenSchema } from "@/lib/auth/api-token-schemas";

export const listApiTokensContract = defineContract({
  method: "GET",
  path: "/api/v1/api-tokens",
  operationId: "listApiTokens",
  tag: "API tokens",
  summary: "List your API tokens",
  auth: "caller",
  responses: { 200: { description: "Your tokens in this workspace (never their secrets)", schema: z.object({ data: z.array(apiTokenSchema) }) } },
  errors: [],
});

export const createApiTokenContract = defineContract({
  method: "POST",
  path: "/api/v1/api-tokens",
  operationId: "createApiToken",
  tag: "API tokens",
  summary: "Create an API token",
  description: "The secret is returned once, in this response. Names are unique per user and workspace (compared ignoring case and spacing); `expires_in_days` makes it stop working by itself.",
  auth: "caller",
  body: createApiTokenSchema,
  responses: { 201: { description: "Created", schema: createdApiTokenSchema, headers: { Location: "The token's URL" } } },
  errors: ["conflict", "rate_limited"],
});
