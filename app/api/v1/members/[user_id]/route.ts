import { route } from "@/lib/api/handler";
import { changeRole, removeMember } from "@/lib/workspaces/members";
import { removeMemberContract, updateMemberContract } from "./contract";

// PATCH /api/v1/members/{user_id} — change a member's role
export const PATCH = route(updateMemberContract, async ({ caller, params, body }) => ({ status: 200, body: await changeRole(caller, params.user_id, body.role) }));

// DELETE /api/v1/members/{user_id} — remove a member and everything they hold here
export const DELETE = route(removeMemberContract, async ({ caller, params }) => {
  await removeMember(caller, params.user_id);
  return { status: 204 };
});
