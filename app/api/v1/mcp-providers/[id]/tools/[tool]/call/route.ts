import { json, withWorkspace } from "@/lib/api/handler";
import { callToolBodySchema, toolParamsSchema } from "@/lib/providers/tool-schemas";
import { callProviderTool } from "@/lib/providers/tools";

// POST /api/v1/mcp-providers/{id}/tools/{tool}/call — call a tool as the caller
export const POST = withWorkspace({ params: toolParamsSchema, body: callToolBodySchema }, async ({ caller, params, body }) =>
  json(
    await callProviderTool({
      workspaceId: caller.workspaceId,
      id: params.id,
      tool: params.tool,
      args: body.arguments,
      user: { userId: caller.userId, workspaceId: caller.workspaceId },
    }),
  ),
);
