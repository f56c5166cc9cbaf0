import { defineContract } from "@/lib/api/contract";
import { createdInvitationSchema, createInvitationSchema, INVITATION_DAYS } from "@/lib/workspaces/invitations";

export const createInvitationContract = defineContract({
  method: "POST",
  path: "/api/v1/invitations",
  operationId: "createInvitation",
  tag: "Members",
  summary: "Invite someone by email",
  description:
    `Makes a one-time link, valid ${INVITATION_DAYS} days; only its hash is kept. With SMTP configured it is mailed to the address (url is null); without, it is returned to pass on. ` +
    "The answer is the same whether or not the address has an account. Without an account the invitee sets a password; with one they accept signed in — through the link, " +
    "or in the console when their address is verified (GET /api/v1/my-invitations). " +
    "A new invitation for the same email replaces the pending one. Only an owner can invite an owner.",
  auth: "caller",
  role: "admin",
  body: createInvitationSchema,
  responses: { 201: { description: "Invited", schema: createdInvitationSchema } },
  errors: ["conflict", "rate_limited"],
});
