import { describe, expect, it } from "vitest";
import { bodyProtocolVersion, headerMismatch, isKnownMethod, isModern, readEnvelope, type Message } from "@/lib/gateway/envelope";

const request = (method: string, params: Record<string, unknown> = {}, id: string | number = 1) => ({ jsonrpc: "2.0", id, method, params });
const only = (value: unknown): Message => {
  const envelope = readEnvelope(JSON.stringify(value));
  if (!envelope) throw new Error("not an envelope");
  return envelope.messages[0];
};
const META = "io.modelcontextprotocol/protocolVersion";

describe("reading a POST's envelope", () => {
  it("reads one message or a batch of requests, notifications and responses", () => {
    expect(readEnvelope(JSON.stringify(request("tools/list")))).toEqual({ batch: false, messages: [{ kind: "request", id: 1, method: "tools/list", params: {} }] });
    const batch = readEnvelope(JSON.stringify([request("ping", {}, "a"), { jsonrpc: "2.0", method: "notifications/initialized" }, { jsonrpc: "2.0", id: 9, result: { action: "accept" } }]));
    expect(batch?.batch).toBe(true);
    expect(batch?.messages.map((message) => message.kind)).toEqual(["request", "notification", "response"]);
  });

  it("refuses what isn't JSON-RPC: no body, another version, params that aren't an object, an id that can't be one, an empty or oversized batch", () => {
    for (const text of ["", "{", "null", "[]", JSON.stringify({ id: 1, method: "ping" }), JSON.stringify({ jsonrpc: "1.0", id: 1, method: "ping" })]) {
      expect(readEnvelope(text), text).toBeUndefined();
    }
    expect(readEnvelope(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: ["echo"] }))).toBeUndefined();
    expect(readEnvelope(JSON.stringify({ jsonrpc: "2.0", id: { x: 1 }, method: "ping" }))).toBeUndefined();
    expect(readEnvelope(JSON.stringify({ jsonrpc: "2.0", id: 1 }))).toBeUndefined();
    expect(readEnvelope(JSON.stringify(Array.from({ length: 100 }, (_, i) => request("ping", {}, i))))?.messages).toHaveLength(100);
    expect(readEnvelope(JSON.stringify(Array.from({ length: 101 }, (_, i) => request("ping", {}, i))))).toBeUndefined();
  });
});

describe("the method allow-list", () => {
  it("knows the methods of both revisions exactly as they are spelled", () => {
    for (const method of ["initialize", "tools/call", "tools/list", "resources/read", "server/discover", "subscriptions/listen"]) expect(isKnownMethod(only(request(method))), method).toBe(true);
    for (const method of ["notifications/initialized", "notifications/cancelled", "notifications/roots/list_changed"]) expect(isKnownMethod(only({ jsonrpc: "2.0", method })), method).toBe(true);
    expect(isKnownMethod(only({ jsonrpc: "2.0", id: 3, result: {} }))).toBe(true);
  });

  it("knows no other spelling, and no method in the wrong role", () => {
    for (const method of ["Tools/Call", "TOOLS/CALL", "tools/call ", " tools/call", "tools/call\u0000", "tools//call", "sampling/createMessage", "elicitation/create", "roots/list"]) {
      expect(isKnownMethod(only(request(method))), JSON.stringify(method)).toBe(false);
    }
    // A notification's name sent as a request, and a request's as a notification.
    expect(isKnownMethod(only(request("notifications/initialized")))).toBe(false);
    expect(isKnownMethod(only({ jsonrpc: "2.0", method: "tools/call" }))).toBe(false);
  });
});

describe("the protocol revision a request speaks", () => {
  it("is in its _meta for 2026-07-28 and later; older revisions carry none", () => {
    expect(bodyProtocolVersion(only(request("tools/list", { _meta: { [META]: "2026-07-28" } })))).toBe("2026-07-28");
    expect(bodyProtocolVersion(only(request("tools/list")))).toBeUndefined();
    expect(bodyProtocolVersion(only({ jsonrpc: "2.0", id: 1, result: {} }))).toBeUndefined();
    expect([isModern("2026-07-28"), isModern("2027-01-01"), isModern("2025-11-25"), isModern("2024-11-05"), isModern(undefined)]).toEqual([true, true, false, false, false]);
  });
});

describe("headers that mirror the body (2026-07-28)", () => {
  const call = only(request("tools/call", { name: "echo", arguments: {}, _meta: { [META]: "2026-07-28" } }));
  const headers = (extra: Record<string, string>) => new Headers({ "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/call", "mcp-name": "echo", ...extra });

  it("agree: nothing to say", () => {
    expect(headerMismatch(call, headers({}))).toBeUndefined();
    expect(headerMismatch(only(request("tools/list", { _meta: { [META]: "2026-07-28" } })), new Headers({ "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/list" }))).toBeUndefined();
    expect(headerMismatch(only({ jsonrpc: "2.0", method: "notifications/cancelled" }), new Headers())).toBeUndefined();
  });

  it("disagree on the revision, the method or the name: each is said", () => {
    expect(headerMismatch(call, headers({ "mcp-protocol-version": "2025-11-25" }))).toMatch(/MCP-Protocol-Version/);
    expect(headerMismatch(call, headers({ "mcp-method": "tools/list" }))).toMatch(/Mcp-Method/);
    expect(headerMismatch(call, headers({ "mcp-method": "Tools/Call" }))).toMatch(/Mcp-Method/);
    expect(headerMismatch(call, headers({ "mcp-name": "other" }))).toMatch(/Mcp-Name/);
    const withoutName = headers({});
    withoutName.delete("mcp-name");
    expect(headerMismatch(call, withoutName)).toMatch(/Mcp-Name/);
    const withoutMethod = headers({});
    withoutMethod.delete("mcp-method");
    expect(headerMismatch(call, withoutMethod)).toMatch(/Mcp-Method/);
  });

  it("reads a name sent as base64 (for what a header can't carry), and resources/read by its uri", () => {
    const unicode = only(request("tools/call", { name: "grüße", _meta: { [META]: "2026-07-28" } }));
    expect(headerMismatch(unicode, headers({ "mcp-name": `=?base64?${Buffer.from("grüße").toString("base64")}?=` }))).toBeUndefined();
    expect(headerMismatch(unicode, headers({ "mcp-name": `=?base64?${Buffer.from("grusse").toString("base64")}?=` }))).toMatch(/Mcp-Name/);
    const read = only(request("resources/read", { uri: "file:///a.txt", _meta: { [META]: "2026-07-28" } }));
    expect(headerMismatch(read, new Headers({ "mcp-protocol-version": "2026-07-28", "mcp-method": "resources/read", "mcp-name": "file:///a.txt" }))).toBeUndefined();
    expect(headerMismatch(read, new Headers({ "mcp-protocol-version": "2026-07-28", "mcp-method": "resources/read", "mcp-name": "file:///b.txt" }))).toMatch(/params\.uri/);
  });
});
