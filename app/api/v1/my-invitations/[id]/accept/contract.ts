import { z } from "zod";
import { defineContract } from "@/lib/api/contract";
import { invitationIdSchema } from "@/lib/workspaces/invitations";

export const acceptReceivedInvitationContract = defineContract({
  method: "POST",
  path: "/api/v1/my-invitations/{id}/accept",
  operationId: "acceptReceivedInvitation",
  tag: "Workspaces",
  summary: "Accept an invitation sent to you",
  description:
    "Joins its workspace with the invited role (a role you already hold there stays). For browser sessions only: an API token or app can't take its user into another workspace (403). " +
    "404 for an invitation that isn't yours, or when your address isn't verified.",
  auth: "caller",
  params: invitationIdSchema,
  responses: { 200: { description: "Joined; switch to it with PUT /api/v1/workspaces/current", schema: z.object({ workspace_id: z.string() }) } },
  errors: ["conflict"],
});
