import { defineContract } from "@/lib/api/contract";
import { identityCheckRequestSchema, identityCheckSchema } from "@/lib/credentials/preflight";
import { providerIdSchema } from "@/lib/providers/schemas";

export const checkIdentityContract = defineContract({
  method: "POST",
  path: "/api/v1/mcp-providers/{id}/identity-check",
  operationId: "checkIdentity",
  tag: "Providers",
  summary: "Check as me: what your next call would carry",
  description:
    "Which strategy decides the credential for your calls to this provider (its identity mode, its OAuth connection, or its headers), " +
    "the audience, what it needs, and the decoded claims (`iss`, `sub`, `aud`, `scope`, `exp`, …) of the credential the next call would carry — " +
    "never the token itself, never a signature — or, in `error`, the exact reason it can't be had, in the words a call would fail with. " +
    "Getting the credential may ask the identity provider or the server's authorization server for a token (kept for your next call, as a call would); " +
    "no MCP request reaches the server. Owners and admins may check as another member with `user_id`. " +
    "Limited to 20 a minute per user and provider (429 `rate_limited` with Retry-After).",
  auth: "caller",
  params: providerIdSchema,
  body: identityCheckRequestSchema,
  responses: { 200: { description: "The strategy, and the credential's claims or why there is none", schema: identityCheckSchema } },
  errors: ["rate_limited"],
});
