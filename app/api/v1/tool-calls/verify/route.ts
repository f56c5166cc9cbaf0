import { route } from "@/lib/api/handler";
import { verifyChain } from "@/lib/activity/verify";
import { verifyToolCallsContract } from "./contract";

// GET /api/v1/tool-calls/verify — check the workspace's activity chain (owners and admins)
export const GET = route(verifyToolCallsContract, async ({ caller, query }) => ({
  status: 200,
  body: await verifyChain(caller.workspaceId, { from: query.from_position, to: query.to_position }),
}));
