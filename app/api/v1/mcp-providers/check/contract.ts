import { defineContract } from "@/lib/api/contract";
import { connectionCheckSchema, createProviderSchema } from "@/lib/providers/schemas";

export const checkNewProviderContract = defineContract({
  method: "POST",
  path: "/api/v1/mcp-providers/check",
  operationId: "checkNewProvider",
  tag: "Providers",
  summary: "Test a connection before registering",
  description:
    "Takes the body `POST /api/v1/mcp-providers` would, and asks the server for its tools as you (with your identity token when forwarding is on) — " +
    "nothing is saved. A server that can't be reached or refuses is a `200` with `ok: false`, `failure` and a `message` to act on. " +
    "An OAuth server you haven't connected to yet says so (`failure: \"unauthorized\"`): save, then connect on the provider's page. " +
    "Limited to 20 a minute per user (429 `rate_limited` with Retry-After).",
  auth: "caller",
  role: "admin",
  body: createProviderSchema,
  responses: { 200: { description: "What the server said", schema: connectionCheckSchema } },
  errors: ["rate_limited"],
});
