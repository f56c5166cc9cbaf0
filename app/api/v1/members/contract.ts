import { z } from "zod";
import { defineContract } from "@/lib/api/contract";
import { createdInvitationSchema, createInvitationSchema, invitationSchema } from "@/lib/workspaces/invitations";
import { memberSchema } from "@/lib/workspaces/members";

export const listMembersContract = defineContract({
  method: "GET",
  path: "/api/v1/members",
  operationId: "listMembers",
  tag: "Members",
  summary: "The workspace's members and pending invitations",
  auth: "caller",
  role: "admin",
  responses: { 200: { description: "Members (oldest first) and invitations not yet accepted", schema: z.object({ data: z.array(memberSchema), invitations: z.array(invitationSchema) }) } },
  errors: [],
});

export const addMemberContract = defineContract({
  method: "POST",
  path: "/api/v1/members",
  operationId: "addMember",
  tag: "Members",
  summary: "Add someone by email: they are invited",
  description:
    "Nobody joins without accepting: this makes an invitation exactly as POST /api/v1/invitations does, with the same answer whether or not the address has an account. " +
    "Someone with an account accepts it in the console (when their address is verified) or through the link; someone without one sets a password through the link. Only an owner can invite an owner.",
  auth: "caller",
  role: "admin",
  body: createInvitationSchema,
  responses: { 201: { description: "Invited", schema: createdInvitationSchema } },
  errors: ["conflict", "rate_limited"],
});
