import { defineContract } from "@/lib/api/contract";
import { invitationIdSchema } from "@/lib/workspaces/invitations";

export const revokeInvitationContract = defineContract({
  method: "DELETE",
  path: "/api/v1/invitations/{id}",
  operationId: "revokeInvitation",
  tag: "Members",
  summary: "Revoke a pending invitation",
  description: "Its link stops working at once.",
  auth: "caller",
  role: "admin",
  params: invitationIdSchema,
  responses: { 204: { description: "Revoked" } },
  errors: [],
});
