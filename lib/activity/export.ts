// The activity log as JSON Lines, for a SIEM: one record per line in chain order, each with every
// field its hash covers, its position, and its hash and the previous one — so the receiver can
// recompute each hash (docs/activity-log.md) and, for an unfiltered range, follow the links.
// Streamed a page at a time: an export of any size never sits in memory whole.
import "server-only";
import { z } from "zod";
import type { ToolCall } from "@/generated/sqlite/client";
import { toolCallWhere, type ToolCallFilter } from "@/lib/activity/tool-calls";
import { db } from "@/lib/db";
import { log } from "@/lib/log";

export const exportLineSchema = z.object({
  id: z.string(),
  workspace_id: z.string(),
  position: z.int(),
  at: z.iso.datetime(),
  user: z.object({ id: z.string(), email: z.string() }),
  provider: z.object({ id: z.string(), name: z.string() }),
  tool: z.string(),
  via: z.string(),
  outcome: z.string(),
  duration_ms: z.int(),
  identity: z.string(),
  request_id: z.string(),
  arguments: z.string().nullable().describe("The recorded arguments as stored (JSON text, redacted), or null"),
  result: z.string().nullable().describe("The recorded result as stored (JSON text, redacted), or null"),
  approval: z.string().nullable().describe("For a tool whose policy is ask: <approved|declined|timed_out|cancelled>:<elicitation|console>; null when the call wasn't asked"),
  hash_version: z.int(),
  prev_hash: z.string(),
  hash: z.string(),
});
export type ExportLine = z.infer<typeof exportLineSchema>;

function lineOf(row: ToolCall): ExportLine {
  return {
    id: row.id,
    workspace_id: row.workspaceId,
    position: Number(row.seq),
    at: row.createdAt.toISOString(),
    user: { id: row.userId, email: row.userEmail },
    provider: { id: row.providerId, name: row.providerName },
    tool: row.tool,
    via: row.via,
    outcome: row.outcome,
    duration_ms: row.durationMs,
    identity: row.identity,
    request_id: row.requestId,
    arguments: row.arguments,
    result: row.result,
    approval: row.approval,
    hash_version: row.hashVersion ?? 0,
    prev_hash: row.prevHash ?? "",
    hash: row.hash ?? "",
  };
}

const PAGE = 1000;

/** The chained records `filter` selects, oldest position first, as a stream of JSON Lines. */
export function exportToolCalls(filter: ToolCallFilter): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let after: bigint = -1n;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const rows = await db().toolCall.findMany({ where: { ...toolCallWhere(filter), seq: { gt: after } }, orderBy: { seq: "asc" }, take: PAGE });
          if (rows.length > 0) {
            controller.enqueue(encoder.encode(rows.map((row) => `${JSON.stringify(lineOf(row))}\n`).join("")));
            after = rows[rows.length - 1].seq ?? after;
          }
          if (rows.length < PAGE) controller.close();
        } catch (error) {
          log.warn({ err: error, workspaceId: filter.workspaceId }, "an activity export broke off");
          controller.error(error);
        }
      },
    },
    { highWaterMark: 0 },
  );
}
