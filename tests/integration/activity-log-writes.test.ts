// The activity log's writer: batches of any size reach the table, and a record the database would
// refuse for what it holds costs only itself, never the calls recorded beside it.
import { randomUUID } from "node:crypto";
import { beforeAll, expect, it } from "vitest";
import { flushToolCalls, recordToolCall, type ToolCallRecord } from "@/lib/activity/tool-calls";
import { verifyChain } from "@/lib/activity/verify";
import { db } from "@/lib/db";
import { processWide } from "@/lib/process-wide";
import { registerShutdown } from "@/lib/shutdown";
import { createActor, type Actor } from "./helpers";

let admin: Actor;

beforeAll(async () => {
  admin = await createActor("admin");
});

function record(tool: string, requestId = `activity-${randomUUID()}`): ToolCallRecord {
  return { workspaceId: admin.workspaceId, userId: admin.userId, userEmail: "writer@example.test", providerId: "p", providerName: "P", tool, via: "gateway", outcome: "ok", durationMs: 3, identity: "off", requestId };
}

it("writes a batch of thousands of calls whole (more values than one statement may carry)", async () => {
  const tool = `bulk-${randomUUID()}`;
  for (let i = 0; i < 3000; i++) recordToolCall(record(tool));
  await flushToolCalls();
  expect(await db().toolCall.count({ where: { tool } })).toBe(3000);
});

it("writes the records still waiting for their batch when the server stops (what server.mjs calls on SIGTERM)", async () => {
  registerShutdown();
  const shutDown = processWide<(() => Promise<void>) | undefined>("shutdown", () => undefined);
  const waiting = record("last-call");
  recordToolCall(waiting);
  await shutDown?.();
  expect(await db().toolCall.count({ where: { requestId: waiting.requestId } })).toBe(1);
});

it("records a tool name the database couldn't store as sent (NUL, a lone surrogate), and the calls beside it", async () => {
  const beside = record("echo");
  const odd = record("bad\u0000name\uD800");
  recordToolCall(beside);
  recordToolCall(odd);
  await flushToolCalls();
  const rows = await db().toolCall.findMany({ where: { requestId: { in: [beside.requestId, odd.requestId] } }, select: { requestId: true, tool: true } });
  expect(rows.map((row) => row.tool).sort()).toEqual(["bad\uFFFDname\uFFFD", "echo"]);
  // Both joined the workspace's hash chain, which still fits.
  expect(await verifyChain(admin.workspaceId)).toMatchObject({ ok: true, break: null });
});
