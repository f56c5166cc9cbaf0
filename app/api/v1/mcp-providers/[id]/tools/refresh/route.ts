import { route } from "@/lib/api/handler";
import { refreshToolsOnRequest } from "@/lib/providers/tools";
import { refreshToolsContract } from "./contract";

// POST /api/v1/mcp-providers/{id}/tools/refresh — run tools/list against the server now, as the caller
export const POST = route(refreshToolsContract, async ({ caller, params }) => ({
  status: 200,
  body: await refreshToolsOnRequest({ workspaceId: caller.workspaceId, id: params.id, caller }),
}));
