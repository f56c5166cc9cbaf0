import { route } from "@/lib/api/handler";
import { exportToolCalls } from "@/lib/activity/export";
import { exportToolCallsContract } from "./contract";

// GET /api/v1/tool-calls/export — the workspace's activity as a JSON Lines download (owners and admins)
export const GET = route(exportToolCallsContract, ({ caller, query }) => ({
  status: 200,
  stream: exportToolCalls({
    workspaceId: caller.workspaceId,
    userId: query.user,
    providerId: query.provider,
    outcome: query.outcome,
    from: query.from ? new Date(query.from) : undefined,
    to: query.to ? new Date(query.to) : undefined,
  }),
  headers: {
    "content-disposition": `attachment; filename="activity-${caller.workspaceId.slice(0, 8)}-${new Date().toISOString().replace(/[:.]/g, "-")}.jsonl"`,
    "cache-control": "no-store",
  },
}));
