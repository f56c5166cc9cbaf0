// The activity log is tamper-evident: each workspace's records form a hash chain from a genesis
// value, written by instances at once without forking it, checked by GET /api/v1/tool-calls/verify
// and `npm run audit:verify`, which name the first record that doesn't fit; retention cuts the chain
// at a signed checkpoint, and the JSON Lines export carries what a SIEM needs to check it too.
import { execFile, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import type { ToolCall } from "@/generated/sqlite/client";
import { GENESIS_HASH, HASH_VERSION, headStatement, recordHash, type ChainedRecord } from "@/lib/activity/chain";
import { appendRecords, chainLegacyRecords, chainSigner, type NewRecord } from "@/lib/activity/chain-store";
import type { ExportLine } from "@/lib/activity/export-line";
import { pruneToolCalls } from "@/lib/activity/retention";
import { db } from "@/lib/db";
import { call, createActor, type Actor } from "./helpers";

const root = path.resolve(import.meta.dirname, "../..");
const tsx = path.join(root, "node_modules/.bin/tsx");
const DAY_MS = 24 * 60 * 60_000;

function newRecord(actor: Actor, index: number, overrides: Partial<NewRecord> = {}): NewRecord {
  return {
    id: randomUUID(),
    workspaceId: actor.workspaceId,
    createdAt: new Date(),
    userId: actor.userId,
    userEmail: "ann@example.test",
    providerId: "provider-a",
    providerName: "Provider A",
    tool: `tool-${index}`,
    via: "gateway",
    outcome: "ok",
    durationMs: index,
    identity: "off",
    requestId: randomUUID(),
    arguments: null,
    result: null,
    approval: null,
    ...overrides,
  };
}

async function rowsOf(workspaceId: string): Promise<ToolCall[]> {
  return db().toolCall.findMany({ where: { workspaceId }, orderBy: { seq: "asc" } });
}

/** A workspace with an admin, a member and `count` chained records. */
async function chainOf(count: number, overrides: (index: number) => Partial<NewRecord> = () => ({})) {
  const admin = await createActor("admin");
  const member = await createActor("member", admin.workspaceId);
  await appendRecords(Array.from({ length: count }, (_, index) => newRecord(admin, index, overrides(index))));
  return { admin, member, rows: await rowsOf(admin.workspaceId) };
}

async function verify(actor: Actor, query: Record<string, string> = {}) {
  const res = await call(actor, "GET /api/v1/tool-calls/verify", { query });
  expect(res.status, res.text).toBe(200);
  return res.json;
}

const asChained = (row: ToolCall): ChainedRecord => ({ ...row, seq: Number(row.seq) });

describe("the chain", () => {
  it("links each workspace's records from the genesis value, batch after batch, and verifies", async () => {
    const { admin, member } = await chainOf(3);
    const other = await chainOf(2);
    await appendRecords([newRecord(admin, 3), newRecord(other.admin, 2), newRecord(admin, 4)]);
    for (const [actor, count] of [[admin, 5], [other.admin, 3]] as const) {
      const rows = await rowsOf(actor.workspaceId);
      expect(rows.map((row) => Number(row.seq))).toEqual(Array.from({ length: count }, (_, index) => index + 1));
      rows.forEach((row, index) => {
        expect(row.prevHash).toBe(index === 0 ? GENESIS_HASH : rows[index - 1].hash);
        expect(row.hash).toBe(recordHash(asChained(row), row.prevHash ?? ""));
      });
      const result = await verify(actor);
      expect(result).toMatchObject({ ok: true, checked: count, from_position: 1, to_position: count, head: { position: count, hash: rows[count - 1].hash }, break: null });
    }
    // Members can't check it (the backend says so, not only the page).
    expect((await call(member, "GET /api/v1/tool-calls/verify")).status).toBe(403);
    expect((await call(member, "GET /api/v1/tool-calls/export")).status).toBe(403);
  });

  it("checks a range of positions, and refuses a range that isn't one", async () => {
    const { admin } = await chainOf(6);
    expect(await verify(admin, { from_position: "3", to_position: "5" })).toMatchObject({ ok: true, checked: 3, from_position: 3, to_position: 5 });
    expect((await call(admin, "GET /api/v1/tool-calls/verify", { query: { from_position: "5", to_position: "2" } })).status).toBe(422);
    expect((await call(admin, "GET /api/v1/tool-calls/verify", { query: { from_position: "first" } })).status).toBe(422);
    expect((await call(admin, "GET /api/v1/tool-calls/verify", { query: { since: "1" } })).status).toBe(422);
  });

  it("chains the records written before the chain existed, oldest first, when the console starts", async () => {
    const admin = await createActor("admin");
    // What the migration leaves: records numbered in time order, a head with no hash yet.
    const legacy = Array.from({ length: 3 }, (_, index) => newRecord(admin, index, { createdAt: new Date(Date.now() - (3 - index) * 1000) }));
    await db().toolCall.createMany({ data: legacy.map((record, index) => ({ ...record, seq: index + 1 })) });
    await db().toolCallChain.create({ data: { workspaceId: admin.workspaceId, seq: 3, hash: null, signature: null } });
    expect(await verify(admin)).toMatchObject({ ok: false, break: { reason: "head" } });
    await chainLegacyRecords();
    await appendRecords([newRecord(admin, 3)]);
    const rows = await rowsOf(admin.workspaceId);
    expect(rows.map((row) => row.tool)).toEqual(["tool-0", "tool-1", "tool-2", "tool-3"]);
    expect(rows[0].prevHash).toBe(GENESIS_HASH);
    expect(await verify(admin)).toMatchObject({ ok: true, checked: 4 });
  });
});

describe("records written with version 1 (before tool policy ask)", () => {
  /** A workspace whose one record was hashed as version 1 was, with the head signed over it. */
  async function versionOneChain() {
    const admin = await createActor("admin");
    const record = newRecord(admin, 0);
    const hash = recordHash({ ...record, seq: 1 }, GENESIS_HASH, 1);
    await db().toolCall.create({ data: { ...record, seq: 1, prevHash: GENESIS_HASH, hash, hashVersion: 1 } });
    await db().toolCallChain.create({ data: { workspaceId: admin.workspaceId, seq: 1, hash, signature: chainSigner().sign(headStatement(admin.workspaceId, 1, hash)) } });
    return { admin, record };
  }

  it("still verify, and an approval put on one afterwards (which version 1 doesn't hash) is caught", async () => {
    const { admin, record } = await versionOneChain();
    expect(await verify(admin)).toMatchObject({ ok: true, checked: 1 });
    await db().toolCall.update({ where: { id: record.id }, data: { approval: "approved:console" } });
    expect(await verify(admin)).toMatchObject({ ok: false, break: { reason: "content", record: { id: record.id } } });
  });
});

describe("tampering is caught, and the first record that doesn't fit is named", () => {
  type Tamper = (rows: ToolCall[], workspaceId: string) => Promise<{ reason: string; named: string | null; detail?: RegExp }>;
  const swapPositions = async (a: ToolCall, b: ToolCall) => {
    await db().toolCall.update({ where: { id: a.id }, data: { seq: -1 } });
    await db().toolCall.update({ where: { id: b.id }, data: { seq: a.seq } });
    await db().toolCall.update({ where: { id: a.id }, data: { seq: b.seq } });
  };
  const cases: [string, Tamper][] = [
    ["a record's content changed", async (rows) => {
      await db().toolCall.update({ where: { id: rows[2].id }, data: { outcome: "tool_error" } });
      return { reason: "content", named: rows[2].id, detail: /changed/ };
    }],
    ["a record's time moved", async (rows) => {
      await db().toolCall.update({ where: { id: rows[1].id }, data: { createdAt: new Date(rows[1].createdAt.getTime() - 60_000) } });
      return { reason: "content", named: rows[1].id };
    }],
    ["a record deleted", async (rows) => {
      await db().toolCall.delete({ where: { id: rows[2].id } });
      return { reason: "link", named: rows[3].id, detail: /position 3 is missing/ };
    }],
    ["a record put in the middle", async (rows, workspaceId) => {
      // Everything from position 3 moves up one (through negative positions: the pair is unique).
      for (const row of rows.slice(2)) await db().toolCall.update({ where: { id: row.id }, data: { seq: -Number(row.seq) - 1 } });
      for (const row of rows.slice(2)) await db().toolCall.update({ where: { id: row.id }, data: { seq: Number(row.seq) + 1 } });
      const forged = newRecord({ workspaceId, userId: rows[0].userId }, 99);
      await db().toolCall.create({ data: { ...forged, seq: 3, prevHash: rows[1].hash, hash: "f".repeat(64), hashVersion: HASH_VERSION } });
      return { reason: "content", named: forged.id };
    }],
    ["a well-formed record added after the signed head", async (rows, workspaceId) => {
      const last = rows[rows.length - 1];
      const forged = { ...newRecord({ workspaceId, userId: last.userId }, 99), seq: Number(last.seq) + 1 };
      await db().toolCall.create({ data: { ...forged, prevHash: last.hash, hash: recordHash(forged, last.hash ?? ""), hashVersion: HASH_VERSION } });
      return { reason: "head", named: forged.id, detail: /after the chain's signed head/ };
    }],
    ["a record put in outside the chain", async (_rows, workspaceId) => {
      const forged = newRecord({ workspaceId, userId: "someone" }, 99);
      await db().toolCall.create({ data: forged });
      return { reason: "unchained", named: forged.id };
    }],
    ["two records swapped", async (rows) => {
      await swapPositions(rows[1], rows[2]);
      return { reason: "content_and_link", named: rows[2].id };
    }],
    ["the newest record deleted", async (rows) => {
      await db().toolCall.delete({ where: { id: rows[rows.length - 1].id } });
      return { reason: "head", named: null, detail: /newest 1 record\(s\) were removed/ };
    }],
    ["the head moved back to cover a deletion", async (rows, workspaceId) => {
      await db().toolCall.delete({ where: { id: rows[rows.length - 1].id } });
      await db().toolCallChain.update({ where: { workspaceId }, data: { seq: rows.length - 1, hash: rows[rows.length - 2].hash } });
      return { reason: "head", named: null, detail: /signature/ };
    }],
  ];

  it.each(cases)("%s", async (_name, tamper) => {
    const { admin, rows } = await chainOf(5);
    expect((await verify(admin)).ok).toBe(true);
    const expected = await tamper(rows, admin.workspaceId);
    const result = await verify(admin);
    expect(result.ok).toBe(false);
    expect(result.break?.reason).toBe(expected.reason);
    expect(result.break?.record?.id ?? null).toBe(expected.named);
    if (expected.named) {
      const named = await db().toolCall.findUniqueOrThrow({ where: { id: expected.named } });
      expect(result.break?.record).toEqual({ id: named.id, at: named.createdAt.toISOString(), position: named.seq === null ? null : Number(named.seq) });
    }
    if (expected.detail) expect(result.break?.detail).toMatch(expected.detail);
  });

  it("npm run audit:verify exits 0 on a chain that fits and 1 on a break, naming the record", async () => {
    const { admin, rows } = await chainOf(4);
    const run = (workspaceId: string) =>
      promisify(execFile)(tsx, ["--conditions=react-server", "scripts/audit-verify.ts", "--workspace", workspaceId], { cwd: root, env: process.env, timeout: 60_000 }).then(
        ({ stdout }) => ({ code: 0, stdout }),
        (error: unknown) => {
          const failed = error as { code?: number; stdout?: string };
          return { code: failed.code, stdout: failed.stdout ?? "" };
        },
      );
    const clean = await run(admin.workspaceId);
    expect(clean).toMatchObject({ code: 0 });
    expect(clean.stdout).toMatch(/^ok .*4 record\(s\)/);
    await db().toolCall.update({ where: { id: rows[1].id }, data: { userEmail: "someone-else@example.test" } });
    const broken = await run(admin.workspaceId);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain(`record ${rows[1].id} at position 2`);
    expect(broken.stdout).toContain("content");
  }, 90_000);
});

describe("instances writing at once", () => {
  it("two processes appending to one workspace make one unbroken chain", async () => {
    const admin = await createActor("admin");
    const startAt = String(Date.now() + 8000);
    const writer = (label: string) =>
      new Promise<number | null>((resolve) => {
        const child = spawn(tsx, ["--conditions=react-server", "tests/support/chain-writer.ts", admin.workspaceId, "30", "10", startAt, label], { cwd: root, env: process.env, stdio: ["ignore", "ignore", "inherit"] });
        child.on("exit", resolve);
      });
    expect(await Promise.all([writer("one"), writer("two")])).toEqual([0, 0]);
    const rows = await rowsOf(admin.workspaceId);
    expect(rows).toHaveLength(600);
    expect(rows.map((row) => Number(row.seq))).toEqual(Array.from({ length: 600 }, (_, index) => index + 1));
    // The two writers' batches interleave (neither waited for the other to finish) yet form one line.
    const changes = rows.filter((row, index) => index > 0 && row.userId !== rows[index - 1].userId).length;
    expect(changes).toBeGreaterThan(1);
    expect(await verify(admin)).toMatchObject({ ok: true, checked: 600 });
  }, 90_000);
});

describe("retention", () => {
  it("cuts the chain at a signed checkpoint from which the rest still verifies; a forged checkpoint is caught", async () => {
    const now = new Date();
    const { admin, rows } = await chainOf(8, (index) => ({ createdAt: new Date(now.getTime() - (index < 5 ? 40 : 1) * DAY_MS) }));
    await pruneToolCalls(now);
    const left = await rowsOf(admin.workspaceId);
    expect(left.map((row) => row.id)).toEqual(rows.slice(5).map((row) => row.id));
    const checkpoint = await db().toolCallCheckpoint.findUniqueOrThrow({ where: { workspaceId: admin.workspaceId } });
    expect({ seq: Number(checkpoint.seq), hash: checkpoint.hash }).toEqual({ seq: 5, hash: rows[4].hash });
    expect(await verify(admin)).toMatchObject({ ok: true, checked: 3, from_position: 6, checkpoint: { position: 5, hash: rows[4].hash } });

    // Someone deletes the next record and moves the checkpoint over it: its signature no longer matches.
    await db().toolCall.delete({ where: { id: rows[5].id } });
    await db().toolCallCheckpoint.update({ where: { workspaceId: admin.workspaceId }, data: { seq: 6, hash: rows[5].hash ?? "" } });
    expect(await verify(admin)).toMatchObject({ ok: false, break: { reason: "checkpoint", record: null } });
  });

  it("keeps records past their retention when they don't verify: the evidence isn't pruned", async () => {
    const now = new Date();
    const { admin, rows } = await chainOf(4, (index) => ({ createdAt: new Date(now.getTime() - (index < 3 ? 40 : 1) * DAY_MS) }));
    await db().toolCall.update({ where: { id: rows[1].id }, data: { outcome: "ok_really" } });
    await pruneToolCalls(now);
    expect(await db().toolCall.count({ where: { workspaceId: admin.workspaceId } })).toBe(4);
    expect(await verify(admin)).toMatchObject({ ok: false, break: { reason: "content", record: { id: rows[1].id } } });
  });
});

describe("the JSON Lines export", () => {
  const lineAsRecord = (line: ExportLine): ChainedRecord => ({
    id: line.id,
    workspaceId: line.workspace_id,
    seq: line.position,
    createdAt: new Date(line.at),
    userId: line.user.id,
    userEmail: line.user.email,
    providerId: line.provider.id,
    providerName: line.provider.name,
    tool: line.tool,
    via: line.via,
    outcome: line.outcome,
    durationMs: line.duration_ms,
    identity: line.identity,
    requestId: line.request_id,
    arguments: line.arguments,
    result: line.result,
    approval: line.approval,
  });

  it("streams every record in chain order with what a SIEM needs to check each hash and link", async () => {
    // More than one page of the stream.
    const { admin } = await chainOf(2300, (index) => ({ providerId: index % 3 === 0 ? "provider-b" : "provider-a", outcome: index % 5 === 0 ? "tool_error" : "ok" }));
    const res = await call(admin, "GET /api/v1/tool-calls/export");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/x-ndjson/);
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="activity-.*\.jsonl"$/);
    const lines = res.json;
    expect(lines).toHaveLength(2300);
    let prev = GENESIS_HASH;
    for (const [index, line] of lines.entries()) {
      expect(line.position).toBe(index + 1);
      expect(line.prev_hash).toBe(prev);
      expect(recordHash(lineAsRecord(line), line.prev_hash)).toBe(line.hash);
      prev = line.hash;
    }
  }, 60_000);

  it("filters by provider, outcome, user and time; each line still checks on its own", async () => {
    const now = Date.now();
    const [providerA, providerB] = [randomUUID(), randomUUID()];
    const { admin } = await chainOf(10, (index) => ({ providerId: index % 2 ? providerB : providerA, createdAt: new Date(now - (10 - index) * 60_000), outcome: index === 3 ? "upstream_error" : "ok" }));
    const lines = async (query: Record<string, string>) => {
      const res = await call(admin, "GET /api/v1/tool-calls/export", { query });
      expect(res.status, res.text).toBe(200);
      for (const line of res.json) expect(recordHash(lineAsRecord(line), line.prev_hash)).toBe(line.hash);
      return res.json.map((line) => line.tool);
    };
    expect(await lines({ provider: providerB })).toEqual(["tool-1", "tool-3", "tool-5", "tool-7", "tool-9"]);
    expect(await lines({ outcome: "error" })).toEqual(["tool-3"]);
    expect(await lines({ from: new Date(now - 5 * 60_000).toISOString(), to: new Date(now - 2 * 60_000).toISOString() })).toEqual(["tool-5", "tool-6", "tool-7"]);
    expect(await lines({ user: randomUUID() })).toEqual([]);
    expect((await call(admin, "GET /api/v1/tool-calls/export", { query: { from: "yesterday" } })).status).toBe(422);
  });
});
