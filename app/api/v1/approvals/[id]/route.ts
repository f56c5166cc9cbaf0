import { ApiError } from "@/lib/api/errors";
import { route } from "@/lib/api/handler";
import { decideApproval } from "@/lib/policy/approvals";
import { decideApprovalContract } from "./contract";

// PATCH /api/v1/approvals/{id} — approve or decline one of the caller's waiting calls
export const PATCH = route(decideApprovalContract, async ({ caller, params, body }) => {
  // A token is what a script or an agent holds: the person confirms, signed in to the console.
  if (caller.via !== "session") throw new ApiError("forbidden", "Calls are approved or declined in the console, signed in: an API token or an MCP client can't confirm them.");
  return { status: 200, body: await decideApproval({ workspaceId: caller.workspaceId, userId: caller.userId, id: params.id, decision: body.status }) };
});
