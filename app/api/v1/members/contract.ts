import { z } from "zod";
import { defineContract } from "@/lib/api/contract";
import { emailSchema, invitationSchema } from "@/lib/workspaces/invitations";
import { memberSchema, roleSchema } from "@/lib/workspaces/members";

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
  summary: "Add someone who already has an account",
  description: "Adds an existing console user to this workspace at once. For someone without an account, create an invitation instead (404 says so). Only an owner can add an owner.",
  auth: "caller",
  role: "admin",
  body: z.strictObject({ email: emailSchema, role: roleSchema.default("member") }),
  responses: { 201: { description: "Added", schema: memberSchema } },
  errors: ["conflict", "not_found"],
});
