// OpenTelemetry, against a real OTLP/HTTP receiver started here and our conformance MCP server
// behind a recording proxy (which shows the traceparent the server got): a span per gateway request
// and per tool call on every path, with the client's traceparent as the request's parent and the
// console's span as the server's; the activity log as OTLP log records, each the JSON Lines export's
// line; nothing secret sent; and a collector that is down costs the console nothing but a warning.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flushToolCalls } from "@/lib/activity/tool-calls";
import { backgroundTasksSettled } from "@/lib/background";
import { db } from "@/lib/db";
import { parseEnv } from "@/lib/env";
import { captureLogsForTests } from "@/lib/log";
import { closeWarmSessionsForTests } from "@/lib/mcp/client";
import { flushActivityLogExport, startActivityLogExport, stopActivityLogExport, TOOL_CALL_EVENT } from "@/lib/observability/otlp-logs";
import { flushTracing, startTracing, stopTracing } from "@/lib/observability/tracing";
import { startConformanceServer, type ConformanceServer } from "../../e2e/support/conformance-server";
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from "../../e2e/support/otlp-receiver";
import { startDroppingServer } from "../../e2e/support/ports";
import { startRecordingProxy } from "../../e2e/support/recording-proxy";
import { call, createActor, ORIGIN, sessionCookie, type Actor } from "./helpers";
import { connectV1, gatewayRequest, messagesOf, modernRequest } from "./relay-fixture";

const PROVIDER_SECRET = `provider-key-${randomUUID()}`;
const URL_SECRET = `url-key-${randomUUID()}`;
const COLLECTOR_SECRET = `collector-key-${randomUUID()}`;
const PHONE_SECRET = "sk-live-0123456789abcdefghijkl";
const ARGUMENT_MARKER = `Ada-${randomUUID()}`;
const SERVER_SPAN = "00f067aa0ba902b7";
const SERVER = 2;
const CLIENT = 3;
const ERROR = 2;

let server: ConformanceServer;
let proxy: Awaited<ReturnType<typeof startRecordingProxy>>;
let receiver: OtlpReceiver;
let admin: Actor & { email: string };
let member: Actor & { email: string };
let providerId: string;
let identifier: string;

const newTraceId = () => randomUUID().replaceAll("-", "");
const traceparentOf = (traceId: string, spanId = SERVER_SPAN) => `00-${traceId}-${spanId}-01`;

function parseTraceparent(value: unknown) {
  const match = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(String(value));
  if (!match) throw new Error(`not a traceparent: ${String(value)}`);
  return { traceId: match[1], parentId: match[2], flags: match[3] };
}

/** The traceparent of the last tools/call the MCP server received after `since` requests. */
function upstreamCallSince(since: number) {
  const calls = proxy.requests.slice(since).filter((request) => request.rpc.includes("tools/call"));
  expect(calls).toHaveLength(1);
  return calls[0].headers;
}

async function spansOfTrace(traceId: string): Promise<ReceivedSpan[]> {
  await flushTracing();
  return receiver.spans.filter((span) => span.traceId === traceId);
}

function onlySpan(spans: ReceivedSpan[], name: string): ReceivedSpan {
  const found = spans.filter((span) => span.name === name);
  expect(found, `spans named ${name} among ${spans.map((span) => span.name).join(", ")}`).toHaveLength(1);
  return found[0];
}

function relayCall(traceId: string, tool = "test_simple_text", args: Record<string, unknown> = {}, traceparent = traceparentOf(traceId)) {
  const request = modernRequest(7, "tools/call", { name: tool, arguments: args });
  return gatewayRequest(`/mcp/${identifier}`, { token: member.token, body: request.body, headers: { ...request.headers, traceparent, tracestate: "vendor=client" } });
}

beforeAll(async () => {
  server = await startConformanceServer();
  proxy = await startRecordingProxy(server.url);
  receiver = await startOtlpReceiver();
  admin = await createActor("admin");
  member = await createActor("member", admin.workspaceId);
  identifier = `otel-${randomUUID().slice(0, 8)}`;
  const created = await call(admin, "POST /api/v1/mcp-providers", {
    body: { name: "Traced", server_identifier: identifier, server_url: `${proxy.url}?key=${URL_SECRET}`, headers: { Authorization: `Bearer ${PROVIDER_SECRET}` } },
  });
  expect(created.status, created.text).toBe(201);
  providerId = created.json.id;
  await backgroundTasksSettled();
}, 60_000);

afterAll(async () => {
  await stopTracing();
  await stopActivityLogExport();
  closeWarmSessionsForTests();
  await receiver.stop();
  await proxy.stop();
  await server.stop();
});

// The activity record of a call made before the export started: never sent.
let unsentRecordId: string;

describe("with tracing off", () => {
  it("passes the client's traceparent and tracestate to the MCP server as they came", async () => {
    const traceId = newTraceId();
    const since = proxy.requests.length;
    const [answer] = await messagesOf(await relayCall(traceId));
    expect(answer.result?.isError).toBeFalsy();
    const headers = upstreamCallSince(since);
    expect(headers.traceparent).toBe(traceparentOf(traceId));
    expect(headers.tracestate).toBe("vendor=client");
    await flushToolCalls();
    unsentRecordId = (await db().toolCall.findFirstOrThrow({ where: { providerId } })).id;
  });
});

describe("with traces and the activity log sent to a collector", () => {
  const logLines: string[] = [];
  let stopCapture: () => void;

  beforeAll(() => {
    stopCapture = captureLogsForTests((line) => logLines.push(line));
    const config = parseEnv({
      ...process.env,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_LOGS_EXPORTER: "otlp",
      OTEL_EXPORTER_OTLP_HEADERS: `x-collector-key=${COLLECTOR_SECRET}`,
      OTEL_SERVICE_NAME: "mcp-console-under-test",
      OTEL_RESOURCE_ATTRIBUTES: "deployment.environment.name=test",
    });
    expect(startTracing(config)).toBe(true);
    expect(startActivityLogExport(config)).toBe(true);
  });

  afterAll(() => {
    stopCapture();
  });

  it("relay: the request's span is the child of the client's, the call's of the request's, and the server's parent is the call", async () => {
    const traceId = newTraceId();
    const since = proxy.requests.length;
    const [answer] = await messagesOf(await relayCall(traceId));
    expect(answer.result?.isError).toBeFalsy();
    const spans = await spansOfTrace(traceId);

    const request = onlySpan(spans, "POST /mcp/{server_identifier}");
    expect(request).toMatchObject({ kind: SERVER, parentSpanId: SERVER_SPAN });
    expect(request.attributes).toMatchObject({
      "http.request.method": "POST",
      "http.route": "/mcp/{server_identifier}",
      "http.response.status_code": 200,
      "mcp.method.name": "tools/call",
      "jsonrpc.request.id": "7",
      "gen_ai.tool.name": "test_simple_text",
      "mcp.protocol.version": "2026-07-28",
      "user.id": member.userId,
      "mcp_console.workspace.id": member.workspaceId,
      "mcp_console.provider.id": providerId,
      "mcp_console.provider.name": "Traced",
      "mcp_console.server_identifier": identifier,
    });
    expect(request.resource).toMatchObject({ "service.name": "mcp-console-under-test", "deployment.environment.name": "test" });

    const tool = onlySpan(spans, "tools/call test_simple_text");
    expect(tool).toMatchObject({ kind: CLIENT, parentSpanId: request.spanId });
    expect(tool.status.code).not.toBe(ERROR);
    expect(tool.attributes).toMatchObject({
      "mcp.method.name": "tools/call",
      "gen_ai.operation.name": "execute_tool",
      "gen_ai.tool.name": "test_simple_text",
      "jsonrpc.request.id": "7",
      "user.id": member.userId,
      "mcp_console.provider.id": providerId,
      "mcp_console.via": "gateway",
      "mcp_console.outcome": "ok",
    });
    await flushToolCalls();
    const [record] = await db().toolCall.findMany({ where: { providerId, userId: member.userId, requestId: String(tool.attributes["mcp_console.request_id"]) } });
    expect(tool.attributes["mcp_console.identity_mode"]).toBe(record.identity);

    // The server got the console's span, in the client's trace, with the client's tracestate.
    const upstream = upstreamCallSince(since);
    expect(parseTraceparent(upstream.traceparent)).toEqual({ traceId, parentId: tool.spanId, flags: "01" });
    expect(upstream.tracestate).toBe("vendor=client");
  });

  it("a client's traceparent gives the trace its id and parent, not the decision: one marked not sampled still gets the console's spans", async () => {
    const traceId = newTraceId();
    const since = proxy.requests.length;
    const [answer] = await messagesOf(await relayCall(traceId, "test_simple_text", {}, `00-${traceId}-${SERVER_SPAN}-00`));
    expect(answer.result?.isError).toBeFalsy();
    const spans = await spansOfTrace(traceId);
    const tool = onlySpan(spans, "tools/call test_simple_text");
    expect(onlySpan(spans, "POST /mcp/{server_identifier}")).toMatchObject({ parentSpanId: SERVER_SPAN });
    expect(parseTraceparent(upstreamCallSince(since).traceparent).parentId).toBe(tool.spanId);
  });

  it("relay: a failing call's span says how it failed; a client without a traceparent starts a trace of the console's", async () => {
    const client = await connectV1(`/mcp/${identifier}`, member.token ?? "");
    const since = proxy.requests.length;
    try {
      const result = await client.callTool({ name: "test_error_handling", arguments: {} });
      expect(result.isError).toBe(true);
    } finally {
      await client.close();
    }
    const { traceId, parentId } = parseTraceparent(upstreamCallSince(since).traceparent);
    const spans = await spansOfTrace(traceId);
    const tool = onlySpan(spans, "tools/call test_error_handling");
    expect(tool.spanId).toBe(parentId);
    expect(tool.status.code).toBe(ERROR);
    expect(tool.attributes).toMatchObject({ "error.type": "tool_error", "mcp_console.outcome": "tool_error" });
    const request = spans.find((span) => span.spanId === tool.parentSpanId);
    expect(request).toMatchObject({ name: "POST /mcp/{server_identifier}", kind: SERVER, parentSpanId: undefined });
    // The session's other requests (initialize, the initialized notification, DELETE) have spans of their own.
    await flushTracing();
    expect(receiver.spans.filter((span) => span.attributes["mcp.method.name"] === "initialize" && span.attributes["user.id"] === member.userId).length).toBeGreaterThan(0);
  });

  it("the workspace endpoint /mcp: request, call and the server's request in one trace", async () => {
    const traceId = newTraceId();
    const since = proxy.requests.length;
    const request = modernRequest(11, "tools/call", { name: `${identifier}__test_simple_text`, arguments: {} });
    const [answer] = await messagesOf(await gatewayRequest("/mcp", { token: member.token, body: request.body, headers: { ...request.headers, traceparent: traceparentOf(traceId) } }));
    expect(answer.result?.isError).toBeFalsy();
    const spans = await spansOfTrace(traceId);
    const served = onlySpan(spans, "POST /mcp");
    expect(served).toMatchObject({ kind: SERVER, parentSpanId: SERVER_SPAN });
    expect(served.attributes).toMatchObject({ "http.route": "/mcp", "mcp.method.name": "tools/call", "gen_ai.tool.name": `${identifier}__test_simple_text`, "user.id": member.userId });
    const tool = onlySpan(spans, "tools/call test_simple_text");
    expect(tool).toMatchObject({ kind: CLIENT, parentSpanId: served.spanId });
    expect(tool.attributes).toMatchObject({ "mcp_console.via": "gateway", "mcp_console.provider.id": providerId, "mcp_console.outcome": "ok", "user.id": member.userId });
    expect(parseTraceparent(upstreamCallSince(since).traceparent)).toMatchObject({ traceId, parentId: tool.spanId });
  });

  it("the REST API and Try it: a span per request (the client's traceparent its parent), its call's span, and the server's request names the call as its parent", async () => {
    const viaCookie = { cookie: await sessionCookie(member.userId), userId: member.userId, workspaceId: member.workspaceId };
    const clientTrace = newTraceId();
    const asked = [
      { caller: member, via: "api", headers: { traceparent: traceparentOf(clientTrace), tracestate: "vendor=client" }, parent: SERVER_SPAN },
      // The console's own page sends no traceparent: its request starts a trace of the console's.
      { caller: viaCookie, via: "console", headers: { origin: ORIGIN }, parent: undefined },
    ] as const;
    for (const { caller, via, headers, parent } of asked) {
      const since = proxy.requests.length;
      const res = await call(caller, "POST /api/v1/mcp-providers/{id}/tools/{tool}/call", { params: { id: providerId, tool: "test_simple_text" }, body: { arguments: {} }, headers });
      expect(res.status, res.text).toBe(200);
      const upstream = upstreamCallSince(since);
      const { traceId, parentId } = parseTraceparent(upstream.traceparent);
      if (parent) {
        expect(traceId).toBe(clientTrace);
        expect(upstream.tracestate).toBe("vendor=client");
      }
      const spans = await spansOfTrace(traceId);
      const request = onlySpan(spans, "POST /api/v1/mcp-providers/{id}/tools/{tool}/call");
      expect(request).toMatchObject({ kind: SERVER, parentSpanId: parent });
      expect(request.attributes).toMatchObject({
        "http.request.method": "POST",
        "http.route": "/api/v1/mcp-providers/{id}/tools/{tool}/call",
        "http.response.status_code": 200,
        "mcp_console.request_id": res.headers.get("x-request-id"),
        "user.id": member.userId,
        "mcp_console.workspace.id": member.workspaceId,
      });
      const tool = onlySpan(spans, "tools/call test_simple_text");
      expect(tool).toMatchObject({ spanId: parentId, kind: CLIENT, parentSpanId: request.spanId });
      expect(tool.attributes).toMatchObject({ "mcp_console.via": via, "mcp_console.outcome": "ok", "user.id": member.userId, "mcp_console.provider.name": "Traced" });
    }
  });

  it("the REST API: every route's request has its span, and a refusal says so", async () => {
    const traceId = newTraceId();
    const res = await call(member, "GET /api/v1/mcp-providers/{id}", { params: { id: randomUUID() }, headers: { traceparent: traceparentOf(traceId) } });
    expect(res.status).toBe(404);
    const request = onlySpan(await spansOfTrace(traceId), "GET /api/v1/mcp-providers/{id}");
    expect(request).toMatchObject({ kind: SERVER, parentSpanId: SERVER_SPAN });
    expect(request.attributes).toMatchObject({ "http.route": "/api/v1/mcp-providers/{id}", "http.response.status_code": 404, "user.id": member.userId });
  });

  it("sends each activity record as a log record: the export's line as its body, its fields as attributes, its call's trace", async () => {
    const traceId = newTraceId();
    await messagesOf(await relayCall(traceId));
    await flushToolCalls();
    await flushActivityLogExport();
    const exported = await call(admin, "GET /api/v1/tool-calls/export", { query: { provider: providerId } });
    expect(exported.status).toBe(200);
    const lines = exported.text.split("\n").filter(Boolean);
    expect(lines.length).toBeGreaterThanOrEqual(6);
    for (const line of lines) {
      const { id, position, hash, outcome } = JSON.parse(line) as { id: string; position: number; hash: string; outcome: string };
      const records = receiver.logs.filter((record) => record.attributes["log.record.uid"] === id);
      if (id === unsentRecordId) {
        expect(records).toHaveLength(0);
        continue;
      }
      expect(records, `log records of ${id}`).toHaveLength(1);
      const [record] = records;
      // Byte for byte what the JSON Lines export says: a SIEM checks its hash the same way.
      expect(record.body).toBe(line);
      expect(record.eventName).toBe(TOOL_CALL_EVENT);
      expect(record.severityText).toBe(outcome === "ok" ? "INFO" : "WARN");
      expect(record.attributes).toMatchObject({ "mcp_console.activity.position": position, "mcp_console.activity.hash": hash, "mcp_console.provider.id": providerId, "mcp_console.outcome": outcome });
      expect(record.resource).toMatchObject({ "service.name": "mcp-console-under-test" });
    }
    // The relayed call's record names the call's span.
    const tool = onlySpan(await spansOfTrace(traceId), "tools/call test_simple_text");
    const linked = receiver.logs.filter((record) => record.traceId === traceId);
    expect(linked).toHaveLength(1);
    expect(linked[0]).toMatchObject({ spanId: tool.spanId });
    expect(linked[0].attributes).toMatchObject({ "user.id": member.userId, "user.email": member.email, "gen_ai.tool.name": "test_simple_text", "mcp_console.via": "gateway" });
  });

  it("sends nothing secret: no credential, token or argument in a span; recorded arguments only as stored, redacted", async () => {
    const patched = await call(admin, "PATCH /api/v1/mcp-providers/{id}", { params: { id: providerId }, body: { activity_recording: { arguments: true } } });
    expect(patched.status, patched.text).toBe(200);
    const args = { name: ARGUMENT_MARKER, email: "ada@example.test", phone: PHONE_SECRET };
    const res = await call(member, "POST /api/v1/mcp-providers/{id}/tools/{tool}/call", { params: { id: providerId, tool: "json_schema_2020_12_tool" }, body: { arguments: args } });
    expect(res.status, res.text).toBe(200);
    const [answer] = await messagesOf(await relayCall(newTraceId(), "json_schema_2020_12_tool", args));
    expect(answer.result?.isError).toBeFalsy();
    await flushToolCalls();
    await flushActivityLogExport();
    await flushTracing();

    const traces = receiver.requests.filter((request) => request.path === "/v1/traces").map((request) => request.body).join("\n");
    const logs = receiver.requests.filter((request) => request.path === "/v1/logs").map((request) => request.body).join("\n");
    for (const secret of [PROVIDER_SECRET, URL_SECRET, COLLECTOR_SECRET, PHONE_SECRET, member.token, admin.token]) {
      expect(traces).not.toContain(secret);
      expect(logs).not.toContain(secret);
    }
    expect(traces).not.toContain(ARGUMENT_MARKER);
    // The activity log keeps what the provider's recording says, redacted; its log records carry that and no more.
    const recorded = receiver.logs.filter((record) => record.attributes["gen_ai.tool.name"] === "json_schema_2020_12_tool");
    expect(recorded).toHaveLength(2);
    for (const record of recorded) {
      const line = JSON.parse(String(record.body)) as { arguments: string | null; result: string | null };
      expect(JSON.parse(line.arguments ?? "null")).toEqual({ ...args, phone: "[redacted]" });
      expect(line.result).toBeNull();
    }
    // The collector got its key with every export, and the console's own log never wrote it.
    expect(receiver.requests.length).toBeGreaterThan(0);
    for (const request of receiver.requests) expect(request.headers["x-collector-key"]).toBe(COLLECTOR_SECRET);
    expect(logLines.join("\n")).not.toContain(COLLECTOR_SECRET);
  });
});

describe("with a collector that is down", () => {
  it("answers every call as before, and warns once that exports fail", async () => {
    await stopTracing();
    await stopActivityLogExport();
    const down = await startDroppingServer();
    const lines: string[] = [];
    const stopCapture = captureLogsForTests((line) => lines.push(line), "warn");
    try {
      const config = parseEnv({ ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${down.port}`, OTEL_LOGS_EXPORTER: "otlp" });
      expect(startTracing(config)).toBe(true);
      expect(startActivityLogExport(config)).toBe(true);
      for (let i = 0; i < 3; i++) {
        const [answer] = await messagesOf(await relayCall(newTraceId()));
        expect(answer.result?.isError).toBeFalsy();
      }
      // Each export is retried for up to its 10 s timeout, then given up.
      await Promise.all([flushTracing(), flushToolCalls().then(flushActivityLogExport)]);
    } finally {
      stopCapture();
      await down.stop();
    }
    const warnings = lines.filter((line) => line.includes("OpenTelemetry export failed"));
    // Once a minute at most, per signal.
    expect(warnings.map((line) => (JSON.parse(line) as { signal: string }).signal).sort()).toEqual(["logs", "traces"]);
  }, 60_000);
});
