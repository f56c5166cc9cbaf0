import { defineContract } from "@/lib/api/contract";
import { IDENTITY_FAILURE_CODES, UPSTREAM_FAILURE_CODES } from "@/lib/api/errors";
import { providerIdSchema } from "@/lib/providers/schemas";
import { toolListSchema } from "@/lib/providers/tool-schemas";

export const refreshToolsContract = defineContract({
  method: "POST",
  path: "/api/v1/mcp-providers/{id}/tools/refresh",
  operationId: "refreshTools",
  tag: "Tools",
  summary: "Discover a provider's tools now",
  description:
    "Runs `tools/list` against the server as you (with your identity token when the provider forwards identity). " +
    "What everyone sees is written only by an admin's refresh or one made without forwarding; with forwarding, the answer is your own view. " +
    "A list larger than the console keeps (more than 1000 tools, a tool over 64 KiB, 2 MiB in all), or any MCP message over 4 MiB, " +
    "is refused whole (502 `upstream_error` saying which limit, and the provider's `discovery` says it too); the last good list stays. " +
    "Limited to 10 a minute per user and provider (429 `rate_limited` with Retry-After); refreshes asked for while yours runs share its answer.",
  auth: "caller",
  params: providerIdSchema,
  responses: { 200: { description: "The tools, as the server showed them to you", schema: toolListSchema } },
  errors: [...IDENTITY_FAILURE_CODES, ...UPSTREAM_FAILURE_CODES],
});
