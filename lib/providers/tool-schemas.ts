// The contract of the tool routes: what a stored tool, a tool list, a call and its result look like.
import { z } from "zod";

export const toolSchema = z.object({
  name: z.string(),
  title: z.string().nullable(),
  description: z.string().nullable(),
  input_schema: z.record(z.string(), z.unknown()),
});
export type StoredTool = z.infer<typeof toolSchema>;

export const toolListSchema = z.object({
  data: z.array(toolSchema),
  fetched_at: z.iso.datetime().nullable(),
  authed: z.boolean(),
  view: z
    .enum(["shared", "yours"])
    .describe('"yours": the provider forwards identity and this is what the server showed you; "shared": the last discovery by an admin or without forwarding'),
});
export type ToolList = z.infer<typeof toolListSchema>;

export const toolParamsSchema = z.strictObject({ id: z.uuid(), tool: z.string().min(1).max(128) });
export const callToolBodySchema = z.strictObject({ arguments: z.record(z.string(), z.unknown()).default({}) });
export const toolResultSchema = z.object({
  content: z.array(z.record(z.string(), z.unknown())),
  structured_content: z.record(z.string(), z.unknown()).nullable(),
  is_error: z.boolean(),
});
