// `/mcp/{server_identifier}` as a relay, against real servers: our conformance server (SDK v2, both
// eras) behind a recording proxy that shows what reached it. What the server says reaches the
// client on the stream it came on, the client's answers reach the server, and what the relay
// refuses (foreign sessions, origins, disabled tools, mismatched headers) is never forwarded.
import { ElicitRequestSchema, CreateMessageRequestSchema, ListRootsRequestSchema, LoggingMessageNotificationSchema, type CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { backgroundTasksSettled } from "@/lib/background";
import { resetEnvForTests } from "@/lib/env";
import { MAX_SEALED_SESSION_ID, openSession, sealSession } from "@/lib/gateway/session-seal";
import { closeWarmSessionsForTests } from "@/lib/mcp/client";
import { startConformanceServer, type ConformanceServer } from "../../e2e/support/conformance-server";
import { startRecordingProxy } from "../../e2e/support/recording-proxy";
import { startGatewayHttp } from "./gateway-client";
import { call, createActor, type Actor } from "./helpers";
import { connectWithOAuth, startOAuthHttp, stopOAuthHttp } from "./oauth-console";
import { startBulkyServer, startDyingServer, startFutureServer, startSilentServer } from "./relay-servers";
import { activity, connectV1, connectV2, gatewayRequest, LEGACY, messagesOf, MODERN, modernRequest, openLegacySession } from "./relay-fixture";

let server: ConformanceServer;
let proxy: Awaited<ReturnType<typeof startRecordingProxy>>;
let admin: Actor & { email: string };
let member: Actor & { email: string };
let providerId: string;
const PATH = "/mcp/conf";
const run = promisify(execFile);
const closing: { close(): Promise<void> }[] = [];

async function addProvider(actor: Actor, identifier: string, url: string, extra: Record<string, unknown> = {}) {
  const created = await call(actor, "POST /api/v1/mcp-providers", { body: { name: `Relay ${identifier}`, server_identifier: identifier, server_url: url, ...extra } });
  expect(created.status, created.text).toBe(201);
  await backgroundTasksSettled();
  return created.json.id;
}

const textOf = (result: unknown) => ((result as CallToolResult).content[0] as { text: string }).text;
const keep = <T extends { close(): Promise<void> }>(client: T) => {
  closing.push(client);
  return client;
};

beforeAll(async () => {
  server = await startConformanceServer();
  proxy = await startRecordingProxy(server.url);
  admin = await createActor("admin");
  member = await createActor("member", admin.workspaceId);
  providerId = await addProvider(admin, "conf", proxy.url, { name: "Conformance", headers: { Authorization: "Bearer the-provider-key" } });
}, 60_000);

afterEach(async () => {
  await Promise.all(closing.splice(0).map((client) => client.close().catch(() => undefined)));
});

afterAll(async () => {
  closeWarmSessionsForTests();
  await proxy.stop();
  await server.stop();
});

describe("server→client traffic, 2025-11-25", () => {
  it("elicitation (form and URL mode), sampling and roots reach the client, and its answers reach the server", async () => {
    const asked: string[] = [];
    const client = keep(
      await connectV1(PATH, member.token ?? "", { elicitation: { form: {}, url: {} }, sampling: {}, roots: {} }, (c) => {
        c.setRequestHandler(ElicitRequestSchema, (request) => {
          asked.push(`elicit:${request.params.mode ?? "form"}`);
          return request.params.mode === "url" ? { action: "accept" } : { action: "accept", content: { username: "ada", email: "ada@example.test" } };
        });
        c.setRequestHandler(CreateMessageRequestSchema, () => {
          asked.push("sampling");
          return { role: "assistant", content: { type: "text", text: "Bonjour" }, model: "test-model" };
        });
        c.setRequestHandler(ListRootsRequestSchema, () => {
          asked.push("roots");
          return { roots: [{ uri: "file:///work/project", name: "project" }] };
        });
      }),
    );
    expect(textOf(await client.callTool({ name: "test_elicitation", arguments: { message: "Who are you?" } }))).toBe('User response: action=accept, content={"username":"ada","email":"ada@example.test"}');
    expect(textOf(await client.callTool({ name: "test_url_elicitation", arguments: {} }))).toBe("URL elicitation completed: action=accept");
    expect(textOf(await client.callTool({ name: "test_sampling", arguments: { prompt: "Say hello" } }))).toBe("LLM response: Bonjour");
    expect(textOf(await client.callTool({ name: "test_input_required_result_list_roots", arguments: {} }))).toBe("Client roots: file:///work/project");
    expect(asked).toEqual(["elicit:form", "elicit:url", "sampling", "roots"]);
  });

  it("a server request arrives on the stream of the call it belongs to; the client's answer goes to the same upstream session", async () => {
    const sessionId = await openLegacySession(PATH, member.token ?? "", { elicitation: { form: {} } });
    const upstream = proxy.requests.at(-1)?.sessionId;
    expect(upstream).toBeTruthy();
    const headers = { "mcp-protocol-version": LEGACY };
    const answer = await gatewayRequest(PATH, { token: member.token, sessionId, headers, body: { jsonrpc: "2.0", id: 7, method: "tools/call", params: { name: "test_elicitation", arguments: { message: "Name?" } } } });
    expect(answer.headers.get("content-type")).toContain("text/event-stream");
    const reader = answer.body?.getReader();
    let seen = "";
    while (!seen.includes("elicitation/create")) {
      const chunk = await reader?.read();
      if (!chunk || chunk.done) break;
      seen += new TextDecoder().decode(chunk.value);
    }
    const request = JSON.parse(/data: (.*elicitation\/create.*)/.exec(seen)?.[1] ?? "{}") as { id: number | string; method: string };
    expect(request.method).toBe("elicitation/create");
    proxy.requests.length = 0;
    const reply = await gatewayRequest(PATH, { token: member.token, sessionId, headers, body: { jsonrpc: "2.0", id: request.id, result: { action: "decline" } } });
    expect(reply.status).toBe(202);
    expect(proxy.requests.map((r) => r.sessionId)).toEqual([upstream]);
    let rest = "";
    for (;;) {
      const chunk = await reader?.read();
      if (!chunk || chunk.done) break;
      rest += new TextDecoder().decode(chunk.value);
    }
    expect(rest).toContain('"id":7');
    expect(rest).toContain("User response: action=decline");
  });

  it("progress and log notifications come on the call's own stream, before its result", async () => {
    const sessionId = await openLegacySession(PATH, member.token ?? "");
    const headers = { "mcp-protocol-version": LEGACY };
    const level = await gatewayRequest(PATH, { token: member.token, sessionId, headers, body: { jsonrpc: "2.0", id: 1, method: "logging/setLevel", params: { level: "info" } } });
    await level.body?.cancel();
    const progress = await messagesOf(await gatewayRequest(PATH, { token: member.token, sessionId, headers, body: { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "test_tool_with_progress", arguments: {}, _meta: { progressToken: "p-1" } } } }));
    expect(progress.map((message) => message.method ?? `result:${String(message.id)}`)).toEqual(["notifications/progress", "notifications/progress", "notifications/progress", "result:2"]);
    expect(progress.slice(0, 3).map((message) => message.params?.progressToken)).toEqual(["p-1", "p-1", "p-1"]);
    const logged = await messagesOf(await gatewayRequest(PATH, { token: member.token, sessionId, headers, body: { jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "test_tool_with_logging", arguments: {} } } }));
    expect(logged.map((message) => message.method ?? `result:${String(message.id)}`)).toEqual(["notifications/message", "notifications/message", "notifications/message", "result:3"]);
  });

  it("logging and progress notifications reach the client during the call", async () => {
    const logs: string[] = [];
    const client = keep(await connectV1(PATH, member.token ?? "", {}, (c) => {
      c.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => { logs.push(String(notification.params.data)); });
    }));
    await client.setLoggingLevel("debug");
    expect(textOf(await client.callTool({ name: "test_tool_with_logging", arguments: {} }))).toBe("Tool with logging executed successfully");
    expect(logs).toEqual(["Tool execution started", "Tool processing data", "Tool execution completed"]);
    const progress: number[] = [];
    await client.callTool({ name: "test_tool_with_progress", arguments: {} }, undefined, { onprogress: (p) => progress.push(p.progress) });
    expect(progress).toEqual([0, 50, 100]);
  });
});

describe("2026-07-28 through the relay", () => {
  it("an InputRequiredResult passes through untouched, and the client's retry with its requestState works", async () => {
    const first = modernRequest(1, "tools/call", { name: "test_input_required_result_request_state", arguments: {} });
    const asked = (await messagesOf(await gatewayRequest(PATH, { token: member.token, ...first })))[0];
    const directly = (await messagesOf(await fetch(server.url, { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...first.headers }, body: JSON.stringify(first.body) })))[0];
    const { requestState, ...rest } = asked.result ?? {};
    const { requestState: directState, ...directRest } = directly.result ?? {};
    expect(rest).toEqual(directRest);
    expect(rest.resultType).toBe("input_required");
    expect(typeof requestState).toBe("string");
    expect(typeof directState).toBe("string");
    const retry = modernRequest(2, "tools/call", { name: "test_input_required_result_request_state", arguments: {}, requestState, inputResponses: { confirm: { action: "accept", content: { ok: true } } } });
    const done = (await messagesOf(await gatewayRequest(PATH, { token: member.token, ...retry })))[0];
    expect(done.result?.content).toEqual([{ type: "text", text: "state-ok: confirmation accept" }]);
  });

  it("the SDK v2 client in modern mode answers multi-round input through the relay", async () => {
    const client = keep(await connectV2({ path: PATH, token: member.token ?? "" }, { capabilities: { elicitation: { form: {} } }, versionNegotiation: { mode: { pin: MODERN } } }, (c) => {
      c.setRequestHandler("elicitation/create", (request) => {
        const content: Record<string, string> = request.params.message.includes("name") ? { name: "Ada" } : { color: "blue" };
        return { action: "accept", content };
      });
    }));
    const result = await client.callTool({ name: "test_input_required_result_multi_round", arguments: {} });
    expect(textOf(result)).toBe("Multi-round complete: Ada likes blue");
  });

  it("subscriptions/listen is relayed: the server's list change reaches the listening client", async () => {
    const changed: string[] = [];
    const client = keep(await connectV2({ path: PATH, token: member.token ?? "" }, { versionNegotiation: { mode: { pin: MODERN } } }, (c) => {
      c.setNotificationHandler("notifications/tools/list_changed", () => { changed.push("tools"); });
    }));
    const subscription = await client.listen({ toolsListChanged: true });
    expect(subscription.honoredFilter.toolsListChanged).toBe(true);
    await client.callTool({ name: "test_trigger_tool_change", arguments: {} });
    await expect.poll(() => changed).toEqual(["tools"]);
    await subscription.close();
  });

  it("tools/list and server/discover carry cacheScope private over the server's public; discover offers only versions both speak", async () => {
    const future = await startFutureServer();
    try {
      await addProvider(admin, "future", future.url);
      for (const method of ["tools/list", "server/discover"]) {
        const [answer] = await messagesOf(await gatewayRequest("/mcp/future", { token: member.token, ...modernRequest(1, method) }));
        expect(answer.result?.cacheScope, method).toBe("private");
      }
      const [discovered] = await messagesOf(await gatewayRequest("/mcp/future", { token: member.token, ...modernRequest(2, "server/discover") }));
      expect(future.versions).toContain("2027-03-01");
      expect(discovered.result?.supportedVersions).toEqual([MODERN, LEGACY]);
    } finally {
      await future.stop();
    }
  });
});

describe("faults", () => {
  it("the upstream session is gone (the server restarted): the client gets 404, starts again, and works", async () => {
    const first = await startConformanceServer();
    const restartProxy = await startRecordingProxy(first.url);
    let second: ConformanceServer | undefined;
    try {
      await addProvider(admin, "restarting", restartProxy.url);
      const client = keep(await connectV1("/mcp/restarting", member.token ?? ""));
      expect(textOf(await client.callTool({ name: "test_simple_text", arguments: {} }))).toContain("simple text");
      second = await startConformanceServer();
      restartProxy.retarget(second.url);
      await first.stop();
      const gone = await client.callTool({ name: "test_simple_text", arguments: {} }).then(() => undefined, (error: unknown) => error as { code?: number });
      expect(gone?.code).toBe(404);
      expect(restartProxy.requests.at(-1)?.status).toBe(404); // the server's own answer, passed on
      // What an SDK client does with a 404: a new session, which works.
      const again = keep(await connectV1("/mcp/restarting", member.token ?? ""));
      expect(textOf(await again.callTool({ name: "test_simple_text", arguments: {} }))).toContain("simple text");
    } finally {
      await restartProxy.stop();
      await second?.stop();
      await first.stop().catch(() => undefined);
    }
  });

  it("the server dies mid-stream: the call ends at once with an error, after the progress it sent, and the activity log says upstream_error", async () => {
    const dying = await startDyingServer();
    try {
      await addProvider(admin, "dying", dying.url);
      const client = keep(await connectV1("/mcp/dying", member.token ?? ""));
      const progress: number[] = [];
      // A timeout far beyond the test's: only the relay's error can end this call in time.
      const error = await client.callTool({ name: "stream-then-die", arguments: {} }, undefined, { onprogress: (p) => progress.push(p.progress), timeout: 600_000 }).then(
        () => undefined,
        (failure: unknown) => failure as { code?: number; message?: string },
      );
      expect(progress).toEqual([1, 2]);
      expect(error?.code).toBe(-32603);
      expect(error?.message).toContain("stopped answering before it finished");
      const [record] = await activity({ userId: member.userId, tool: "stream-then-die" });
      expect(record.outcome).toBe("upstream_error");
    } finally {
      await dying.stop();
    }
  });

  it("the client leaves mid-stream: the server's stream is let go, and the activity log says cancelled", async () => {
    const dying = await startDyingServer();
    try {
      await addProvider(admin, "waiting", dying.url);
      const leave = new AbortController();
      const answer = await gatewayRequest("/mcp/waiting", { token: member.token, signal: leave.signal, body: { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "stream-then-wait", arguments: {}, _meta: { progressToken: "t" } } } });
      const reader = answer.body?.getReader();
      expect(new TextDecoder().decode((await reader?.read())?.value)).toContain("notifications/progress");
      leave.abort();
      await expect.poll(() => dying.letGo(), { timeout: 5_000 }).toBe(1);
      const [record] = await activity({ userId: member.userId, tool: "stream-then-wait" });
      expect(record.outcome).toBe("cancelled");
    } finally {
      await dying.stop();
    }
  });

  it("a server that can't be reached: the call says so in the words every other path uses, with no address in them", async () => {
    // Port 1: nothing listens there (a port just closed could be taken by another process meanwhile).
    const nowhere = await addProvider(admin, "nowhere", "http://127.0.0.1:1/mcp");
    const answer = await gatewayRequest("/mcp/nowhere", { token: member.token, body: { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "echo", arguments: {} } } });
    const [message] = (await messagesOf(answer)) as { result?: CallToolResult }[];
    expect(message.result?.isError).toBe(true);
    expect(textOf(message.result)).toMatch(/^Couldn't talk to Relay nowhere: the server is unreachable \(ECONNREFUSED\)/);
    expect(textOf(message.result)).not.toContain("127.0.0.1");
    const [record] = await activity({ userId: member.userId, providerId: nowhere });
    expect(record.outcome).toBe("upstream_error");
  });

  it("a server that doesn't answer within the provider's read timeout: the call says so in time, and the log says why", async () => {
    const silent = await startSilentServer();
    try {
      await addProvider(admin, "silent", silent.url, { configuration: { timeout: 1, sse_read_timeout: 1 } });
      const started = Date.now();
      const answer = await gatewayRequest("/mcp/silent", { token: member.token, body: { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "silent", arguments: {} } } });
      const [message] = (await messagesOf(answer)) as { result?: CallToolResult }[];
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(message.result?.isError).toBe(true);
      expect(textOf(message.result)).toMatch(/^Relay silent did not answer within its timeout/);
      const [record] = await activity({ userId: member.userId, tool: "silent" });
      expect(record.outcome).toBe("upstream_timeout");
    } finally {
      await silent.stop();
    }
  });

  it("a server that goes quiet mid-answer for longer than the read timeout: the stream ends with an error after what it sent", async () => {
    const silent = await startSilentServer();
    try {
      await addProvider(admin, "quiet", silent.url, { configuration: { timeout: 1, sse_read_timeout: 1 } });
      const answer = await gatewayRequest("/mcp/quiet", { token: member.token, body: { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "goes-quiet", arguments: {}, _meta: { progressToken: "t" } } } });
      const messages = (await messagesOf(answer)) as { method?: string; error?: { code: number; message: string } }[];
      expect(messages.map((message) => message.method ?? "answer")).toEqual(["notifications/progress", "answer"]);
      expect(messages[1].error?.code).toBe(-32603);
      expect(messages[1].error?.message).toContain("stopped answering before it finished");
      const [record] = await activity({ userId: member.userId, tool: "goes-quiet" });
      expect(record.outcome).toBe("upstream_error");
    } finally {
      await silent.stop();
    }
  });

  it("a tools/list answer too large for one network read arrives whole, less the disabled tools", async () => {
    const bulky = await startBulkyServer();
    try {
      const id = await addProvider(admin, "bulky", bulky.url);
      await call(admin, "PATCH /api/v1/mcp-providers/{id}", { params: { id }, body: { tool_policy: { disabled: ["tool-299"] } } });
      const client = keep(await connectV1("/mcp/bulky", member.token ?? ""));
      const names = (await client.listTools()).tools.map((tool) => tool.name);
      expect(names).toHaveLength(299);
      expect(names).not.toContain("tool-299");
    } finally {
      await bulky.stop();
    }
  });

  it("a tampered, foreign, expired or over-long session id is 404, and nothing is forwarded", async () => {
    const sessionId = await openLegacySession(PATH, member.token ?? "");
    const mine = openSession(sessionId);
    expect(mine).toBeDefined();
    if (!mine) return;
    const colleague = await createActor("member", admin.workspaceId);
    const colleagues = await openLegacySession(PATH, colleague.token ?? "");
    const otherProxy = await startRecordingProxy(server.url);
    const outsider = await createActor("admin");
    try {
      await addProvider(admin, "conf-two", otherProxy.url);
      const anotherProviders = await openLegacySession("/mcp/conf-two", member.token ?? "");
      await addProvider(outsider, "conf", otherProxy.url.replace("127.0.0.1", "localhost"));
      const anotherWorkspaces = await openLegacySession(PATH, outsider.token ?? "");
      // A character inside the ciphertext (the last one may carry only padding bits, which decode to the same bytes).
      const at = sessionId.length - 10;
      const tampered = sessionId.slice(0, at) + (sessionId[at] === "A" ? "B" : "A") + sessionId.slice(at + 1);
      const foreign = {
        tampered,
        "another user's": colleagues,
        "another provider's": anotherProviders,
        "another workspace's (its user)": anotherWorkspaces,
        "another workspace's (this user)": sealSession({ ...mine, workspaceId: outsider.workspaceId }),
        expired: sealSession(mine, Date.now() - 25 * 60 * 60_000),
        "over-long": sessionId + "A".repeat(MAX_SEALED_SESSION_ID),
      };
      proxy.requests.length = 0;
      otherProxy.requests.length = 0;
      for (const [kind, id] of Object.entries(foreign)) {
        const post = await gatewayRequest(PATH, { token: member.token, sessionId: id, headers: { "mcp-protocol-version": LEGACY }, body: { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "test_simple_text", arguments: {} } } });
        expect(post.status, kind).toBe(404);
        expect((await messagesOf(post))[0].error?.code, kind).toBe(-32001);
        const get = await gatewayRequest(PATH, { method: "GET", token: member.token, sessionId: id, headers: { accept: "text/event-stream" } });
        expect(get.status, kind).toBe(404);
        await get.body?.cancel();
        const del = await gatewayRequest(PATH, { method: "DELETE", token: member.token, sessionId: id });
        expect(del.status, kind).toBe(404);
      }
      expect([...proxy.requests, ...otherProxy.requests]).toEqual([]);
      // The session itself is still good.
      const ok = await gatewayRequest(PATH, { token: member.token, sessionId, headers: { "mcp-protocol-version": LEGACY }, body: { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "test_simple_text", arguments: {} } } });
      expect((await messagesOf(ok)).at(-1)?.result?.content).toEqual([{ type: "text", text: "This is a simple text response for testing." }]);
    } finally {
      await otherProxy.stop();
    }
  });

  async function openStream(token: string) {
    const sessionId = await openLegacySession(PATH, token);
    const stream = await gatewayRequest(PATH, { method: "GET", token, sessionId, headers: { accept: "text/event-stream" } });
    expect(stream.status).toBe(200);
    expect(stream.headers.get("content-type")).toContain("text/event-stream");
    return stream;
  }

  /** Reads the stream to its end: resolves only when the gateway ends it. */
  async function ended(stream: Response) {
    const reader = stream.body?.getReader();
    for (;;) {
      const chunk = await reader?.read();
      if (!chunk || chunk.done) return true;
    }
  }

  it("a server that ends its stream to be polled (SEP-1699): the client resumes and gets the answer, as directly", async () => {
    const client = keep(await connectV1(PATH, member.token ?? ""));
    expect(textOf(await client.callTool({ name: "test_reconnection", arguments: {} }))).toBe("Reconnection test completed successfully");
    const [record] = await activity({ userId: member.userId, tool: "test_reconnection" });
    expect(record.outcome).toBe("resumed");
  });

  it("answers replayed on a resumed stream (Last-Event-ID) are held to tool policy too", async () => {
    await call(admin, "PATCH /api/v1/mcp-providers/{id}", { params: { id: providerId }, body: { tool_policy: { disabled: ["test_simple_text"] } } });
    try {
      const sessionId = await openLegacySession(PATH, member.token ?? "");
      const listed = await gatewayRequest(PATH, { token: member.token, sessionId, headers: { "mcp-protocol-version": LEGACY }, body: { jsonrpc: "2.0", id: 7, method: "tools/list" } });
      const text = await listed.text();
      const firstId = /^id: ?(.+)$/m.exec(text)?.[1]?.trim();
      expect(firstId).toBeTruthy();
      expect(text).not.toContain('"test_simple_text"');
      const replay = await gatewayRequest(PATH, { method: "GET", token: member.token, sessionId, headers: { accept: "text/event-stream", "last-event-id": firstId ?? "", "mcp-protocol-version": LEGACY } });
      const reader = replay.body?.getReader();
      let seen = "";
      const decoder = new TextDecoder();
      while (!seen.includes('"id":7')) {
        const chunk = await reader?.read();
        if (!chunk || chunk.done) break;
        seen += decoder.decode(chunk.value, { stream: true });
      }
      await reader?.cancel();
      expect(seen).toContain('"id":7');
      expect(seen).toContain('"test_image_content"');
      expect(seen).not.toContain('"test_simple_text"');
    } finally {
      await call(admin, "PATCH /api/v1/mcp-providers/{id}", { params: { id: providerId }, body: { tool_policy: { disabled: [] } } });
    }
  });

  it("revoking an API token ends its open 2026-07-28 subscription too", async () => {
    const user = await createActor("member", admin.workspaceId);
    const listen = await gatewayRequest(PATH, { ...modernRequest(1, "subscriptions/listen", { notifications: { toolsListChanged: true } }), token: user.token });
    expect(listen.status).toBe(200);
    const tokens = await call(user, "GET /api/v1/api-tokens");
    expect((await call(user, "DELETE /api/v1/api-tokens/{id}", { params: { id: tokens.json.data[0]?.id ?? "" } })).status).toBe(204);
    expect(await ended(listen)).toBe(true);
  });

  it("revoking an API token ends its open GET stream", async () => {
    const user = await createActor("member", admin.workspaceId);
    const stream = await openStream(user.token ?? "");
    const tokens = await call(user, "GET /api/v1/api-tokens");
    const id = tokens.json.data[0]?.id ?? "";
    expect((await call(user, "DELETE /api/v1/api-tokens/{id}", { params: { id } })).status).toBe(204);
    expect(await ended(stream)).toBe(true);
  });

  it("revoking an OAuth client ends its access token's open GET stream", async () => {
    await startOAuthHttp();
    try {
      const user = await createActor("member", admin.workspaceId);
      const { client, auth } = await connectWithOAuth(user, PATH, "Streaming agent");
      await client.close();
      const stream = await openStream(auth.tokens()?.access_token ?? "");
      const app = (await call(user, "GET /api/v1/connected-apps")).json.data.find((entry) => entry.client_name === "Streaming agent");
      expect((await call(user, "DELETE /api/v1/connected-apps/{id}", { params: { id: app?.id ?? "" } })).status).toBe(204);
      expect(await ended(stream)).toBe(true);
    } finally {
      await stopOAuthHttp();
    }
  });

  it("removing the caller from the workspace ends their open GET stream", async () => {
    const user = await createActor("member", admin.workspaceId);
    const stream = await openStream(user.token ?? "");
    expect((await call(admin, "DELETE /api/v1/members/{user_id}", { params: { user_id: user.userId } })).status).toBe(204);
    expect(await ended(stream)).toBe(true);
  });
});

describe("security", () => {
  const legacyCall = (name: string, method = "tools/call") => ({ jsonrpc: "2.0", id: 5, method, params: { name, arguments: {} } });

  afterEach(async () => {
    await call(admin, "PATCH /api/v1/mcp-providers/{id}", { params: { id: providerId }, body: { tool_policy: { disabled: [] } } });
  });

  it("a body past the limit is 413, and nothing is forwarded; the next call works", async () => {
    const sessionId = await openLegacySession(PATH, member.token ?? "");
    proxy.requests.length = 0;
    const headers = { "mcp-protocol-version": LEGACY };
    const padded = { ...legacyCall("test_simple_text"), pad: "x".repeat(5 * 1024 * 1024) };
    const tooBig = await gatewayRequest(PATH, { token: member.token, sessionId, headers, body: padded });
    expect(tooBig.status).toBe(413);
    expect(proxy.requests).toEqual([]);
    const [answer] = await messagesOf(await gatewayRequest(PATH, { token: member.token, sessionId, headers, body: legacyCall("test_simple_text") }));
    expect(textOf(answer.result)).toBe("This is a simple text response for testing.");
  });

  it("a foreign Origin is 403 before authentication, and nothing is forwarded", async () => {
    const sessionId = await openLegacySession(PATH, member.token ?? "");
    proxy.requests.length = 0;
    const evil = { origin: "http://evil.example", "mcp-protocol-version": LEGACY };
    const anonymous = await gatewayRequest(PATH, { sessionId, headers: evil, body: legacyCall("test_simple_text") });
    expect(anonymous.status).toBe(403);
    expect(anonymous.headers.get("www-authenticate")).toBeNull();
    const withToken = await gatewayRequest(PATH, { token: member.token, sessionId, headers: evil, body: legacyCall("test_simple_text") });
    expect(withToken.status).toBe(403);
    expect(withToken.headers.get("access-control-allow-origin")).toBeNull();
    expect(proxy.requests).toEqual([]);
  });

  it("an origin in MCP_CORS_ORIGINS gets CORS headers and a preflight answer, never with credentials", async () => {
    const before = process.env.MCP_CORS_ORIGINS;
    process.env.MCP_CORS_ORIGINS = "https://inspector.example";
    resetEnvForTests();
    try {
      const origin = "https://inspector.example";
      const preflight = await gatewayRequest(PATH, { method: "OPTIONS", headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "authorization, content-type, mcp-session-id, mcp-param-region" } });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get("access-control-allow-origin")).toBe(origin);
      expect(preflight.headers.get("access-control-allow-methods")).toContain("POST");
      expect(preflight.headers.get("access-control-allow-headers")?.split(", ")).toEqual(expect.arrayContaining(["authorization", "mcp-session-id", "mcp-param-region"]));
      expect(preflight.headers.get("access-control-allow-credentials")).toBeNull();
      const response = await gatewayRequest(PATH, {
        token: member.token,
        headers: { origin, "mcp-protocol-version": LEGACY },
        body: { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: LEGACY, capabilities: {}, clientInfo: { name: "browser", version: "1" } } },
      });
      expect(response.status).toBe(200);
      expect(response.headers.get("access-control-allow-origin")).toBe(origin);
      expect(response.headers.get("access-control-expose-headers")).toContain("mcp-session-id");
      expect(response.headers.get("access-control-allow-credentials")).toBeNull();
      await response.body?.cancel();
      // Another origin still gets nothing of CORS, and a 403.
      const other = await gatewayRequest(PATH, { method: "OPTIONS", headers: { origin: "https://other.example", "access-control-request-method": "POST" } });
      expect(other.status).toBe(403);
      expect(other.headers.get("access-control-allow-origin")).toBeNull();
    } finally {
      if (before === undefined) delete process.env.MCP_CORS_ORIGINS;
      else process.env.MCP_CORS_ORIGINS = before;
      resetEnvForTests();
    }
  });

  it("a method in the wrong case naming a disabled tool never reaches the server", async () => {
    await call(admin, "PATCH /api/v1/mcp-providers/{id}", { params: { id: providerId }, body: { tool_policy: { disabled: ["test_simple_text"] } } });
    const sessionId = await openLegacySession(PATH, member.token ?? "");
    proxy.requests.length = 0;
    const answer = await gatewayRequest(PATH, { token: member.token, sessionId, headers: { "mcp-protocol-version": LEGACY }, body: legacyCall("test_simple_text", "Tools/Call") });
    expect((await messagesOf(answer))[0].error?.code).toBe(-32601);
    expect(proxy.requests).toEqual([]);
  });

  it("a disabled tool called with tools/call: a tool error, nothing forwarded, tool_disabled in the activity log", async () => {
    await call(admin, "PATCH /api/v1/mcp-providers/{id}", { params: { id: providerId }, body: { tool_policy: { disabled: ["test_error_handling"] } } });
    const client = keep(await connectV1(PATH, member.token ?? ""));
    expect((await client.listTools()).tools.map((tool) => tool.name)).not.toContain("test_error_handling");
    proxy.requests.length = 0;
    const refused = (await client.callTool({ name: "test_error_handling", arguments: {} })) as CallToolResult;
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toBe("An admin has turned off test_error_handling on Conformance; it can't be called.");
    expect(proxy.requests).toEqual([]);
    const [record] = await activity({ userId: member.userId, tool: "test_error_handling" });
    expect(record).toMatchObject({ outcome: "tool_disabled", via: "gateway", providerId });
  });

  it("the caller's Authorization never reaches the server: only the provider's credential does", async () => {
    proxy.requests.length = 0;
    const client = keep(await connectV1(PATH, member.token ?? ""));
    await client.callTool({ name: "test_simple_text", arguments: {} });
    const sessionId = await openLegacySession(PATH, member.token ?? "");
    const stream = await gatewayRequest(PATH, { method: "GET", token: member.token, sessionId, headers: { accept: "text/event-stream" } });
    await stream.body?.cancel();
    await gatewayRequest(PATH, { method: "DELETE", token: member.token, sessionId });
    await gatewayRequest(PATH, { token: member.token, ...modernRequest(1, "tools/list") });
    expect(new Set(proxy.requests.map((request) => request.method))).toEqual(new Set(["POST", "GET", "DELETE"]));
    for (const request of proxy.requests) {
      expect(request.headers.authorization).toBe("Bearer the-provider-key");
      expect(JSON.stringify(request.headers)).not.toContain(member.token);
    }
  });

  it("Mcp-Method or Mcp-Name disagreeing with the body is 400 -32020, and nothing is forwarded", async () => {
    proxy.requests.length = 0;
    const request = modernRequest(1, "tools/call", { name: "test_simple_text", arguments: {} });
    for (const headers of [{ ...request.headers, "mcp-name": "test_error_handling" }, { ...request.headers, "mcp-method": "tools/list" }, { ...request.headers, "mcp-method": "Tools/Call" }]) {
      const answer = await gatewayRequest(PATH, { token: member.token, body: request.body, headers });
      expect(answer.status).toBe(400);
      expect((await messagesOf(answer))[0].error?.code).toBe(-32020);
    }
    expect(proxy.requests).toEqual([]);
  });

  it("the sealed session id doesn't carry the upstream session id in clear", async () => {
    const sessionId = await openLegacySession(PATH, member.token ?? "");
    const upstream = proxy.requests.at(-1)?.sessionId ?? "";
    expect(upstream.length).toBeGreaterThan(8);
    // Neither as it is, nor in any part of the id read as base64.
    const readings = [sessionId, ...sessionId.split(".")].flatMap((part) => [part, Buffer.from(part, "base64url").toString("latin1")]);
    for (const reading of readings) expect(reading).not.toContain(upstream);
  });
});

describe("clients through both endpoints", () => {
  const expected = "This is a simple text response for testing.";

  it("the SDK v1 client", async () => {
    const one = keep(await connectV1(PATH, member.token ?? ""));
    expect((await one.listTools()).tools.map((tool) => tool.name)).toContain("test_simple_text");
    expect(textOf(await one.callTool({ name: "test_simple_text", arguments: {} }))).toBe(expected);
    const all = keep(await connectV1("/mcp", member.token ?? ""));
    expect((await all.listTools()).tools.map((tool) => tool.name)).toContain("conf__test_simple_text");
    expect(textOf(await all.callTool({ name: "conf__test_simple_text", arguments: {} }))).toBe(expected);
  });

  it("the SDK v2 client in legacy mode (2025-11-25)", async () => {
    const one = keep(await connectV2({ path: PATH, token: member.token ?? "" }, { versionNegotiation: { mode: "legacy" } }));
    expect(one.getNegotiatedProtocolVersion()).toBe(LEGACY);
    expect(textOf(await one.callTool({ name: "test_simple_text", arguments: {} }))).toBe(expected);
    const all = keep(await connectV2({ path: "/mcp", token: member.token ?? "" }, { versionNegotiation: { mode: "legacy" } }));
    expect(textOf(await all.callTool({ name: "conf__test_simple_text", arguments: {} }))).toBe(expected);
  });

  it("the SDK v2 client in modern mode (2026-07-28), negotiated and pinned", async () => {
    for (const mode of ["auto", { pin: MODERN }] as const) {
      const one = keep(await connectV2({ path: PATH, token: member.token ?? "" }, { versionNegotiation: { mode } }));
      expect(one.getNegotiatedProtocolVersion()).toBe(MODERN);
      expect((await one.listTools()).tools.map((tool) => tool.name)).toContain("test_simple_text");
      expect(textOf(await one.callTool({ name: "test_simple_text", arguments: {} }))).toBe(expected);
      const all = keep(await connectV2({ path: "/mcp", token: member.token ?? "" }, { versionNegotiation: { mode } }));
      expect(all.getNegotiatedProtocolVersion()).toBe(MODERN);
      expect(textOf(await all.callTool({ name: "conf__test_simple_text", arguments: {} }))).toBe(expected);
    }
  });
});

describe("the MCP Inspector CLI through both endpoints, over HTTP", () => {
  let http: Awaited<ReturnType<typeof startGatewayHttp>>;
  let base: string;

  beforeAll(async () => {
    http = await startGatewayHttp();
    base = http.url;
  });

  afterAll(async () => {
    await http.stop();
  });

  async function inspector(path: string, token: string, ...args: string[]): Promise<unknown> {
    const { stdout } = await run(process.execPath, [resolve("scripts/inspector.mjs"), `${base}${path}`, "--transport", "http", "--header", `Authorization: Bearer ${token}`, ...args], { timeout: 30_000 });
    return JSON.parse(stdout);
  }

  it("lists and calls tools on /mcp/{id} and /mcp, and is refused with a wrong token", async () => {
    const one = (await inspector(PATH, member.token ?? "", "--method", "tools/list")) as { tools: { name: string }[] };
    expect(one.tools.map((tool) => tool.name)).toContain("test_simple_text");
    const called = (await inspector(PATH, member.token ?? "", "--method", "tools/call", "--tool-name", "json_schema_2020_12_tool", "--tool-arg", "name=Ada", "email=ada@example.test")) as CallToolResult;
    expect(textOf(called)).toBe('Received {"name":"Ada","email":"ada@example.test"}');
    const all = (await inspector("/mcp", member.token ?? "", "--method", "tools/list")) as { tools: { name: string }[] };
    expect(all.tools.map((tool) => tool.name)).toContain("conf__test_simple_text");
    const viaAll = (await inspector("/mcp", member.token ?? "", "--method", "tools/call", "--tool-name", "conf__test_simple_text")) as CallToolResult;
    expect(textOf(viaAll)).toBe("This is a simple text response for testing.");
    await expect(inspector(PATH, "mcpc_wrong", "--method", "tools/list")).rejects.toThrow(/401/);
  });
});
