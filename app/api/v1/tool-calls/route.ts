import { route } from "@/lib/api/handler";
import { listToolCalls, readableUserId } from "@/lib/activity/tool-calls";
import { listToolCallsContract } from "./contract";

// GET /api/v1/tool-calls — the workspace's activity (admins) or the caller's own (members)
export const GET = route(listToolCallsContract, async ({ caller, query }) => {
  const userId = readableUserId(caller, query.user);
  return {
    status: 200,
    body: await listToolCalls({
      workspaceId: caller.workspaceId,
      limit: query.limit,
      cursor: query.cursor,
      providerId: query.provider,
      outcome: query.outcome,
      userId,
    }),
  };
});
