import { defineContract } from "@/lib/api/contract";
import { IDENTITY_FAILURE_CODES, UPSTREAM_FAILURE_CODES } from "@/lib/api/errors";
import { callToolBodySchema, toolParamsSchema, toolResultSchema } from "@/lib/providers/tool-schemas";

export const callToolContract = defineContract({
  method: "POST",
  path: "/api/v1/mcp-providers/{id}/tools/{tool}/call",
  operationId: "callTool",
  tag: "Tools",
  summary: "Call a tool as yourself",
  description: "With identity forwarding, the call carries a token minted for you; it fails rather than fall back to a shared credential. A tool an admin set to ask first waits until you approve the call under Approvals in the console (GET /api/v1/approvals), and is refused if you decline or don't decide in time.",
  auth: "caller",
  params: toolParamsSchema,
  body: callToolBodySchema,
  responses: { 200: { description: "The tool's result (is_error is true when the tool itself failed)", schema: toolResultSchema } },
  errors: ["tool_disabled", "approval_declined", "approval_timed_out", ...IDENTITY_FAILURE_CODES, ...UPSTREAM_FAILURE_CODES],
});
