import { z } from "zod";
import { defineContract } from "@/lib/api/contract";
import { pageQueryFields } from "@/lib/api/paging";
import { toolCallSchema } from "@/lib/activity/tool-calls";

export const listToolCallsQuerySchema = z.strictObject({
  ...pageQueryFields,
  provider: z.uuid("provider is a provider id").optional(),
  user: z.string().min(1).max(64).optional(),
  outcome: z.string().regex(/^[a-z_]{1,40}$/, "an outcome such as ok, tool_error, error or an error code").optional(),
});

export const toolCallListSchema = z.object({ data: z.array(toolCallSchema), next_cursor: z.string().nullable() });

export const listToolCallsContract = defineContract({
  method: "GET",
  path: "/api/v1/tool-calls",
  operationId: "listToolCalls",
  tag: "Activity",
  summary: "The activity log of tool calls",
  description:
    'Every tool call through the gateway, the API and Try it: who, which tool, how it ended, how long it took — never arguments or results. Owners and admins see the workspace\'s; members see their own (asking for someone else\'s is refused). Newest first; `outcome` is "ok", "tool_error", "error" (anything but ok, input_required and resumed) or an error code.',
  auth: "caller",
  query: listToolCallsQuerySchema,
  responses: { 200: { description: "A page of tool calls", schema: toolCallListSchema } },
  errors: ["forbidden"],
});
