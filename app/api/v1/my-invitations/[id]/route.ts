import { route } from "@/lib/api/handler";
import { declineReceivedInvitation } from "@/lib/workspaces/received-invitations";
import { declineReceivedInvitationContract } from "./contract";

// DELETE /api/v1/my-invitations/{id} — decline it
export const DELETE = route(declineReceivedInvitationContract, async ({ caller, params }) => {
  await declineReceivedInvitation(caller, params.id);
  return { status: 204 };
});
