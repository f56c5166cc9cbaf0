// Checking a workspace's activity chain: from the retention checkpoint (or the genesis value) each
// record must sit at the next position, link to the hash of the record before it, and hash to what
// it says; the last must be the signed head. The first record that doesn't fit is named, with
// whether its content or its link is wrong. Read a page at a time: a chain of any length verifies
// in constant memory (`npm run audit:verify`, GET /api/v1/tool-calls/verify).
import "server-only";
import { z } from "zod";
import type { ToolCall } from "@/generated/sqlite/client";
import { checkpointStatement, GENESIS_HASH, HASH_VERSIONS, headStatement, recordHash } from "@/lib/activity/chain";
import { chainedRecordOf, chainSigner, readHead } from "@/lib/activity/chain-store";
import { db, type Reader } from "@/lib/db";

export const BREAK_REASONS = ["content", "link", "content_and_link", "head", "checkpoint", "unchained"] as const;
export type BreakReason = (typeof BREAK_REASONS)[number];

const positionSchema = z.int().min(0);

export const verificationSchema = z.object({
  ok: z.boolean().describe("Every record checked fits the chain"),
  checked: z.int().describe("How many records were checked"),
  from_position: positionSchema.nullable().describe("The first position checked; null when there was nothing to check"),
  to_position: positionSchema.nullable().describe("The last position checked"),
  checkpoint: z
    .object({ position: positionSchema, hash: z.string(), at: z.iso.datetime() })
    .nullable()
    .describe("Where retention last cut the chain: the last pruned record's position and hash; verification starts after it"),
  head: z.object({ position: positionSchema, hash: z.string().nullable() }).nullable().describe("The chain's signed head: its last record's position and hash"),
  break: z
    .object({
      reason: z.enum(BREAK_REASONS).describe('"content": the record isn\'t what was hashed; "link": it doesn\'t follow the record before it (one was removed, put in or moved); "head" / "checkpoint": the signed end or start doesn\'t match; "unchained": a record that isn\'t in the chain'),
      record: z.object({ id: z.string(), at: z.iso.datetime(), position: positionSchema.nullable() }).nullable().describe("The first record that doesn't fit, when there is one"),
      detail: z.string(),
    })
    .nullable(),
});
export type Verification = z.infer<typeof verificationSchema>;
type Break = NonNullable<Verification["break"]>;

const PAGE = 5000;

type Link = { seq: number; hash: string };

function recordRef(row: ToolCall): NonNullable<Break["record"]> {
  return { id: row.id, at: row.createdAt.toISOString(), position: row.seq === null ? null : Number(row.seq) };
}

/** Why `row` doesn't follow `prev`, or undefined when it does. */
function misfit(row: ToolCall, prev: Link): Break | undefined {
  const seq = Number(row.seq);
  const linkOk = seq === prev.seq + 1 && row.prevHash === prev.hash;
  const known = row.hashVersion !== null && HASH_VERSIONS.includes(row.hashVersion);
  // Version 1 was written before calls had approvals and doesn't hash one: any on such a record was put there since.
  const unhashedApproval = row.hashVersion === 1 && row.approval !== null;
  const contentOk = known && !unhashedApproval && row.prevHash !== null && row.hash === recordHash(chainedRecordOf(row), row.prevHash, row.hashVersion ?? undefined);
  if (linkOk && contentOk) return undefined;
  const reason: BreakReason = linkOk ? "content" : contentOk ? "link" : "content_and_link";
  const details: string[] = [];
  if (!contentOk) {
    details.push(!known ? `its hash is of a version this console doesn't know (${row.hashVersion ?? "none"})` : "its content isn't what was hashed when it was written: it was changed");
  }
  if (seq > prev.seq + 1) details.push(`${seq - prev.seq - 1 === 1 ? `the record at position ${prev.seq + 1} is` : `the records at positions ${prev.seq + 1}–${seq - 1} are`} missing`);
  else if (seq !== prev.seq + 1) details.push(`it is at position ${seq} where ${prev.seq + 1} should follow`);
  else if (row.prevHash !== prev.hash) details.push("it doesn't link to the record before it: a record before it was changed, removed or put in");
  return { reason, record: recordRef(row), detail: `${details.join("; ")}.` };
}

type Walk = { prev: Link; checked: number; first: number | null; broke?: Break };

/** Checks rows after `walk.prev`, a page at a time, up to `to`; the next page is read while this one is checked. */
async function walkRows(client: Reader, workspaceId: string, walk: Walk, to: number | undefined) {
  const page = (after: number) =>
    client.toolCall.findMany({ where: { workspaceId, seq: { gt: after, ...(to === undefined ? {} : { lte: to }) } }, orderBy: { seq: "asc" }, take: PAGE });
  let next: Promise<ToolCall[]> | undefined = page(walk.prev.seq);
  while (next) {
    const rows: ToolCall[] = await next;
    // Positions only go up: the page after this one starts after its last row, whatever this one holds.
    next = rows.length === PAGE ? page(Number(rows[rows.length - 1].seq)) : undefined;
    for (const row of rows) {
      const broke = misfit(row, walk.prev);
      if (broke) {
        walk.broke = broke;
        await next?.catch(() => undefined);
        return;
      }
      walk.first ??= Number(row.seq);
      walk.checked++;
      walk.prev = { seq: Number(row.seq), hash: row.hash ?? "" };
    }
  }
}

/** The end of the chain: the last record checked must be the signed head; records appended meanwhile are checked too. */
async function checkHead(client: Reader, workspaceId: string, walk: Walk): Promise<{ head: Verification["head"]; broke?: Break }> {
  for (;;) {
    const head = await readHead(workspaceId, client);
    if (!head) {
      if (walk.checked === 0) return { head: null };
      return { head: null, broke: { reason: "head", record: null, detail: "The workspace has records but no chain head: it was removed outside the console." } };
    }
    const shown = { position: head.seq, hash: head.hash };
    if (head.hash === null) return { head: shown, broke: { reason: "head", record: null, detail: "The chain head lost its hash: it was changed outside the console." } };
    if (!head.signature || !chainSigner().verify(headStatement(workspaceId, head.seq, head.hash), head.signature)) {
      return { head: shown, broke: { reason: "head", record: null, detail: "The chain head's signature doesn't match it: it was changed outside the console." } };
    }
    if (walk.prev.seq > head.seq) {
      const extra = await client.toolCall.findFirst({ where: { workspaceId, seq: { gt: head.seq } }, orderBy: { seq: "asc" } });
      return { head: shown, broke: { reason: "head", record: extra ? recordRef(extra) : null, detail: `This record comes after the chain's signed head (position ${head.seq}): the console didn't write it there.` } };
    }
    if (walk.prev.seq === head.seq) {
      if (walk.prev.hash === head.hash) return { head: shown };
      return { head: shown, broke: { reason: "head", record: null, detail: `The last record (position ${head.seq}) isn't the one the signed head names: it was replaced.` } };
    }
    // Records up to the head were committed with it: what isn't there now was removed.
    const before = walk.prev.seq;
    await walkRows(client, workspaceId, walk, head.seq);
    if (walk.broke) return { head: shown };
    if (walk.prev.seq === before) {
      return { head: shown, broke: { reason: "head", record: null, detail: `The chain ends at position ${before} but its signed head is at ${head.seq}: the newest ${head.seq - before} record(s) were removed.` } };
    }
  }
}

async function verifyOnce(client: Reader, workspaceId: string, range: { from?: number; to?: number }): Promise<Verification> {
  const stored = await client.toolCallCheckpoint.findUnique({ where: { workspaceId } });
  const checkpoint = stored ? { position: Number(stored.seq), hash: stored.hash, at: stored.createdAt.toISOString() } : null;
  const result = (walk: Walk, head: Verification["head"], broke?: Break): Verification => ({
    ok: !broke,
    checked: walk.checked,
    from_position: walk.first,
    to_position: walk.first === null ? null : walk.prev.seq,
    checkpoint,
    head,
    break: broke ?? null,
  });
  const walk: Walk = { prev: checkpoint ? { seq: checkpoint.position, hash: checkpoint.hash } : { seq: 0, hash: GENESIS_HASH }, checked: 0, first: null };
  if (stored && !chainSigner().verify(checkpointStatement(workspaceId, Number(stored.seq), stored.hash, stored.createdAt), stored.signature)) {
    return result(walk, null, { reason: "checkpoint", record: null, detail: `The retention checkpoint at position ${checkpoint?.position} isn't one the console signed: verification can't start from it.` });
  }
  const head = await readHead(workspaceId, client);
  if (head && head.hash === null) {
    return result(walk, { position: head.seq, hash: null }, { reason: "head", record: null, detail: "Records written before the chain existed aren't hashed yet: they are when the console starts." });
  }
  if (range.from !== undefined && range.from - 1 > walk.prev.seq) {
    // A range that starts mid-chain links to the hash the record before it holds (that record itself isn't checked).
    const before = await client.toolCall.findUnique({ where: { workspaceId_seq: { workspaceId, seq: range.from - 1 } } });
    if (!before) return result(walk, null, { reason: "link", record: null, detail: `The record at position ${range.from - 1}, before the range, is missing.` });
    walk.prev = { seq: range.from - 1, hash: before.hash ?? "" };
  }
  await walkRows(client, workspaceId, walk, range.to);
  if (walk.broke) return result(walk, null, walk.broke);
  const reachesHead = range.to === undefined;
  const end = reachesHead ? await checkHead(client, workspaceId, walk) : { head: null };
  if (end.broke ?? walk.broke) return result(walk, end.head, end.broke ?? walk.broke);
  const unchained = await client.toolCall.findFirst({ where: { workspaceId, seq: null }, orderBy: { createdAt: "asc" } });
  if (unchained) return result(walk, end.head, { reason: "unchained", record: recordRef(unchained), detail: "This record isn't in the chain: it was put in outside the console." });
  return result(walk, end.head);
}

/**
 * Verifies a workspace's chain, or the part of it from position `from` to `to`. Retention may cut
 * the chain while this reads it: a break found after the checkpoint moved is checked again from the new one.
 */
export async function verifyChain(workspaceId: string, range: { from?: number; to?: number } = {}, client: Reader = db()): Promise<Verification> {
  for (let attempt = 0; ; attempt++) {
    const verification = await verifyOnce(client, workspaceId, range);
    if (verification.ok || attempt === 2) return verification;
    const checkpoint = await client.toolCallCheckpoint.findUnique({ where: { workspaceId }, select: { seq: true } });
    if ((checkpoint ? Number(checkpoint.seq) : null) === (verification.checkpoint?.position ?? null)) return verification;
  }
}
