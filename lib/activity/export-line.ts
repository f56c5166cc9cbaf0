// One activity record as it leaves the console — a line of the JSON Lines export, the body of its
// OTLP log record: every field its hash covers, its position, and its hash and the previous one, so
// the receiver can recompute each hash (docs/activity-log.md).
import { z } from "zod";
import type { ChainedRecord } from "@/lib/activity/chain";

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

export function exportLineOf(record: ChainedRecord, chain: { hashVersion: number; prevHash: string; hash: string }): ExportLine {
  return {
    id: record.id,
    workspace_id: record.workspaceId,
    position: record.seq,
    at: record.createdAt.toISOString(),
    user: { id: record.userId, email: record.userEmail },
    provider: { id: record.providerId, name: record.providerName },
    tool: record.tool,
    via: record.via,
    outcome: record.outcome,
    duration_ms: record.durationMs,
    identity: record.identity,
    request_id: record.requestId,
    arguments: record.arguments,
    result: record.result,
    approval: record.approval,
    hash_version: chain.hashVersion,
    prev_hash: chain.prevHash,
    hash: chain.hash,
  };
}
