import { route } from "@/lib/api/handler";
import { callProviderTool } from "@/lib/providers/tools";
import { callToolContract } from "./contract";

// POST /api/v1/mcp-providers/{id}/tools/{tool}/call — call a tool as the caller
export const POST = route(callToolContract, async ({ req, caller, params, body, requestId }) => ({
  status: 200,
  body: await callProviderTool({
    workspaceId: caller.workspaceId,
    id: params.id,
    tool: params.tool,
    args: body.arguments,
    user: { userId: caller.userId, workspaceId: caller.workspaceId },
    context: { via: caller.via === "token" ? "api" : "console", requestId, email: caller.email, signal: req.signal },
  }),
}));
