import { route } from "@/lib/api/handler";
import { listProviderTools } from "@/lib/providers/tools";
import { listToolsContract } from "./contract";

// GET /api/v1/mcp-providers/{id}/tools — the tools as you see them, from the last discovery
export const GET = route(listToolsContract, async ({ caller, params }) => ({
  status: 200,
  body: await listProviderTools({ workspaceId: caller.workspaceId, id: params.id, userId: caller.userId }),
}));
