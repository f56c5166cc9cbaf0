import { defineContract } from "@/lib/api/contract";
import { invitationIdSchema } from "@/lib/workspaces/invitations";

export const declineReceivedInvitationContract = defineContract({
  method: "DELETE",
  path: "/api/v1/my-invitations/{id}",
  operationId: "declineReceivedInvitation",
  tag: "Workspaces",
  summary: "Decline an invitation sent to you",
  description: "The invitation is gone; its link stops working. For browser sessions only: an API token or app gets 403. 404 for one that isn't yours, or when your address isn't verified.",
  auth: "caller",
  params: invitationIdSchema,
  responses: { 204: { description: "Declined" } },
  errors: [],
});
