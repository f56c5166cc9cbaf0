// MCP shapes the gateway answers with itself, on both endpoints: a tool error carrying the words the
// console's UI would show, and the tools a caller saw last when the server can't be asked now.
import "server-only";
import type { ProviderRow } from "@/lib/providers/record";
import { lastKnownTools } from "@/lib/providers/tools";

export function toolError(text: string) {
  return { content: [{ type: "text" as const, text }], isError: true };
}

/** The caller's last known tools of a provider, as tools/list lists them. */
export async function lastKnownMcpTools(row: ProviderRow, userId: string) {
  const known = await lastKnownTools(row, userId);
  return known.data.map((tool) => ({
    name: tool.name,
    ...(tool.title ? { title: tool.title } : {}),
    ...(tool.description ? { description: tool.description } : {}),
    inputSchema: { type: "object" as const, ...tool.input_schema },
  }));
}
