import { ApiError } from "@/lib/api/errors";
import { route } from "@/lib/api/handler";
import { listToolCalls } from "@/lib/activity/tool-calls";
import { hasRole } from "@/lib/auth/roles";
import { listToolCallsContract } from "./contract";

// GET /api/v1/tool-calls — the workspace's activity (admins) or the caller's own (members)
export const GET = route(listToolCallsContract, async ({ caller, query }) => {
  const seesAll = hasRole(caller.role, "admin");
  if (!seesAll && query.user && query.user !== caller.userId) throw new ApiError("forbidden", "Members see only their own tool calls");
  return {
    status: 200,
    body: await listToolCalls({
      workspaceId: caller.workspaceId,
      limit: query.limit,
      cursor: query.cursor,
      providerId: query.provider,
      outcome: query.outcome,
      userId: seesAll ? query.user : caller.userId,
    }),
  };
});
