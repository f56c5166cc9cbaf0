import { route } from "@/lib/api/handler";
import { revokeInvitation } from "@/lib/workspaces/invitations";
import { revokeInvitationContract } from "./contract";

// DELETE /api/v1/invitations/{id} — the link stops working
export const DELETE = route(revokeInvitationContract, async ({ caller, params }) => {
  await revokeInvitation(caller, params.id);
  return { status: 204 };
});
