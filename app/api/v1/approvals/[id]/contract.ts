import { z } from "zod";
import { defineContract } from "@/lib/api/contract";
import { approvalSchema } from "@/lib/policy/approvals";

export const decideApprovalContract = defineContract({
  method: "PATCH",
  path: "/api/v1/approvals/{id}",
  operationId: "decideApproval",
  tag: "Approvals",
  summary: "Approve or decline a waiting call",
  description: "Approving runs the call at once, as you; declining refuses it with a message that says you declined. Only your own waiting calls, and only signed in to the console (an API token gets 403: the script or agent that made a call can't confirm it); one already decided or expired is a conflict.",
  auth: "caller",
  params: z.strictObject({ id: z.string().min(1).max(64) }),
  body: z.strictObject({ status: z.enum(["approved", "declined"]).describe("Your decision") }),
  responses: { 200: { description: "The approval, decided", schema: approvalSchema } },
  errors: ["forbidden", "conflict"],
});
