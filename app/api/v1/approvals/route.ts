import { route } from "@/lib/api/handler";
import { listApprovals } from "@/lib/policy/approvals";
import { listApprovalsContract } from "./contract";

// GET /api/v1/approvals — the caller's calls waiting for confirmation, and their latest decisions
export const GET = route(listApprovalsContract, async ({ caller }) => ({
  status: 200,
  body: await listApprovals({ workspaceId: caller.workspaceId, userId: caller.userId }),
}));
