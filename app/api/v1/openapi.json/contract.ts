import { z } from "zod";
import { defineContract } from "@/lib/api/contract";

export const openApiContract = defineContract({
  method: "GET",
  path: "/api/v1/openapi.json",
  operationId: "getOpenApiDocument",
  tag: "Meta",
  summary: "This document",
  auth: "public",
  responses: { 200: { description: "The OpenAPI 3.1 document", schema: z.record(z.string(), z.unknown()) } },
  errors: [],
});
