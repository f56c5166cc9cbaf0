import { z } from "zod";
import { defineContract } from "@/lib/api/contract";
import { verificationSchema } from "@/lib/activity/verify";

const position = (what: string) => z.coerce.number().int(`${what} is a whole number`).min(1, `${what} starts at 1`).optional();

export const verifyToolCallsQuerySchema = z
  .strictObject({
    from_position: position("from_position").describe("Check from this position (default: the first after the retention checkpoint)"),
    to_position: position("to_position").describe("Check up to this position (default: the chain's signed head)"),
  })
  .refine((query) => query.from_position === undefined || query.to_position === undefined || query.from_position <= query.to_position, { error: "from_position comes before to_position", path: ["to_position"] });

export const verifyToolCallsContract = defineContract({
  method: "GET",
  path: "/api/v1/tool-calls/verify",
  operationId: "verifyToolCalls",
  tag: "Activity",
  summary: "Check the activity log's hash chain",
  description:
    "Each record's hash covers its content and the hash of the record before it in the workspace. This walks the chain from the signed retention checkpoint (or the start) to the signed head " +
    "and names the first record that doesn't fit — its id, time and position, and whether its content or its link is wrong. `npm run audit:verify` does the same from a shell.",
  auth: "caller",
  role: "admin",
  query: verifyToolCallsQuerySchema,
  responses: { 200: { description: "What the check found (ok: false names the first break)", schema: verificationSchema } },
  errors: [],
});
