import { ApiError } from "@/lib/api/errors";
import { route } from "@/lib/api/handler";
import { toolCallStats } from "@/lib/activity/stats";
import { hasRole } from "@/lib/auth/roles";
import { statsRangeOf, toolCallStatsContract } from "./contract";

// GET /api/v1/tool-calls/stats — calls, errors and latency per bucket and series: the workspace's (admins) or the caller's own (members)
export const GET = route(toolCallStatsContract, async ({ caller, query }) => {
  const seesAll = hasRole(caller.role, "admin");
  if (!seesAll && query.user && query.user !== caller.userId) throw new ApiError("forbidden", "Members see only their own tool calls");
  const range = statsRangeOf(query);
  // The contract's schema has refused a range that doesn't fit.
  if ("message" in range) throw new ApiError("validation_failed", range.message);
  return {
    status: 200,
    body: await toolCallStats({
      workspaceId: caller.workspaceId,
      userId: seesAll ? query.user : caller.userId,
      providerId: query.provider,
      ...range,
      groupBy: query.group_by,
    }),
  };
});
