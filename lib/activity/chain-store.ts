// Appending to a workspace's activity chain, and reading it back. Each batch of a workspace's
// records is one transaction that locks the workspace's chain head (tool_call_chains; SELECT … FOR
// UPDATE on PostgreSQL, the database's single writer on SQLite), numbers and hashes the records
// after it, inserts them in one statement and moves the head — so instances writing at once still
// make one line, and a batch costs one transaction, not one per record.
import "server-only";
import type { ToolCall } from "@/generated/sqlite/client";
import { GENESIS_HASH, HASH_VERSION, headStatement, recordHash, type ChainedRecord } from "@/lib/activity/chain";
import { signerFollowing } from "@/lib/crypto";
import { db, isPostgres, rawSql, type Db, type DbTransaction, type Reader, type SqlParam } from "@/lib/db";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { exportActivityRecords, type CommittedRecord } from "@/lib/observability/otlp-logs";

/** A record on its way into the chain: everything but its position (and its call's span, which is not stored: lib/observability/otlp-logs.ts sends it). */
export type NewRecord = Omit<ChainedRecord, "seq"> & Pick<CommittedRecord, "trace">;

/** Where a workspace's chain ends: its last record's position and hash (position 0 and the genesis value before the first). */
export type ChainEnd = { seq: number; hash: string };

/** Signs what the console vouches for in the chain: heads and retention checkpoints. */
export const chainSigner = signerFollowing(() => env().encryptionKey, "activity-chain");

/** A stored row as the hash covers it. */
export function chainedRecordOf(row: ToolCall): ChainedRecord {
  return {
    id: row.id,
    workspaceId: row.workspaceId,
    seq: Number(row.seq),
    createdAt: row.createdAt,
    userId: row.userId,
    userEmail: row.userEmail,
    providerId: row.providerId,
    providerName: row.providerName,
    tool: row.tool,
    via: row.via,
    outcome: row.outcome,
    durationMs: row.durationMs,
    identity: row.identity,
    requestId: row.requestId,
    arguments: row.arguments,
    result: row.result,
    approval: row.approval,
  };
}

const COLUMNS = ["id", "workspace_id", "user_id", "user_email", "provider_id", "provider_name", "tool", "via", "outcome", "duration_ms", "identity", "request_id", "created_at", "arguments", "result", "approval", "seq", "prev_hash", "hash", "hash_version"];
const ROW_PLACEHOLDERS = `(${COLUMNS.map(() => "?").join(", ")})`;
// Well inside both databases' limits on parameters per statement.
const ROWS_PER_INSERT = 500;

function columnsOf(record: ChainedRecord, prevHash: string, hash: string): SqlParam[] {
  return [record.id, record.workspaceId, record.userId, record.userEmail, record.providerId, record.providerName, record.tool, record.via, record.outcome, record.durationMs, record.identity, record.requestId, record.createdAt, record.arguments, record.result, record.approval, record.seq, prevHash, hash, HASH_VERSION];
}

type HeadRow = { seq: bigint | number | string; hash: string | null };

/**
 * The workspace's head, locked until the transaction ends; made at the genesis value for a
 * workspace's first record. The INSERT comes first so that on SQLite the transaction holds the
 * write lock before it reads (a read first could not be upgraded once another writer committed).
 */
async function lockHead(tx: DbTransaction, workspaceId: string): Promise<ChainEnd> {
  const sql = rawSql(tx);
  await sql.execute("INSERT INTO tool_call_chains (workspace_id, seq, hash, signature) VALUES (?, 0, ?, ?) ON CONFLICT (workspace_id) DO NOTHING", workspaceId, GENESIS_HASH, chainSigner().sign(headStatement(workspaceId, 0, GENESIS_HASH)));
  const [head] = await sql.query<HeadRow>(`SELECT seq, hash FROM tool_call_chains WHERE workspace_id = ?${isPostgres() ? " FOR UPDATE" : ""}`, workspaceId);
  const seq = Number(head.seq);
  const hash = head.hash ?? (await hashLegacyRecords(tx, workspaceId, seq));
  return { seq, hash };
}

async function moveHead(tx: DbTransaction, workspaceId: string, seq: number, hash: string) {
  await rawSql(tx).execute("UPDATE tool_call_chains SET seq = ?, hash = ?, signature = ? WHERE workspace_id = ?", seq, hash, chainSigner().sign(headStatement(workspaceId, seq, hash)), workspaceId);
}

const LEGACY_PAGE = 1000;

/**
 * Records written before the chain existed were numbered by the migration that brought it (SQL
 * can't hash them the same way on both databases); they are hashed here, oldest first, from the
 * genesis value, before anything is appended after them.
 */
async function hashLegacyRecords(tx: DbTransaction, workspaceId: string, upTo: number): Promise<string> {
  let prevHash = GENESIS_HASH;
  let after = 0;
  for (;;) {
    const rows = await tx.toolCall.findMany({ where: { workspaceId, seq: { gt: after, lte: upTo } }, orderBy: { seq: "asc" }, take: LEGACY_PAGE });
    if (rows.length === 0) break;
    const values: SqlParam[] = [];
    for (const row of rows) {
      const hash = recordHash(chainedRecordOf(row), prevHash);
      values.push(row.id, prevHash, hash);
      prevHash = hash;
    }
    await rawSql(tx).execute(
      `WITH v(id, prev_hash, hash) AS (VALUES ${rows.map(() => "(?, ?, ?)").join(", ")}) UPDATE tool_calls SET prev_hash = v.prev_hash, hash = v.hash, hash_version = ${HASH_VERSION} FROM v WHERE tool_calls.id = v.id`,
      ...values,
    );
    after = Number(rows[rows.length - 1].seq);
  }
  await moveHead(tx, workspaceId, upTo, prevHash);
  log.info({ workspaceId, records: upTo }, "the activity records written before the hash chain are now chained");
  return prevHash;
}

/** Hashes what the migration numbered, for every workspace: at start-up, before the first append. */
export async function chainLegacyRecords(client: Db = db()): Promise<number> {
  const pending = await client.toolCallChain.findMany({ where: { hash: null }, select: { workspaceId: true } });
  for (const { workspaceId } of pending) {
    await client.$transaction((tx) => lockHead(tx, workspaceId), { timeout: 10 * 60_000, maxWait: 60_000 });
  }
  return pending.length;
}

function groupByWorkspace(records: NewRecord[]): Map<string, NewRecord[]> {
  const groups = new Map<string, NewRecord[]>();
  for (const record of records) {
    const group = groups.get(record.workspaceId);
    if (group) group.push(record);
    else groups.set(record.workspaceId, [record]);
  }
  return groups;
}

async function appendToWorkspace(tx: DbTransaction, workspaceId: string, records: NewRecord[], retried: ReadonlySet<string>): Promise<CommittedRecord[]> {
  const head = await lockHead(tx, workspaceId);
  let fresh = records;
  // A record tried before may have been written by an attempt whose answer was lost: it is in the chain already.
  const tried = records.filter((record) => retried.has(record.id)).map((record) => record.id);
  if (tried.length > 0) {
    const present = new Set((await tx.toolCall.findMany({ where: { id: { in: tried } }, select: { id: true } })).map((row) => row.id));
    fresh = records.filter((record) => !present.has(record.id));
  }
  if (fresh.length === 0) return [];
  let { seq, hash } = head;
  const sql = rawSql(tx);
  const committed: CommittedRecord[] = [];
  for (let start = 0; start < fresh.length; start += ROWS_PER_INSERT) {
    const chunk = fresh.slice(start, start + ROWS_PER_INSERT);
    const values: SqlParam[] = [];
    for (const { trace, ...record } of chunk) {
      const chained = { ...record, seq: ++seq };
      const next = recordHash(chained, hash);
      values.push(...columnsOf(chained, hash, next));
      committed.push({ record: chained, prevHash: hash, hash: next, trace });
      hash = next;
    }
    await sql.execute(`INSERT INTO tool_calls (${COLUMNS.join(", ")}) VALUES ${chunk.map(() => ROW_PLACEHOLDERS).join(", ")}`, ...values);
  }
  await moveHead(tx, workspaceId, seq, hash);
  return committed;
}

/**
 * Appends records to their workspaces' chains: one transaction per workspace. `retried` names
 * records an earlier attempt may have written. Throws on the first workspace that fails, saying
 * which records are written by then (the caller keeps the rest).
 */
export async function appendRecords(records: NewRecord[], options: { retried?: ReadonlySet<string>; written?: Set<string> } = {}) {
  for (const [workspaceId, group] of groupByWorkspace(records)) {
    const committed = await db().$transaction((tx) => appendToWorkspace(tx, workspaceId, group, options.retried ?? new Set()), { timeout: 30_000, maxWait: 15_000 });
    for (const record of group) options.written?.add(record.id);
    exportActivityRecords(committed);
  }
}

/** The workspace's chain head as stored (a null hash: records from before the chain not hashed yet), or undefined before its first record. */
export async function readHead(workspaceId: string, client: Reader = db()): Promise<{ seq: number; hash: string | null; signature: string | null } | undefined> {
  const head = await client.toolCallChain.findUnique({ where: { workspaceId } });
  return head ? { seq: Number(head.seq), hash: head.hash, signature: head.signature } : undefined;
}
