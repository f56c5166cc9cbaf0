import { z } from "zod";
import { defineContract } from "@/lib/api/contract";
import { approvalSchema } from "@/lib/policy/approvals";

export const approvalListSchema = z.object({
  pending: z.array(approvalSchema).describe("Calls waiting for your decision, newest first"),
  recent: z.array(approvalSchema).describe("Your latest decided, expired or abandoned approvals"),
});

export const listApprovalsContract = defineContract({
  method: "GET",
  path: "/api/v1/approvals",
  operationId: "listApprovals",
  tag: "Approvals",
  summary: "Your calls waiting for confirmation",
  description:
    "Calls of tools an admin set to ask first, made by you where your MCP client couldn't be asked (or through the REST API or Try it), waiting for you to approve or decline them. Only the caller sees and decides their own; an approval not decided within TOOL_APPROVAL_TIMEOUT_SECONDS refuses its call.",
  auth: "caller",
  responses: { 200: { description: "Waiting and recent approvals", schema: approvalListSchema } },
  errors: [],
});
