import { ApiError } from "@/lib/api/errors";
import { route } from "@/lib/api/handler";
import { toolCallStats } from "@/lib/activity/stats";
import { readableUserId } from "@/lib/activity/tool-calls";
import { statsRangeOf, toolCallStatsContract } from "./contract";

// GET /api/v1/tool-calls/stats — calls, errors and latency per bucket and series: the workspace's (admins) or the caller's own (members)
export const GET = route(toolCallStatsContract, async ({ caller, query }) => {
  const userId = readableUserId(caller, query.user);
  const range = statsRangeOf(query);
  // The contract's schema has refused a range that doesn't fit.
  if ("message" in range) throw new ApiError("validation_failed", range.message);
  return {
    status: 200,
    body: await toolCallStats({
      workspaceId: caller.workspaceId,
      userId,
      providerId: query.provider,
      ...range,
      groupBy: query.group_by,
    }),
  };
});
