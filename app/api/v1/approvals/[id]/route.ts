import { route } from "@/lib/api/handler";
import { decideApproval } from "@/lib/policy/approvals";
import { decideApprovalContract } from "./contract";

// PATCH /api/v1/approvals/{id} — approve or decline one of the caller's waiting calls
export const PATCH = route(decideApprovalContract, async ({ caller, params, body }) => ({
  status: 200,
  body: await decideApproval({ workspaceId: caller.workspaceId, userId: caller.userId, id: params.id, decision: body.status }),
}));
