// The activity log as JSON Lines, for a SIEM: one record per line in chain order, each with every
// field its hash covers, its position, and its hash and the previous one — so the receiver can
// recompute each hash (docs/activity-log.md) and, for an unfiltered range, follow the links.
// Streamed a page at a time: an export of any size never sits in memory whole.
import "server-only";
import type { ToolCall } from "@/generated/sqlite/client";
import { chainedRecordOf } from "@/lib/activity/chain-store";
import { exportLineOf, type ExportLine } from "@/lib/activity/export-line";
import { toolCallWhere, type ToolCallFilter } from "@/lib/activity/tool-calls";
import { db } from "@/lib/db";
import { log } from "@/lib/log";

function lineOf(row: ToolCall): ExportLine {
  return exportLineOf(chainedRecordOf(row), { hashVersion: row.hashVersion ?? 0, prevHash: row.prevHash ?? "", hash: row.hash ?? "" });
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
