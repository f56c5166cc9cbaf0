// The activity log: one row per tool call through any path — the gateway, the REST API, the
// console's Try it — saying who called which tool, how it ended and how long it took. Arguments and
// results are never stored. Rows are pruned after TOOL_CALL_RETENTION_DAYS.
import "server-only";
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { newestFirstPage } from "@/lib/api/cursor";
import { userRefSchema } from "@/lib/api/user-ref";
import { db, executeRaw } from "@/lib/db";
import { isDatabaseUnavailable } from "@/lib/db-availability";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { processWide } from "@/lib/process-wide";

export const CALL_PATHS = ["gateway", "api", "console"] as const;
export type CallPath = (typeof CALL_PATHS)[number];

export type ToolCallRecord = {
  workspaceId: string;
  userId: string;
  userEmail: string;
  providerId: string;
  providerName: string;
  tool: string;
  via: CallPath;
  /** "ok", "tool_error" (the tool answered isError), or the error code the caller saw. */
  outcome: string;
  durationMs: number;
  /** The identity mode the call carried; "off" when the provider's own credentials were used. */
  identity: string;
  requestId: string;
};

const TOOL_MAX = 200;

// Records are written in batches, off the call's path: at most FLUSH_MS after the call, or at once
// when BATCH_MAX are waiting.
const FLUSH_MS = 250;
const BATCH_MAX = 200;
// A batch the database couldn't take because it was away is kept (the newest KEEP_MAX records) and
// tried again every RETRY_MS until it is written: calls answered as the database went away happened.
const KEEP_MAX = 10_000;
const RETRY_MS = 2_000;
type Row = ToolCallRecord & { id: string; createdAt: Date };
const waiting = processWide("tool-call-records", () => ({
  rows: [] as Row[],
  timer: undefined as NodeJS.Timeout | undefined,
  flushing: Promise.resolve(),
  kept: [] as Row[],
  retry: undefined as NodeJS.Timeout | undefined,
}));

/** Writes rows; kept rows may have been written by an attempt whose answer was lost, so those already there are left out. */
async function writeRows(rows: Row[], kept: number) {
  const retried = new Set(rows.slice(0, kept).map((row) => row.id));
  const written = retried.size > 0 ? await db().toolCall.findMany({ where: { id: { in: [...retried] } }, select: { id: true } }) : [];
  const present = new Set(written.map((row) => row.id));
  await insertRows(present.size > 0 ? rows.filter((row) => !present.has(row.id)) : rows);
}

const COLUMNS = ["id", "workspace_id", "user_id", "user_email", "provider_id", "provider_name", "tool", "via", "outcome", "duration_ms", "identity", "request_id", "created_at"];
const ROW_PLACEHOLDERS = `(${COLUMNS.map(() => "?").join(", ")})`;

// One INSERT of many rows: Prisma's createMany spends about a quarter of a millisecond of CPU per
// row here, a tenth of that as plain SQL — and every call through the gateway is a row
// (docs/performance.md, section c).
async function insertRows(rows: Row[]) {
  if (rows.length === 0) return;
  const values = rows.flatMap((row) => [row.id, row.workspaceId, row.userId, row.userEmail, row.providerId, row.providerName, row.tool, row.via, row.outcome, row.durationMs, row.identity, row.requestId, row.createdAt]);
  await executeRaw(`INSERT INTO tool_calls (${COLUMNS.join(", ")}) VALUES ${rows.map(() => ROW_PLACEHOLDERS).join(", ")}`, ...values);
}

function keep(rows: Row[], fresh: number, error: unknown) {
  waiting.kept = rows;
  const dropped = Math.max(0, waiting.kept.length - KEEP_MAX);
  if (dropped > 0) waiting.kept = waiting.kept.slice(dropped);
  if (fresh > 0 || dropped > 0) {
    log.warn({ err: error, kept: fresh, waiting: waiting.kept.length, dropped }, "the database is away: tool calls are kept to be recorded when it is back");
  }
  waiting.retry ??= setTimeout(() => {
    waiting.retry = undefined;
    waiting.flushing = waiting.flushing.then(flush);
  }, RETRY_MS).unref();
}

async function flush() {
  clearTimeout(waiting.timer);
  waiting.timer = undefined;
  const kept = waiting.kept.length;
  const rows = [...waiting.kept.splice(0), ...waiting.rows.splice(0)];
  if (rows.length === 0) return;
  try {
    await writeRows(rows, kept);
    if (kept > 0) log.warn({ written: kept }, "tool calls kept while the database was away are recorded");
  } catch (error) {
    if (isDatabaseUnavailable(error)) keep(rows, rows.length - kept, error);
    else log.warn({ err: error, count: rows.length, requestIds: rows.slice(0, 5).map((row) => row.requestId) }, "tool calls could not be recorded in the activity log");
  }
}

/**
 * Records a call without holding up its answer. A record that can't be written is logged, never
 * turned into a failed call: the call itself has happened.
 */
export function recordToolCall(record: ToolCallRecord) {
  waiting.rows.push({ id: randomUUID(), ...record, tool: record.tool.slice(0, TOOL_MAX), durationMs: Math.max(0, Math.round(record.durationMs)), createdAt: new Date() });
  if (waiting.rows.length >= BATCH_MAX) waiting.flushing = waiting.flushing.then(flush);
  else waiting.timer ??= setTimeout(() => { waiting.flushing = waiting.flushing.then(flush); }, FLUSH_MS);
}

/** Writes what is waiting now, kept records too (tests, and a clean shutdown). */
export async function flushToolCalls() {
  waiting.flushing = waiting.flushing.then(flush);
  await waiting.flushing;
}

export const toolCallSchema = z.object({
  id: z.uuid(),
  at: z.iso.datetime(),
  user: userRefSchema,
  provider: z.object({ id: z.string(), name: z.string() }),
  tool: z.string(),
  via: z.enum(CALL_PATHS).describe('"gateway": an MCP client through /mcp; "api": the REST API with a token; "console": Try it'),
  outcome: z.string().describe('"ok", "tool_error" (the tool reported an error), or the error code the caller got'),
  duration_ms: z.int(),
  identity: z.string().describe('The identity mode the call carried; "off": the provider\'s own credentials'),
  request_id: z.string(),
});
export type ToolCall = z.infer<typeof toolCallSchema>;

export async function listToolCalls(options: {
  workspaceId: string;
  limit: number;
  cursor?: string;
  userId?: string;
  providerId?: string;
  outcome?: string;
}): Promise<{ data: ToolCall[]; next_cursor: string | null }> {
  const paging = newestFirstPage(options);
  const { rows: page, next_cursor } = paging.cut(await db().toolCall.findMany({
    where: {
      workspaceId: options.workspaceId,
      ...(options.userId ? { userId: options.userId } : {}),
      ...(options.providerId ? { providerId: options.providerId } : {}),
      ...(options.outcome === "error" ? { outcome: { notIn: ["ok"] } } : options.outcome ? { outcome: options.outcome } : {}),
      ...paging.where,
    },
    orderBy: paging.orderBy,
    take: paging.take,
  }));
  return {
    data: page.map((row) => ({
      id: row.id,
      at: row.createdAt.toISOString(),
      user: { id: row.userId, email: row.userEmail },
      provider: { id: row.providerId, name: row.providerName },
      tool: row.tool,
      via: z.enum(CALL_PATHS).catch("api").parse(row.via),
      outcome: row.outcome,
      duration_ms: row.durationMs,
      identity: row.identity,
      request_id: row.requestId,
    })),
    next_cursor,
  };
}

/** Deletes the calls older than the retention; returns how many. */
export async function pruneToolCalls(now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - env().TOOL_CALL_RETENTION_DAYS * 24 * 60 * 60_000);
  const { count } = await db().toolCall.deleteMany({ where: { createdAt: { lt: cutoff } } });
  return count;
}
