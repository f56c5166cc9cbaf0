// Tool policy `ask`, with real clients and a real server behind a recording proxy: a call waits for
// its caller — asked in their MCP client when it answers elicitations (2025-11-25 on the call's
// stream, 2026-07-28 as an input_required round trip), else in the console — and runs only once
// confirmed. A declined, dismissed or unanswered call never reaches the server; every decision is
// on the call's activity record.
import net, { type AddressInfo } from "node:net";
import { Client as ClientV2 } from "@modelcontextprotocol/client";
import { ElicitRequestSchema, type CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { backgroundTasksSettled } from "@/lib/background";
import { db } from "@/lib/db";
import { resetEnvForTests } from "@/lib/env";
import { closeWarmSessionsForTests } from "@/lib/mcp/client";
import { startConformanceServer, type ConformanceServer } from "../../e2e/support/conformance-server";
import { startRecordingProxy } from "../../e2e/support/recording-proxy";
import { call, createActor, ORIGIN, sessionCookie, type Actor } from "./helpers";
import { activity, connectV1, connectV2, gatewayRequest, LEGACY, messagesOf, MODERN, modernRequest, openLegacySession } from "./relay-fixture";

let server: ConformanceServer;
let proxy: Awaited<ReturnType<typeof startRecordingProxy>>;
let admin: Actor & { email: string };
let member: Actor & { email: string };
let other: Actor & { email: string };
let providerId: string;
const PATH = "/mcp/asks";
const TIMEOUT_S = 6;
const APPROVAL_KEY = "mcp-console/approval";
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

/** The person deciding in the console: signed in, on the console's own page. */
async function inConsole(actor: Actor): Promise<Actor> {
  return { ...actor, token: undefined, cookie: await sessionCookie(actor.userId) };
}
const decide = (actor: Actor, id: string, status: "approved" | "declined") =>
  call(actor, "PATCH /api/v1/approvals/{id}", { params: { id }, body: { status }, headers: actor.cookie ? { origin: ORIGIN } : {} });

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
  const patched = await call(admin, "PATCH /api/v1/mcp-providers/{id}", { params: { id: providerId }, body: { tool_policy: { ask: ["test_simple_text", "test_input_required_result_elicitation", "test_input_required_result_sampling"] } } });
  expect(patched.status, patched.text).toBe(200);
  expect(patched.json.tool_policy).toEqual({ disabled: [], ask: ["test_input_required_result_elicitation", "test_input_required_result_sampling", "test_simple_text"] });
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
    expect((await decide(await inConsole(other), approval.id, "approved")).status).toBe(404);
    const decided = await decide(await inConsole(member), approval.id, "approved");
    expect(decided.status, decided.text).toBe(200);
    expect(textOf(await calling)).toContain("simple text");
    expect(upstreamCalls()).toBe(1);
    await activity({ providerId, userId: member.userId, approval: "approved:console" });
    const again = await decide(await inConsole(member), approval.id, "declined");
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
    await decide(await inConsole(member), approval.id, "declined");
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
    await decide(await inConsole(member), approval.id, "approved");
    const answered = await calling;
    expect(answered.status, answered.text).toBe(200);
    expect(answered.json.is_error).toBe(false);

    const declining = call(member, "POST /api/v1/mcp-providers/{id}/tools/{tool}/call", { params: { id: providerId, tool: "test_simple_text" }, body: { arguments: {} } });
    const [second] = await pendingApprovals(member);
    await decide(await inConsole(member), second.id, "declined");
    const refused = await declining;
    expect(refused.status).toBe(403);
    expect(refused.json).toMatchObject({ code: "approval_declined" });
    expect(upstreamCalls()).toBe(1);
    const records = await activity({ providerId, userId: member.userId, via: "api" }, 2);
    expect(records.map((record) => record.approval)).toEqual(["approved:console", "declined:console"]);
  });
});

describe("who confirms a call", () => {
  // An API token is what a script or an agent holds; "asks in the console" means a person decides there.
  it("the API token that made a call can't approve it: only the signed-in console decides", async () => {
    const caller = await createActor("member", admin.workspaceId);
    const calling = call(caller, "POST /api/v1/mcp-providers/{id}/tools/{tool}/call", { params: { id: providerId, tool: "test_simple_text" }, body: { arguments: {} } });
    const [approval] = await pendingApprovals(caller);
    const byToken = await decide(caller, approval.id, "approved");
    const byPerson = await decide(await inConsole(caller), approval.id, byToken.status === 200 ? "declined" : "approved");
    await calling;
    expect(byToken.status).toBe(403);
    expect(byPerson.status).toBe(200);
  });
});

describe("2026-07-28: the confirmation's round trip", () => {
  it("an answer that comes after TOOL_APPROVAL_TIMEOUT_SECONDS doesn't run the call", async () => {
    const caller = await createActor("member", admin.workspaceId);
    const send = (id: number, params: Record<string, unknown>) => {
      const request = modernRequest(id, "tools/call", params);
      return gatewayRequest(PATH, { token: caller.token, body: request.body, headers: request.headers });
    };
    const [asked] = await messagesOf(await send(1, { name: "test_simple_text", arguments: {} }));
    expect(asked.result?.resultType).toBe("input_required");
    // The person takes longer than the admin allowed to answer the question in their client.
    await new Promise((resolve) => setTimeout(resolve, (TIMEOUT_S + 1) * 1000));
    const [answered] = await messagesOf(await send(2, {
      name: "test_simple_text",
      arguments: {},
      inputResponses: { [APPROVAL_KEY]: { action: "accept", content: {} } },
      requestState: asked.result?.requestState,
    }));
    expect(upstreamCalls()).toBe(0);
    expect(answered.result?.isError).toBe(true);
    expect(textOf(answered.result)).toContain(`within ${TIMEOUT_S} s`);
  }, 30_000);

  // A client without elicitation (sampling only): the console asks, then the server asks the client's model.
  const samplingClient = (path: string, caller: Actor) =>
    connectV2({ path, token: caller.token ?? "" }, { capabilities: { sampling: {} }, versionNegotiation: { mode: { pin: MODERN } } }, (c: ClientV2) => {
      c.setRequestHandler("sampling/createMessage", () => ({ role: "assistant", model: "m", content: { type: "text", text: "Paris" } }));
    });

  /** Approves up to `most` of the caller's approvals as they appear; returns how many it approved. */
  async function approveEach(caller: Actor, done: Promise<unknown>, most: number): Promise<number> {
    const person = await inConsole(caller);
    let approved = 0;
    const finished = { now: false };
    void done.finally(() => { finished.now = true; });
    while (!finished.now && approved < most) {
      const { pending } = (await call(person, "GET /api/v1/approvals")).json;
      for (const approval of pending) if ((await decide(person, approval.id, "approved")).status === 200) approved++;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return approved;
  }

  for (const [where, path, tool] of [["the workspace endpoint /mcp", "/mcp", "asks__test_input_required_result_sampling"], ["the relay /mcp/{id}", PATH, "test_input_required_result_sampling"]] as const) {
    it(`${where}: approved once in the console, the server's own question is answered and the person isn't asked again`, async () => {
      const caller = await createActor("member", admin.workspaceId);
      const client = keep(await samplingClient(path, caller));
      const calling = client.callTool({ name: tool, arguments: {} }).catch((error: unknown) => error);
      const approvals = await approveEach(caller, calling, 3);
      const result = await calling;
      expect(approvals).toBe(1);
      expect(textOf(result)).toBe("The model answered: Paris");
    }, 60_000);
  }
});

describe("a call that stops waiting", () => {
  it("a 2025-11-25 client's cancellation ends the approval waiting in the console; approving it then runs nothing", async () => {
    const caller = await createActor("member", admin.workspaceId);
    const client = keep(await connectV1(PATH, caller.token ?? ""));
    const cancel = new AbortController();
    const calling = client.callTool({ name: "test_simple_text", arguments: {} }, undefined, { signal: cancel.signal }).catch((error: unknown) => error);
    const [approval] = await pendingApprovals(caller);
    cancel.abort();
    await calling;
    const person = await inConsole(caller);
    let status = "pending";
    for (let i = 0; i < 100 && status === "pending"; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      const { recent } = (await call(person, "GET /api/v1/approvals")).json;
      status = recent.find((item) => item.id === approval.id)?.status ?? "pending";
    }
    const late = await decide(person, approval.id, "approved");
    // However the call ended, it is on the activity log once it has.
    const [record] = await activity({ providerId, userId: caller.userId });
    expect({ status, late: late.status, upstreamCalls: upstreamCalls(), ran: record.outcome === "ok" }).toEqual({ status: "cancelled", late: 409, upstreamCalls: 0, ran: false });
  });

  it("a tools/call whose arguments aren't an object is refused, not shown to the person as a call with no arguments", async () => {
    const caller = await createActor("member", admin.workspaceId);
    const sessionId = await openLegacySession(PATH, caller.token ?? "");
    const abandon = new AbortController();
    const answering = gatewayRequest(PATH, {
      token: caller.token,
      sessionId,
      signal: abandon.signal,
      headers: { "mcp-protocol-version": LEGACY },
      body: { jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "test_simple_text", arguments: ["rm -rf /"] } },
    });
    // Whichever comes first: the relay's answer, or an approval the person would be shown.
    const first = await Promise.race([answering.then(messagesOf), pendingApprovals(caller).then((pending) => pending)]);
    abandon.abort();
    await answering.catch(() => undefined);
    expect(first).toMatchObject([{ id: 3, error: { code: -32602 } }]);
  });
});

describe("what is written down", () => {
  it("an approved call that fails before it reaches the server keeps its approval on the activity record", async () => {
    const caller = await createActor("member", admin.workspaceId);
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const dead = await call(admin, "POST /api/v1/mcp-providers", { body: { name: "Gone", server_identifier: "gone", server_url: `http://127.0.0.1:${port}/mcp` } });
    expect(dead.status, dead.text).toBe(201);
    await backgroundTasksSettled();
    expect((await call(admin, "PATCH /api/v1/mcp-providers/{id}", { params: { id: dead.json.id }, body: { tool_policy: { ask: ["wipe"] } } })).status).toBe(200);
    // A 2025-11-25 request without a session: the console asks in its Approvals.
    const answering = gatewayRequest("/mcp/gone", {
      token: caller.token,
      headers: { "mcp-protocol-version": LEGACY },
      body: { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "wipe", arguments: {} } },
    });
    const [approval] = await pendingApprovals(caller);
    expect((await decide(await inConsole(caller), approval.id, "approved")).status).toBe(200);
    const [answer] = await messagesOf(await answering);
    expect(answer.result?.isError).toBe(true);
    const [record] = await activity({ providerId: dead.json.id, userId: caller.userId });
    expect(record.approval).toBe("approved:console");
  });

  it("a decided approval doesn't keep the call's arguments when the provider doesn't record them", async () => {
    const caller = await createActor("member", admin.workspaceId);
    const calling = call(caller, "POST /api/v1/mcp-providers/{id}/tools/{tool}/call", { params: { id: providerId, tool: "test_simple_text" }, body: { arguments: { note: "my private diagnosis" } } });
    const [approval] = await pendingApprovals(caller);
    expect(approval.arguments).toContain("my private diagnosis");
    expect((await decide(await inConsole(caller), approval.id, "declined")).status).toBe(200);
    await calling;
    const [record] = await activity({ providerId, userId: caller.userId });
    expect(record.arguments).toBeNull();
    const stored = await db().toolApproval.findUniqueOrThrow({ where: { id: approval.id } });
    expect(stored.summary).not.toContain("my private diagnosis");
  });
});
