// The activity log's hash chain, as data: how a record is written down to be hashed (a canonical,
// versioned serialization of every stored field), the hash that links it to the record before it,
// and what the console signs (a chain's head, retention's checkpoints). Pure: the store
// (lib/activity/chain-store.ts), the verifier, the export and a SIEM all hash the same way —
// docs/activity-log.md says how to do it without this code.
import { createHash } from "node:crypto";

/** The version of the serialization below that new records are written with; stored on every record (hash_version). */
export const HASH_VERSION = 2;
/** Every version a record may have been written with: each still verifies as it was written. */
export const HASH_VERSIONS: readonly number[] = [1, 2];
/** What the first record of every workspace chains from. */
export const GENESIS_HASH = "0".repeat(64);

/** Every stored field of a record, as the hash covers it. */
export type ChainedRecord = {
  id: string;
  workspaceId: string;
  seq: number;
  createdAt: Date;
  userId: string;
  userEmail: string;
  providerId: string;
  providerName: string;
  tool: string;
  via: string;
  outcome: string;
  durationMs: number;
  identity: string;
  requestId: string;
  /** JSON text as stored, or null when not recorded. */
  arguments: string | null;
  result: string | null;
  /** How a call of an ask tool was confirmed ("approved:elicitation", …), or null. Version 2 on. */
  approval: string | null;
};

/**
 * Version 1: a JSON array of the fields in this order (strings as JSON strings, numbers as JSON
 * numbers, the time as an ISO 8601 UTC string with milliseconds, absent values as null), ending
 * with the previous record's hash. JSON.stringify of an array has one spelling: no spaces, no keys
 * to order. Version 2: the same with the approval after the result.
 */
export function canonicalRecord(record: ChainedRecord, prevHash: string, version = HASH_VERSION): string {
  return JSON.stringify([
    "mcp-console/tool-call",
    version,
    record.workspaceId,
    record.seq,
    record.id,
    record.createdAt.toISOString(),
    record.userId,
    record.userEmail,
    record.providerId,
    record.providerName,
    record.tool,
    record.via,
    record.outcome,
    record.durationMs,
    record.identity,
    record.requestId,
    record.arguments,
    record.result,
    ...(version >= 2 ? [record.approval] : []),
    prevHash,
  ]);
}

/** The record's hash: SHA-256 of its canonical form, lowercase hex. */
export function recordHash(record: ChainedRecord, prevHash: string, version = HASH_VERSION): string {
  return createHash("sha256").update(canonicalRecord(record, prevHash, version)).digest("hex");
}

/** What the head of a workspace's chain says, as signed: its last record's position and hash. */
export function headStatement(workspaceId: string, seq: number, hash: string): string {
  return JSON.stringify(["mcp-console/tool-call-head", 1, workspaceId, seq, hash]);
}

/** What a retention checkpoint says, as signed: records up to `seq` were pruned; the last had `hash`. */
export function checkpointStatement(workspaceId: string, seq: number, hash: string, at: Date): string {
  return JSON.stringify(["mcp-console/tool-call-checkpoint", 1, workspaceId, seq, hash, at.toISOString()]);
}
