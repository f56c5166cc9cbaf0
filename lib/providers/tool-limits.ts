// How much of a server's tool list the console keeps. A list is stored once per provider (and per
// user for personal views) and served on every GET …/tools and every gateway tools/list, so a
// server can't make the database, or every reader's memory, as large as it likes: a list past
// these limits is refused whole — the last good one stays — and the provider's discovery says why.
import "server-only";
import { MAX_TOOLS, McpCallError } from "@/lib/mcp/client";
import type { StoredTool } from "@/lib/providers/tool-schemas";

export const TOOL_LIMITS = {
  tools: MAX_TOOLS,
  /** One tool: its name, title, description and input schema, as stored (JSON, UTF-8). */
  toolBytes: 64 * 1024,
  /** The whole list. */
  listBytes: 2 * 1024 * 1024,
} as const;

const kib = (bytes: number) => `${Math.ceil(bytes / 1024)} KiB`;

/** `tools`, if the console keeps all of them; else an error naming the first limit passed. */
export function assertStorable(tools: StoredTool[]): StoredTool[] {
  if (tools.length > TOOL_LIMITS.tools) throw new McpCallError("protocol", `the server lists ${tools.length} tools; the console keeps at most ${TOOL_LIMITS.tools}`);
  let total = 0;
  for (const tool of tools) {
    const size = Buffer.byteLength(JSON.stringify(tool));
    if (size > TOOL_LIMITS.toolBytes) {
      throw new McpCallError("protocol", `the server's tool ${JSON.stringify(tool.name.slice(0, 64))} takes ${kib(size)} (description and input schema); the console keeps at most ${kib(TOOL_LIMITS.toolBytes)} per tool`);
    }
    total += size;
    if (total > TOOL_LIMITS.listBytes) throw new McpCallError("protocol", `the server's tool list is larger than ${kib(TOOL_LIMITS.listBytes)}, the most the console keeps for one provider`);
  }
  return tools;
}
