import { defineContract } from "@/lib/api/contract";
import { createdInvitationSchema, createInvitationSchema, INVITATION_DAYS } from "@/lib/workspaces/invitations";

export const createInvitationContract = defineContract({
  method: "POST",
  path: "/api/v1/invitations",
  operationId: "createInvitation",
  tag: "Members",
  summary: "Invite someone by email",
  description:
    `Returns a one-time link, valid ${INVITATION_DAYS} days, to pass on (the console sends no mail); only its hash is kept. ` +
    "Without an account the invitee sets a password; with one they sign in; an SSO sign-in whose identity provider vouches for the email joins too — each with the invited role. " +
    "A new invitation for the same email replaces the pending one. Only an owner can invite an owner.",
  auth: "caller",
  role: "admin",
  body: createInvitationSchema,
  responses: { 201: { description: "Invited", schema: createdInvitationSchema } },
  errors: ["conflict", "rate_limited"],
});
