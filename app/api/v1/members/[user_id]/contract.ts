import { defineContract } from "@/lib/api/contract";
import { memberIdSchema, memberSchema, updateMemberSchema } from "@/lib/workspaces/members";

const RULES = "An admin can't make, change or remove an owner; the last owner can't be demoted or removed (409).";

export const updateMemberContract = defineContract({
  method: "PATCH",
  path: "/api/v1/members/{user_id}",
  operationId: "updateMember",
  tag: "Members",
  summary: "Change a member's role",
  description: `Takes effect on the member's very next request, on every instance. ${RULES}`,
  auth: "caller",
  role: "admin",
  params: memberIdSchema,
  body: updateMemberSchema,
  responses: { 200: { description: "The member", schema: memberSchema } },
  errors: ["conflict"],
});

export const removeMemberContract = defineContract({
  method: "DELETE",
  path: "/api/v1/members/{user_id}",
  operationId: "removeMember",
  tag: "Members",
  summary: "Remove a member",
  description: `Ends at once, on every instance, their sessions, API tokens, connected apps' OAuth grants and OAuth connections in this workspace. ${RULES}`,
  auth: "caller",
  role: "admin",
  params: memberIdSchema,
  responses: { 204: { description: "Removed" } },
  errors: ["conflict"],
});
