// The workspace endpoint (/mcp) passes what a tool's server says during a call to the MCP client
// that made it — elicitation (form and URL), sampling, roots, log messages, progress — and the
// client's answers back; it speaks 2026-07-28 beside 2025-11-25. Real servers over HTTP, the SDK's
// own v1 and v2 clients.
import { Client as ClientV1 } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport as TransportV1 } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { CreateMessageRequestSchema, ElicitRequestSchema, LoggingMessageNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { Client, ProtocolError, StreamableHTTPClientTransport, type ClientCapabilities } from "@modelcontextprotocol/client";
import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { backgroundTasksSettled } from "@/lib/background";
import { waitingCountForTests } from "@/lib/gateway/client-requests";
import { closeWarmSessionsForTests } from "@/lib/mcp/client";
import { startInteractiveServer, startModernServer, type TestServer } from "../../e2e/support/interactive-server";
import { gatewayFetch } from "./gateway-client";
import { call, createActor, ORIGIN, type Actor } from "./helpers";

let interactive: TestServer;
let modern: TestServer;
let admin: Actor & { email: string };
let member: Actor & { email: string };
const open: { close: () => Promise<void> }[] = [];

type Answers = { name?: string; decline?: boolean; sample?: string; refuseSampling?: boolean; roots?: string[] };
type Heard = { logs: unknown[]; progress: number[] };

const ALL: ClientCapabilities = { elicitation: { form: {}, url: {} }, sampling: {}, roots: {} };

function transportFor(actor: Actor) {
  return { fetch: gatewayFetch(), requestInit: { headers: { authorization: `Bearer ${actor.token}` } } };
}

/** An SDK v2 client of the gateway that answers as `answers` says, and keeps what it hears. */
async function clientV2(actor: Actor, capabilities: ClientCapabilities, answers: Answers, heard: Heard, modernEra = false): Promise<Client> {
  const client = new Client({ name: "relay-test", version: "2.0.0" }, { capabilities, ...(modernEra ? { versionNegotiation: { mode: "auto" as const } } : {}) });
  if (capabilities.elicitation) {
    client.setRequestHandler("elicitation/create", (request) => {
      if (answers.decline) return { action: "decline" };
      if (request.params.mode === "url") return { action: "accept" };
      return { action: "accept", content: { name: answers.name ?? "Ada", confirm: true } };
    });
  }
  if (capabilities.sampling) {
    client.setRequestHandler("sampling/createMessage", () => {
      if (answers.refuseSampling) throw new ProtocolError(-1, "The user refused to sample");
      return { role: "assistant", model: "test-model", content: { type: "text", text: answers.sample ?? "hi from the client" } };
    });
  }
  if (capabilities.roots) client.setRequestHandler("roots/list", () => ({ roots: (answers.roots ?? ["file:///work"]).map((uri) => ({ uri })) }));
  client.setNotificationHandler("notifications/message", (notification) => { heard.logs.push(notification.params.data); });
  await client.connect(new StreamableHTTPClientTransport(new URL("/mcp", ORIGIN), transportFor(actor)));
  open.push(client);
  return client;
}

async function interact(client: Client, ask: string[], heard: Heard): Promise<string> {
  const result = await client.callTool({ name: "talk__interact", arguments: { ask } }, { onprogress: (progress) => { heard.progress.push(progress.progress); } });
  return (result.content[0] as { text: string }).text;
}

const heard = (): Heard => ({ logs: [], progress: [] });

beforeAll(async () => {
  interactive = await startInteractiveServer();
  modern = await startModernServer();
  admin = await createActor("admin");
  member = await createActor("member", admin.workspaceId);
  for (const [name, identifier, url] of [["Talk", "talk", interactive.url], ["Modern", "modern", modern.url]]) {
    const created = await call(admin, "POST /api/v1/mcp-providers", { body: { name, server_identifier: identifier, server_url: url } });
    expect(created.status, created.text).toBe(201);
  }
  await backgroundTasksSettled();
}, 60_000);

afterEach(async () => {
  await Promise.all(open.splice(0).map((client) => client.close()));
});

afterAll(async () => {
  closeWarmSessionsForTests();
  await interactive.stop();
  await modern.stop();
});

describe("2025-11-25: a tool's requests reach the client whose call it is", () => {
  it("an SDK v2 client answers the elicitation (form and URL), the sampling and roots, and hears the logs and progress", async () => {
    const ears = heard();
    const client = await clientV2(member, ALL, { name: "Ada", sample: "hello there", roots: ["file:///work", "file:///home"] }, ears);
    expect(client.getNegotiatedProtocolVersion()).toBe("2025-11-25");
    const text = await interact(client, ["name", "url", "sample", "roots"], ears);
    expect(text.split("\n")).toEqual(["elicit:accept:Ada", "url:accept", "sample:hello there", "roots:file:///work,file:///home"]);
    expect(ears.logs).toEqual(["starting", "done"]);
    expect(ears.progress).toEqual([1, 2, 3, 4]);
    expect(waitingCountForTests()).toBe(0);
  });

  it("an SDK v1 client answers too", async () => {
    const logs: unknown[] = [];
    const client = new ClientV1({ name: "relay-test-v1", version: "1.0.0" }, { capabilities: { elicitation: { form: {} }, sampling: {} } });
    client.setRequestHandler(ElicitRequestSchema, () => ({ action: "accept", content: { name: "Grace" } }));
    client.setRequestHandler(CreateMessageRequestSchema, () => ({ role: "assistant", model: "m", content: { type: "text", text: "v1 says hi" } }));
    client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => { logs.push(notification.params.data); });
    await client.connect(new TransportV1(new URL("/mcp", ORIGIN), transportFor(member)));
    open.push(client);
    const result = await client.callTool({ name: "talk__interact", arguments: { ask: ["name", "sample"] } });
    expect((result.content as { text: string }[])[0].text.split("\n")).toEqual(["elicit:accept:Grace", "sample:v1 says hi"]);
    expect(logs).toEqual(["starting", "done"]);
  });

  it("a client that declines, or refuses to sample, is heard as it answered", async () => {
    const ears = heard();
    const client = await clientV2(member, ALL, { decline: true, refuseSampling: true }, ears);
    expect((await interact(client, ["name", "sample"], ears)).split("\n")).toEqual(["elicit:decline:", "sample:error:-1"]);
  });

  it("a client without the capability is never asked: the server is told it can't be", async () => {
    const ears = heard();
    const client = await clientV2(member, {}, {}, ears);
    const lines = (await interact(client, ["name", "url", "sample", "roots"], ears)).split("\n");
    expect(lines.every((line) => line.includes(":error:"))).toBe(true);
    // Logs need no capability: they still arrive.
    expect(ears.logs).toEqual(["starting", "done"]);
  });

  it("two clients of one user calling at once each answer their own call, on the same warm upstream session", async () => {
    const [first, second] = [heard(), heard()];
    const ada = await clientV2(member, ALL, { name: "Ada" }, first);
    const bob = await clientV2(member, ALL, { name: "Bob" }, second);
    const initializes = interactive.methods.filter((method) => method === "initialize").length;
    const [adaSays, bobSays] = await Promise.all([interact(ada, ["name", "name"], first), interact(bob, ["name", "name"], second)]);
    expect(adaSays).toBe("elicit:accept:Ada\nelicit:accept:Ada");
    expect(bobSays).toBe("elicit:accept:Bob\nelicit:accept:Bob");
    expect(first.logs).toEqual(["starting", "done"]);
    expect(second.logs).toEqual(["starting", "done"]);
    expect(interactive.methods.filter((method) => method === "initialize").length - initializes).toBeLessThanOrEqual(1);
  });

  it("nobody answers another's request: another user's answer, or one from another session, is not taken", async () => {
    const forged = { action: "accept", content: { name: "Mallory" } };
    const answerAs = (actor: Actor, sessionId: string, id: string | number) =>
      gatewayFetch()(new URL("/mcp", ORIGIN), {
        method: "POST",
        headers: { authorization: `Bearer ${actor.token}`, "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-session-id": sessionId },
        body: JSON.stringify({ jsonrpc: "2.0", id, result: forged }),
      });
    const client = new Client({ name: "relay-test", version: "2.0.0" }, { capabilities: { elicitation: { form: {} } } });
    const transport = new StreamableHTTPClientTransport(new URL("/mcp", ORIGIN), transportFor(member));
    const refused: number[] = [];
    client.setRequestHandler("elicitation/create", async (_request, ctx) => {
      // Before the client answers, others try to, with the very id the gateway gave the request.
      const ownSession = transport.sessionId ?? "";
      refused.push((await answerAs(admin, ownSession, ctx.mcpReq.id)).status);
      refused.push((await answerAs(member, `${randomUUID()}.f`, ctx.mcpReq.id)).status);
      return { action: "accept", content: { name: "Ada" } };
    });
    await client.connect(transport);
    open.push(client);
    expect(await interact(client, ["name"], heard())).toBe("elicit:accept:Ada");
    expect(refused).toEqual([202, 202]);
  });
});

describe("2026-07-28", () => {
  it("answers server/discover and calls a tool in the modern era; tools/list is private to the caller", async () => {
    const ears = heard();
    const client = await clientV2(member, ALL, {}, ears, true);
    expect(client.getNegotiatedProtocolVersion()).toBe("2026-07-28");
    expect(client.getDiscoverResult()?.supportedVersions).toContain("2026-07-28");
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(expect.arrayContaining(["modern__echo", "modern__confirm", "talk__interact"]));
    const result = await client.callTool({ name: "modern__echo", arguments: { message: "hi" } });
    expect(result.content).toEqual([{ type: "text", text: "Echo: hi" }]);

    const listed = await modernPost(member, "tools/list", {});
    expect(listed.status).toBe(200);
    expect(await resultOf(listed)).toMatchObject({ cacheScope: "private" });
  });

  it("an upstream's input_required result reaches the client, and its retry reaches the same server", async () => {
    const client = await clientV2(member, ALL, {}, heard(), true);
    const calls = modern.methods.filter((method) => method === "tools/call").length;
    const result = await client.callTool({ name: "modern__confirm", arguments: { what: "the deploy" } });
    expect(result.content).toEqual([{ type: "text", text: "confirmed the deploy (state asked-about:the deploy)" }]);
    // The first call, then the client's retry: the gateway answered nothing in between itself.
    expect(modern.methods.filter((method) => method === "tools/call").length - calls).toBe(2);
    // The console spoke 2026-07-28 to it: it asked which revisions it speaks, and never initialized.
    expect(modern.methods).toContain("server/discover");
    expect(modern.methods).not.toContain("initialize");
  });

  it("a 2025-11-25 client answers a 2026-07-28 server's input_required too: the gateway asks it, then retries", async () => {
    const client = await clientV2(member, ALL, {}, heard());
    expect(client.getNegotiatedProtocolVersion()).toBe("2025-11-25");
    const result = await client.callTool({ name: "modern__confirm", arguments: { what: "the rollback" } });
    expect(result.content).toEqual([{ type: "text", text: "confirmed the rollback (state asked-about:the rollback)" }]);
  });

  it("subscriptions/listen tells the client when the workspace's providers change", async () => {
    const client = await clientV2(member, {}, {}, heard(), true);
    const changed = new Promise<string>((resolve) => {
      client.setNotificationHandler("notifications/tools/list_changed", () => { resolve("notified"); });
    });
    const subscription = await client.listen({ toolsListChanged: true });
    expect(subscription.honoredFilter).toMatchObject({ toolsListChanged: true });
    const [provider] = (await call(admin, "GET /api/v1/mcp-providers", { query: { q: "Modern" } })).json.data;
    await call(admin, "PATCH /api/v1/mcp-providers/{id}", { params: { id: provider.id }, body: { name: "Modern!" } });
    await expect(changed).resolves.toBe("notified");
    await subscription.close();
  });

  it("refuses a request whose Mcp-Method header doesn't match its body (400)", async () => {
    const response = await modernPost(member, "tools/list", {}, { "mcp-method": "tools/call" });
    expect(response.status).toBe(400);
  });
});

const MODERN_META = {
  "io.modelcontextprotocol/protocolVersion": "2026-07-28",
  "io.modelcontextprotocol/clientCapabilities": {},
  "io.modelcontextprotocol/clientInfo": { name: "raw", version: "1" },
};

function modernPost(actor: Actor, method: string, params: Record<string, unknown>, headers: Record<string, string> = {}) {
  return gatewayFetch()(new URL("/mcp", ORIGIN), {
    method: "POST",
    headers: {
      authorization: `Bearer ${actor.token}`,
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": "2026-07-28",
      "mcp-method": method,
      ...headers,
    },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params: { ...params, _meta: MODERN_META } }),
  });
}

/** The JSON-RPC result of a response, whether it came as JSON or as an event stream. */
async function resultOf(response: Response): Promise<Record<string, unknown>> {
  const text = await response.text();
  const json = response.headers.get("content-type")?.includes("text/event-stream") ? text.split("\n").filter((line) => line.startsWith("data: ")).map((line) => line.slice(6)).at(-1) : text;
  return (JSON.parse(json ?? "{}") as { result: Record<string, unknown> }).result;
}
