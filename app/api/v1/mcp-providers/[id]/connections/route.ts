import { route } from "@/lib/api/handler";
import { findProviderRow } from "@/lib/providers/data";
import { listConnections } from "@/lib/upstream-oauth/connections";
import { listConnectionsContract } from "./contract";

// GET /api/v1/mcp-providers/{id}/connections — who is connected (owners and admins; never tokens)
export const GET = route(listConnectionsContract, async ({ caller, params }) => ({
  status: 200,
  body: await listConnections(await findProviderRow({ workspaceId: caller.workspaceId, id: params.id }), caller),
}));
