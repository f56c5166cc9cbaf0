import { route } from "@/lib/api/handler";
import { checkProviderEdit } from "@/lib/providers/tools";
import { checkProviderEditContract } from "./contract";

// POST /api/v1/mcp-providers/{id}/check — test a provider with changes applied; nothing is saved
export const POST = route(checkProviderEditContract, async ({ caller, params, body }) => ({
  status: 200,
  body: await checkProviderEdit({ workspaceId: caller.workspaceId, id: params.id, caller, patch: body }),
}));
