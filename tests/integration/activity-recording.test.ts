// Arguments and results stay out of the activity log unless an admin turns recording on for the
// provider (merge-patch, field by field); then the REST API / Try it path and the gateway relay keep
// them with credential-looking values redacted (the logs' list) and the chain still verifies.
// Against our conformance MCP server, whose json_schema_2020_12_tool echoes what it was sent.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flushToolCalls } from "@/lib/activity/tool-calls";
import { RECORDED_MAX_CHARS } from "@/lib/activity/recording";
import { backgroundTasksSettled } from "@/lib/background";
import { db } from "@/lib/db";
import { closeWarmSessionsForTests } from "@/lib/mcp/client";
import { startConformanceServer, type ConformanceServer } from "../../e2e/support/conformance-server";
import { call, createActor, uniqueProvider, type Actor } from "./helpers";
import { connectV1 } from "./relay-fixture";

const TOOL = "json_schema_2020_12_tool";
const SECRET = "sk-live-0123456789abcdefghijkl";
const ARGS = { name: "Ada", email: "ada@example.test", phone: SECRET };

let server: ConformanceServer;
let admin: Actor & { email: string };
let member: Actor & { email: string };
let providerId: string;
let identifier: string;

beforeAll(async () => {
  server = await startConformanceServer();
  admin = await createActor("admin");
  member = await createActor("member", admin.workspaceId);
  const input = uniqueProvider({ server_url: server.url });
  const created = await call(admin, "POST /api/v1/mcp-providers", { body: input });
  expect(created.status, created.text).toBe(201);
  providerId = created.json.id;
  identifier = input.server_identifier;
  await backgroundTasksSettled();
}, 60_000);

afterAll(async () => {
  closeWarmSessionsForTests();
  await server.stop();
});

async function callThroughApi(actor: Actor, args: Record<string, unknown> = ARGS) {
  const res = await call(actor, "POST /api/v1/mcp-providers/{id}/tools/{tool}/call", { params: { id: providerId, tool: TOOL }, body: { arguments: args } });
  expect(res.status, res.text).toBe(200);
  await flushToolCalls();
  return db().toolCall.findFirstOrThrow({ where: { providerId, userId: actor.userId }, orderBy: { seq: "desc" } });
}

async function callThroughGateway(actor: Actor) {
  const client = await connectV1(`/mcp/${identifier}`, actor.token ?? "");
  try {
    await client.callTool({ name: TOOL, arguments: ARGS });
  } finally {
    await client.close();
  }
  await flushToolCalls();
  return db().toolCall.findFirstOrThrow({ where: { providerId, userId: actor.userId, via: "gateway" }, orderBy: { seq: "desc" } });
}

describe("recording arguments and results", () => {
  it("is off by default: a call records who, what and how it ended, nothing of what was sent or answered", async () => {
    const provider = await call(admin, "GET /api/v1/mcp-providers/{id}", { params: { id: providerId } });
    expect(provider.json.activity_recording).toEqual({ arguments: false, results: false });
    const record = await callThroughApi(member);
    expect(record).toMatchObject({ outcome: "ok", arguments: null, result: null });
  });

  it("keeps what an admin turns on, redacted, on the REST path and through the gateway relay; the chain still verifies", async () => {
    // Members can't turn it on.
    expect((await call(member, "PATCH /api/v1/mcp-providers/{id}", { params: { id: providerId }, body: { activity_recording: { arguments: true } } })).status).toBe(403);
    const onlyArguments = await call(admin, "PATCH /api/v1/mcp-providers/{id}", { params: { id: providerId }, body: { activity_recording: { arguments: true } } });
    expect(onlyArguments.json.activity_recording).toEqual({ arguments: true, results: false });
    const first = await callThroughApi(member);
    expect(JSON.parse(first.arguments ?? "null")).toEqual({ ...ARGS, phone: "[redacted]" });
    expect(first.result).toBeNull();

    // Merge-patch: turning results on leaves arguments on.
    const both = await call(admin, "PATCH /api/v1/mcp-providers/{id}", { params: { id: providerId }, body: { activity_recording: { results: true } } });
    expect(both.json.activity_recording).toEqual({ arguments: true, results: true });
    for (const record of [await callThroughApi(member), await callThroughGateway(member)]) {
      expect(JSON.parse(record.arguments ?? "null")).toEqual({ ...ARGS, phone: "[redacted]" });
      // The server echoed the arguments in its text: the key in it is redacted there too.
      expect(record.result).toContain("Received");
      expect(record.result).toContain("Ada");
      expect(record.result).toContain("[redacted]");
      expect(`${record.arguments}${record.result}`).not.toContain(SECRET);
    }
    const exported = await call(admin, "GET /api/v1/tool-calls/export", { query: { provider: providerId } });
    expect(exported.json.some((line) => line.arguments?.includes("[redacted]"))).toBe(true);
    expect(exported.text).not.toContain(SECRET);
    const verified = await call(admin, "GET /api/v1/tool-calls/verify");
    expect(verified.json).toMatchObject({ ok: true });

    // Off again: nothing more is kept.
    await call(admin, "PATCH /api/v1/mcp-providers/{id}", { params: { id: providerId }, body: { activity_recording: { arguments: false, results: false } } });
    expect(await callThroughGateway(member)).toMatchObject({ arguments: null, result: null });
  });

  it("caps what it keeps", async () => {
    await call(admin, "PATCH /api/v1/mcp-providers/{id}", { params: { id: providerId }, body: { activity_recording: { arguments: true } } });
    const record = await callThroughApi(member, { ...ARGS, name: "A".repeat(RECORDED_MAX_CHARS * 2) });
    expect(record.arguments?.length).toBeLessThanOrEqual(RECORDED_MAX_CHARS);
    expect(JSON.parse(record.arguments ?? "null")).toMatchObject({ truncated: true });
  });
});
