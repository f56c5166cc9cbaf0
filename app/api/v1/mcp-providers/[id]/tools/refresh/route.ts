import { route } from "@/lib/api/handler";
import { refreshProviderTools } from "@/lib/providers/tools";
import { refreshToolsContract } from "./contract";

// POST /api/v1/mcp-providers/{id}/tools/refresh — run tools/list against the server now, as the caller
export const POST = route(refreshToolsContract, async ({ caller, params }) => ({
  status: 200,
  body: await refreshProviderTools({ workspaceId: caller.workspaceId, id: params.id, caller }),
}));
