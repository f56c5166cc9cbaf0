// The contract of the tool routes: what a stored tool, a tool list, a call and its result look like.
import { z } from "zod";
import { toolNameSchema } from "@/lib/providers/schemas";

export const toolSchema = z.object({
  name: z.string(),
  title: z.string().nullable(),
  description: z.string().nullable(),
  input_schema: z.record(z.string(), z.unknown()),
});
export type StoredTool = z.infer<typeof toolSchema>;

export const listedToolSchema = toolSchema.extend({
  enabled: z.boolean().describe("false: an admin turned this tool off; agents don't see it and calls are refused"),
});
export type ListedTool = z.infer<typeof listedToolSchema>;

export const toolListSchema = z.object({
  data: z.array(listedToolSchema),
  fetched_at: z.iso.datetime().nullable(),
  authed: z.boolean(),
  view: z
    .enum(["shared", "yours"])
    .describe('"yours": the provider forwards identity and this is what the server showed you; "shared": the last discovery by an admin or without forwarding'),
});
export type ToolList = z.infer<typeof toolListSchema>;

export const toolParamsSchema = z.strictObject({ id: z.uuid(), tool: toolNameSchema });
export const callToolBodySchema = z.strictObject({ arguments: z.record(z.string(), z.unknown()).default({}) });
export const toolResultSchema = z.object({
  content: z.array(z.record(z.string(), z.unknown())),
  structured_content: z.record(z.string(), z.unknown()).nullable(),
  is_error: z.boolean(),
});
