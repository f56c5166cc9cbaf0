// Retention: records older than TOOL_CALL_RETENTION_DAYS go, and the chain stays checkable. Each
// workspace is cut at the front of its chain, a bounded batch at a time: what is about to go is
// verified first (evidence that doesn't verify is kept, and said so), then deleted, and a signed
// checkpoint — the last pruned record's position and hash — is where verification starts from.
import "server-only";
import { checkpointStatement, GENESIS_HASH } from "@/lib/activity/chain";
import { chainSigner } from "@/lib/activity/chain-store";
import { verifyChain } from "@/lib/activity/verify";
import { db, isPostgres, rawSql, type DbTransaction } from "@/lib/db";
import { env } from "@/lib/env";
import { log } from "@/lib/log";

/** The most records one prune transaction removes from a workspace. */
const PRUNE_BATCH = 10_000;

function signedCheckpoint(workspaceId: string, seq: number, hash: string, at: Date) {
  return { seq, hash, at, signature: chainSigner().sign(checkpointStatement(workspaceId, seq, hash, at)) };
}

/** The workspace's checkpoint, locked until the transaction ends, so one instance prunes a workspace at a time. */
async function lockCheckpoint(tx: DbTransaction, workspaceId: string, now: Date): Promise<number> {
  const sql = rawSql(tx);
  const genesis = signedCheckpoint(workspaceId, 0, GENESIS_HASH, now);
  await sql.execute("INSERT INTO tool_call_checkpoints (workspace_id, seq, hash, signature, created_at) VALUES (?, 0, ?, ?, ?) ON CONFLICT (workspace_id) DO NOTHING", workspaceId, genesis.hash, genesis.signature, now);
  const [row] = await sql.query<{ seq: bigint | number | string }>(`SELECT seq FROM tool_call_checkpoints WHERE workspace_id = ?${isPostgres() ? " FOR UPDATE" : ""}`, workspaceId);
  return Number(row.seq);
}

/** One batch: returns how many records went, 0 when none are due, or undefined when what is due doesn't verify. */
async function pruneBatch(tx: DbTransaction, workspaceId: string, cutoff: Date, now: Date): Promise<number | undefined> {
  const from = await lockCheckpoint(tx, workspaceId, now);
  // The chain is cut before its first record that is still young: positions are in the order
  // records were chained, which instances' clocks may have made slightly different from time order.
  const young = await tx.toolCall.findFirst({ where: { workspaceId, seq: { gt: from }, createdAt: { gte: cutoff } }, orderBy: { seq: "asc" }, select: { seq: true } });
  const last = young ? null : await tx.toolCall.findFirst({ where: { workspaceId, seq: { gt: from } }, orderBy: { seq: "desc" }, select: { seq: true } });
  const end = young ? Number(young.seq) - 1 : last ? Number(last.seq) : from;
  const cut = Math.min(end, from + PRUNE_BATCH);
  if (cut <= from) return 0;
  const verification = await verifyChain(workspaceId, { to: cut }, tx);
  if (!verification.ok) {
    log.error({ workspaceId, break: verification.break }, "activity records past their retention don't verify: they are kept as evidence; run npm run audit:verify");
    return undefined;
  }
  const lastPruned = await tx.toolCall.findUniqueOrThrow({ where: { workspaceId_seq: { workspaceId, seq: cut } }, select: { hash: true } });
  const { count } = await tx.toolCall.deleteMany({ where: { workspaceId, seq: { gt: from, lte: cut } } });
  const checkpoint = signedCheckpoint(workspaceId, cut, lastPruned.hash ?? "", now);
  await tx.toolCallCheckpoint.update({ where: { workspaceId }, data: { seq: checkpoint.seq, hash: checkpoint.hash, signature: checkpoint.signature, createdAt: checkpoint.at } });
  return count;
}

async function pruneWorkspace(workspaceId: string, cutoff: Date, now: Date): Promise<number> {
  let total = 0;
  for (;;) {
    const count = await db().$transaction((tx) => pruneBatch(tx, workspaceId, cutoff, now), { timeout: 120_000, maxWait: 30_000 });
    if (!count) return total;
    total += count;
  }
}

/** Deletes the calls older than the retention, leaving a signed checkpoint where each chain is cut; returns how many. */
export async function pruneToolCalls(now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - env().TOOL_CALL_RETENTION_DAYS * 24 * 60 * 60_000);
  const due = await db().toolCall.groupBy({ by: ["workspaceId"], where: { createdAt: { lt: cutoff }, seq: { not: null } } });
  let total = 0;
  for (const { workspaceId } of due) total += await pruneWorkspace(workspaceId, cutoff, now);
  // Records an earlier version wrote and nothing chained: outside the chain, they go by age alone.
  const { count } = await db().toolCall.deleteMany({ where: { createdAt: { lt: cutoff }, seq: null } });
  return total + count;
}
