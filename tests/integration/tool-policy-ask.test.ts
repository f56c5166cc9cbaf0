// Tool policy `ask`, with real clients and a real server behind a recording proxy: a call waits for
// its caller — asked in their MCP client when it answers elicitations (2025-11-25 on the call's
// stream, 2026-07-28 as an input_required round trip), else in the console — and runs only once
// confirmed. A declined, dismissed or unanswered call never reaches the server; every decision is
// on the call's activity record.
import { Client as ClientV2 } from "@modelcontextprotocol/client";
import { ElicitRequestSchema, type CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { backgroundTasksSettled } from "@/lib/background";
import { resetEnvForTests } from "@/lib/env";
import { closeWarmSessionsForTests } from "@/lib/mcp/client";
import { startConformanceServer, type ConformanceServer } from "../../e2e/support/conformance-server";
import { startRecordingProxy } from "../../e2e/support/recording-proxy";
import { call, createActor, type Actor } from "./helpers";
import { activity, connectV1, connectV2, MODERN } from "./relay-fixture";

let server: ConformanceServer;
let proxy: Awaited<ReturnType<typeof startRecordingProxy>>;
let admin: Actor & { email: string };
let member: Actor & { email: string };
let other: Actor & { email: string };
let providerId: string;
const PATH = "/mcp/asks";
const TIMEOUT_S = 6;
const closing: { close(): Promise<void> }[] = [];
const keep = <T extends { close(): Promise<void> }>(client: T) => {
  closing.push(client);
  return client;
};
const textOf = (result: unknown) => ((result as CallToolResult).content[0] as { text: string }).text;
const upstreamCalls = () => proxy.requests.filter((request) => request.rpc.includes("tools/call")).length;

/** The member's approvals waiting in the console, once `count` are there. */
async function pendingApprovals(actor: Actor, count = 1) {
  for (let i = 0; i < 200; i++) {
    const listed = await call(actor, "GET /api/v1/approvals");
    if (listed.json.pending.length >= count) return listed.json.pending;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error("no approval appeared in the console");
}

beforeAll(async () => {
  process.env.TOOL_APPROVAL_TIMEOUT_SECONDS = String(TIMEOUT_S);
  resetEnvForTests();
  server = await startConformanceServer();
  proxy = await startRecordingProxy(server.url);
  admin = await createActor("admin");
  member = await createActor("member", admin.workspaceId);
  other = await createActor("member", admin.workspaceId);
  const created = await call(admin, "POST /api/v1/mcp-providers", { body: { name: "Asks", server_identifier: "asks", server_url: proxy.url } });
  expect(created.status, created.text).toBe(201);
  providerId = created.json.id;
  await backgroundTasksSettled();
  const patched = await call(admin, "PATCH /api/v1/mcp-providers/{id}", { params: { id: providerId }, body: { tool_policy: { ask: ["test_simple_text", "test_input_required_result_elicitation"] } } });
  expect(patched.status, patched.text).toBe(200);
  expect(patched.json.tool_policy).toEqual({ disabled: [], ask: ["test_input_required_result_elicitation", "test_simple_text"] });
}, 60_000);

afterEach(async () => {
  await Promise.all(closing.splice(0).map((client) => client.close().catch(() => undefined)));
  proxy.requests.length = 0;
});

afterAll(async () => {
  closeWarmSessionsForTests();
  await proxy.stop();
  await server.stop();
  delete process.env.TOOL_APPROVAL_TIMEOUT_SECONDS;
  resetEnvForTests();
});

describe("who may set the policy", () => {
  it("an admin sets it per tool with merge-patch; a member can't; a tool is never both off and ask", async () => {
    const denied = await call(member, "PATCH /api/v1/mcp-providers/{id}", { params: { id: providerId }, body: { tool_policy: { ask: [] } } });
    expect(denied.status).toBe(403);
    const both = await call(admin, "PATCH /api/v1/mcp-providers/{id}", { params: { id: providerId }, body: { tool_policy: { disabled: ["test_simple_text"] } } });
    expect(both.status).toBe(422);
    expect(both.text).toContain("either turned off or asks first");
    const shown = await call(member, "GET /api/v1/mcp-providers/{id}", { params: { id: providerId } });
    expect(shown.json.tool_policy.ask).toContain("test_simple_text");
  });
});

describe("through the relay, 2025-11-25", () => {
  it("a client that answers elicitations is asked on the call's stream; accepting runs the call", async () => {
    const questions: string[] = [];
    const client = keep(await connectV1(PATH, member.token ?? "", { elicitation: {} }, (c) => {
      c.setRequestHandler(ElicitRequestSchema, (request) => {
        questions.push(request.params.message);
        return { action: "accept", content: {} };
      });
    }));
    const result = await client.callTool({ name: "test_simple_text", arguments: {} });
    expect(textOf(result)).toContain("simple text");
    expect(questions).toHaveLength(1);
    expect(questions[0]).toContain("test_simple_text on Asks");
    expect(upstreamCalls()).toBe(1);
    const [record] = await activity({ providerId, userId: member.userId, approval: "approved:elicitation" });
    expect(record.outcome).toBe("ok");
  });

  it("declining refuses the call with words that say so, and the server never sees it", async () => {
    const client = keep(await connectV1(PATH, member.token ?? "", { elicitation: {} }, (c) => {
      c.setRequestHandler(ElicitRequestSchema, () => ({ action: "decline" }));
    }));
    const result = (await client.callTool({ name: "test_simple_text", arguments: {} })) as CallToolResult;
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/You declined the call of test_simple_text on Asks in your MCP client; it did not run/);
    expect(upstreamCalls()).toBe(0);
    const [record] = await activity({ providerId, userId: member.userId, approval: "declined:elicitation" });
    expect(record.outcome).toBe("approval_declined");
  });

  it("a client without the capability is asked in the console: approving there runs the call", async () => {
    const client = keep(await connectV1(PATH, member.token ?? ""));
    const calling = client.callTool({ name: "test_simple_text", arguments: { note: "ship it", api_key: "sk-live-abcdefghijklmnopqrstu" } });
    const [approval] = await pendingApprovals(member);
    expect(approval).toMatchObject({ tool: "test_simple_text", provider: { id: providerId, name: "Asks" }, via: "gateway", status: "pending" });
    // What the user judges the call by, without the secret in it.
    expect(approval.arguments).toContain("ship it");
    expect(approval.arguments).not.toContain("sk-live");
    expect(upstreamCalls()).toBe(0);
    // Only the caller decides their own calls.
    expect((await call(other, "PATCH /api/v1/approvals/{id}", { params: { id: approval.id }, body: { status: "approved" } })).status).toBe(404);
    const decided = await call(member, "PATCH /api/v1/approvals/{id}", { params: { id: approval.id }, body: { status: "approved" } });
    expect(decided.status, decided.text).toBe(200);
    expect(textOf(await calling)).toContain("simple text");
    expect(upstreamCalls()).toBe(1);
    await activity({ providerId, userId: member.userId, approval: "approved:console" });
    const again = await call(member, "PATCH /api/v1/approvals/{id}", { params: { id: approval.id }, body: { status: "declined" } });
    expect(again.status).toBe(409);
    expect((await call(member, "GET /api/v1/approvals")).json.recent[0]).toMatchObject({ id: approval.id, status: "approved" });
  });

  it("no decision within the timeout refuses the call and says why", async () => {
    const client = keep(await connectV1(PATH, other.token ?? ""));
    const result = (await client.callTool({ name: "test_simple_text", arguments: {} })) as CallToolResult;
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain(`no confirmation came in the console (Approvals) within ${TIMEOUT_S} s`);
    expect(upstreamCalls()).toBe(0);
    const [record] = await activity({ providerId, userId: other.userId, approval: "timed_out:console" });
    expect(record.outcome).toBe("approval_timed_out");
    expect((await call(other, "GET /api/v1/approvals")).json).toMatchObject({ pending: [], recent: [{ status: "timed_out" }] });
  }, 30_000);
});

describe("through the relay, 2026-07-28", () => {
  type Answer = { action: "accept" | "decline"; content?: Record<string, string> };
  const connectModern = (answer: (message: string) => Answer) =>
    connectV2({ path: PATH, token: member.token ?? "" }, { capabilities: { elicitation: { form: {} } }, versionNegotiation: { mode: { pin: MODERN } } }, (c: ClientV2) => {
      c.setRequestHandler("elicitation/create", (request) => answer(request.params.message));
    });

  it("the question is an input_required round trip; the server's own questions after it aren't asked twice", async () => {
    const questions: string[] = [];
    const client = keep(await connectModern((message): Answer => {
      questions.push(message);
      return message === "What is your name?" ? { action: "accept", content: { name: "Ada" } } : { action: "accept", content: {} };
    }));
    expect(textOf(await client.callTool({ name: "test_simple_text", arguments: {} }))).toContain("simple text");
    const greeted = await client.callTool({ name: "test_input_required_result_elicitation", arguments: {} });
    expect(textOf(greeted)).toContain("Ada");
    expect(questions.filter((question) => question.includes("to ask you first"))).toHaveLength(2);
    expect(questions.filter((question) => question === "What is your name?")).toHaveLength(1);
    await activity({ providerId, userId: member.userId, approval: "approved:elicitation" }, 2);
  });

  it("declining refuses the call before the server sees it", async () => {
    const client = keep(await connectModern(() => ({ action: "decline" })));
    const result = (await client.callTool({ name: "test_simple_text", arguments: {} })) as CallToolResult;
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain("You declined");
    expect(upstreamCalls()).toBe(0);
  });
});

describe("the workspace endpoint /mcp", () => {
  it("asks a client that answers elicitations, and one that doesn't in the console", async () => {
    let asked = 0;
    const capable = keep(await connectV1("/mcp", member.token ?? "", { elicitation: {} }, (c) => {
      c.setRequestHandler(ElicitRequestSchema, () => {
        asked++;
        return { action: "accept", content: {} };
      });
    }));
    expect(textOf(await capable.callTool({ name: "asks__test_simple_text", arguments: {} }))).toContain("simple text");
    expect(asked).toBe(1);

    const plain = keep(await connectV1("/mcp", member.token ?? ""));
    const calling = plain.callTool({ name: "asks__test_simple_text", arguments: {} }) as Promise<CallToolResult>;
    const [approval] = await pendingApprovals(member);
    expect(approval.via).toBe("gateway");
    await call(member, "PATCH /api/v1/approvals/{id}", { params: { id: approval.id }, body: { status: "declined" } });
    const refused = await calling;
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toContain("You declined the call of test_simple_text on Asks in the console (Approvals)");
    await activity({ providerId, userId: member.userId, approval: "declined:console" });
  });

  it("asks a 2026-07-28 client with an input_required round trip", async () => {
    const questions: string[] = [];
    const client = keep(await connectV2({ path: "/mcp", token: other.token ?? "" }, { capabilities: { elicitation: { form: {} } }, versionNegotiation: { mode: { pin: MODERN } } }, (c: ClientV2) => {
      c.setRequestHandler("elicitation/create", (request) => {
        questions.push(request.params.message);
        return { action: "accept", content: {} };
      });
    }));
    expect(textOf(await client.callTool({ name: "asks__test_simple_text", arguments: {} }))).toContain("simple text");
    expect(questions).toHaveLength(1);
    expect(questions[0]).toContain("test_simple_text on Asks");
    const records = await activity({ providerId, userId: other.userId, via: "gateway", approval: { not: null }, outcome: { in: ["ok", "input_required"] } }, 2);
    expect(records.map((record) => `${record.outcome} ${record.approval}`)).toEqual(["input_required asked:elicitation", "ok approved:elicitation"]);
  });
});

describe("the REST API", () => {
  it("holds the call until the caller approves it in the console, and refuses it when they decline", async () => {
    const calling = call(member, "POST /api/v1/mcp-providers/{id}/tools/{tool}/call", { params: { id: providerId, tool: "test_simple_text" }, body: { arguments: {} } });
    const [approval] = await pendingApprovals(member);
    expect(approval.via).toBe("api");
    await call(member, "PATCH /api/v1/approvals/{id}", { params: { id: approval.id }, body: { status: "approved" } });
    const answered = await calling;
    expect(answered.status, answered.text).toBe(200);
    expect(answered.json.is_error).toBe(false);

    const declining = call(member, "POST /api/v1/mcp-providers/{id}/tools/{tool}/call", { params: { id: providerId, tool: "test_simple_text" }, body: { arguments: {} } });
    const [second] = await pendingApprovals(member);
    await call(member, "PATCH /api/v1/approvals/{id}", { params: { id: second.id }, body: { status: "declined" } });
    const refused = await declining;
    expect(refused.status).toBe(403);
    expect(refused.json).toMatchObject({ code: "approval_declined" });
    expect(upstreamCalls()).toBe(1);
    const records = await activity({ providerId, userId: member.userId, via: "api" }, 2);
    expect(records.map((record) => record.approval)).toEqual(["approved:console", "declined:console"]);
  });
});
