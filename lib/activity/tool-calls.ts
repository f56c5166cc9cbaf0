// The activity log: one row per tool call through any path — the gateway, the REST API, the
// console's Try it — saying who called which tool, how it ended and how long it took; arguments and
// results only where an admin turned recording on for the provider. Rows join their workspace's
// hash chain as they are written (lib/activity/chain-store.ts) and are pruned after
// TOOL_CALL_RETENTION_DAYS (lib/activity/retention.ts).
import "server-only";
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { newestFirstPage } from "@/lib/api/cursor";
import { ApiError } from "@/lib/api/errors";
import { hasRole } from "@/lib/auth/roles";
import { userRefSchema } from "@/lib/api/user-ref";
import { appendRecords, type NewRecord } from "@/lib/activity/chain-store";
import { recordedValue } from "@/lib/activity/recording";
import { db } from "@/lib/db";
import { isDatabaseUnavailable } from "@/lib/db-availability";
import { log } from "@/lib/log";
import { countToolCall } from "@/lib/observability/metrics";
import { processWide } from "@/lib/process-wide";
import { SUCCESSFUL_OUTCOMES } from "@/lib/activity/outcomes";

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
  /** What the provider's activity_recording lets the log keep of the call (lib/activity/recording.ts). */
  recorded?: { arguments?: unknown; result?: unknown };
  /** For a tool whose policy is ask: how the caller was asked and what they decided (lib/policy/ask.ts). */
  approval?: string;
  /** The call's span when tracing is on, for its OTLP log record (not stored). */
  trace?: NewRecord["trace"];
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
type Row = NewRecord;
const waiting = processWide("tool-call-records", () => ({
  rows: [] as Row[],
  timer: undefined as NodeJS.Timeout | undefined,
  flushing: Promise.resolve(),
  kept: [] as Row[],
  retry: undefined as NodeJS.Timeout | undefined,
}));

/**
 * A batch the database refused for what is in it: each record is appended alone, so one bad record
 * loses only itself. Throws if the database goes away meanwhile (`written` says how far it got).
 */
async function appendEachRecord(rows: Row[], retried: ReadonlySet<string>, written: Set<string>) {
  for (const row of rows) {
    await appendRecords([row], { retried, written }).catch((error: unknown) => {
      if (isDatabaseUnavailable(error)) throw error;
      log.warn({ err: error, requestId: row.requestId }, "a tool call could not be recorded in the activity log");
    });
  }
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
  const written = new Set<string>();
  const retried = new Set(rows.slice(0, kept).map((row) => row.id));
  const unwritten = () => rows.filter((row) => !written.has(row.id));
  try {
    await appendRecords(rows, { retried, written });
    if (kept > 0) log.warn({ written: kept }, "tool calls kept while the database was away are recorded");
  } catch (error) {
    if (isDatabaseUnavailable(error)) {
      keep(unwritten(), rows.length - kept, error);
      return;
    }
    log.warn({ err: error, count: unwritten().length }, "a batch of tool calls was refused; recording them one by one");
    await appendEachRecord(unwritten(), retried, written).catch((unavailable: unknown) => { keep(unwritten(), rows.length - kept, unavailable); });
  }
}

/** A caller's text as both databases store it: PostgreSQL refuses NUL and lone surrogates in text. */
function storable(text: string): string {
  return text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]|\0/g, "\uFFFD");
}

/**
 * Records a call without holding up its answer. A record that can't be written is logged, never
 * turned into a failed call: the call itself has happened.
 */
export function recordToolCall(record: ToolCallRecord) {
  countToolCall(record);
  const { recorded, approval, ...fields } = record;
  waiting.rows.push({
    id: randomUUID(),
    ...fields,
    tool: storable(record.tool.slice(0, TOOL_MAX)),
    durationMs: Math.max(0, Math.round(record.durationMs)),
    createdAt: new Date(),
    arguments: recorded && "arguments" in recorded ? recordedValue(recorded.arguments) : null,
    result: recorded && "result" in recorded ? recordedValue(recorded.result) : null,
    approval: approval ?? null,
  });
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
  approval: z.string().nullable().describe('For a tool whose policy is ask: how the caller was asked and what they decided, "<approved|declined|timed_out|cancelled>:<elicitation|console>"; null when not asked'),
  position: z.int().nullable().describe("The record's place in the workspace's hash chain (see GET /api/v1/tool-calls/verify)"),
});
export type ToolCall = z.infer<typeof toolCallSchema>;

/** Whose calls a caller may read: an admin anyone's (or the whole workspace's), a member only their own. */
export function readableUserId(caller: { role: string; userId: string }, asked: string | undefined): string | undefined {
  if (hasRole(caller.role, "admin")) return asked;
  if (asked && asked !== caller.userId) throw new ApiError("forbidden", "Members see only their own tool calls");
  return caller.userId;
}

export type ToolCallFilter = { workspaceId: string; userId?: string; providerId?: string; outcome?: string; from?: Date; to?: Date };

/** The rows a filter selects: a workspace's, by user, provider, outcome ("error": anything but ok) and time. */
export function toolCallWhere(filter: ToolCallFilter) {
  return {
    workspaceId: filter.workspaceId,
    ...(filter.userId ? { userId: filter.userId } : {}),
    ...(filter.providerId ? { providerId: filter.providerId } : {}),
    ...(filter.outcome === "error" ? { outcome: { notIn: [...SUCCESSFUL_OUTCOMES] } } : filter.outcome ? { outcome: filter.outcome } : {}),
    ...(filter.from || filter.to ? { createdAt: { ...(filter.from ? { gte: filter.from } : {}), ...(filter.to ? { lt: filter.to } : {}) } } : {}),
  };
}

export async function listToolCalls(options: ToolCallFilter & { limit: number; cursor?: string }): Promise<{ data: ToolCall[]; next_cursor: string | null }> {
  const paging = newestFirstPage(options);
  const { rows: page, next_cursor } = paging.cut(await db().toolCall.findMany({
    where: { ...toolCallWhere(options), ...paging.where },
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
      approval: row.approval,
      position: row.seq === null ? null : Number(row.seq),
    })),
    next_cursor,
  };
}
