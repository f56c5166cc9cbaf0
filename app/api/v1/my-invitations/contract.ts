import { defineContract } from "@/lib/api/contract";
import { receivedInvitationsSchema } from "@/lib/workspaces/received-invitations";

export const listReceivedInvitationsContract = defineContract({
  method: "GET",
  path: "/api/v1/my-invitations",
  operationId: "listReceivedInvitations",
  tag: "Workspaces",
  summary: "Invitations to other workspaces waiting for you",
  description:
    "Pending invitations for your account's address, to accept or decline. Listed only when the address is verified — by your SSO provider or a link mailed to it — " +
    "since an unverified account may belong to someone who only claimed the address (address_verified says which). " +
    "For browser sessions only: an API token or app gets 403.",
  auth: "caller",
  responses: { 200: { description: "Your pending invitations, newest first", schema: receivedInvitationsSchema } },
  errors: ["forbidden"],
});
