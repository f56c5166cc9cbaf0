import { route } from "@/lib/api/handler";
import { listProviderHistory } from "@/lib/providers/history";
import { providerHistoryContract } from "./contract";

// GET /api/v1/mcp-providers/{id}/history — who created and changed the provider, newest first
export const GET = route(providerHistoryContract, async ({ caller, params, query }) => ({
  status: 200,
  body: await listProviderHistory({ workspaceId: caller.workspaceId, id: params.id, limit: query.limit, cursor: query.cursor }),
}));
