import { z } from "zod";
import { defineContract } from "@/lib/api/contract";
import { exportLineSchema } from "@/lib/activity/export-line";
import { listToolCallsQuerySchema } from "../contract";

export const exportToolCallsQuerySchema = z
  .strictObject({
    from: z.iso.datetime({ offset: true, error: "from is an ISO 8601 time" }).optional().describe("Records at or after this time"),
    to: z.iso.datetime({ offset: true, error: "to is an ISO 8601 time" }).optional().describe("Records before this time"),
    user: listToolCallsQuerySchema.shape.user,
    provider: listToolCallsQuerySchema.shape.provider,
    outcome: listToolCallsQuerySchema.shape.outcome,
  })
  .refine((query) => !query.from || !query.to || Date.parse(query.from) <= Date.parse(query.to), { error: "from comes before to", path: ["to"] });

export const exportToolCallsContract = defineContract({
  method: "GET",
  path: "/api/v1/tool-calls/export",
  operationId: "exportToolCalls",
  tag: "Activity",
  summary: "Download the activity log as JSON Lines",
  description:
    "One record per line, in chain order, with its position, hash and previous hash: a SIEM can recompute each hash (the serialization is in docs/activity-log.md) and, for an unfiltered range, follow the links. " +
    "Streamed; filters as for the list, plus a time range.",
  auth: "caller",
  role: "admin",
  query: exportToolCallsQuerySchema,
  responses: { 200: { description: "The records, one JSON object per line", schema: exportLineSchema, jsonLines: true, headers: { "Content-Disposition": "attachment; a file name with the workspace and the time" } } },
  errors: [],
});
