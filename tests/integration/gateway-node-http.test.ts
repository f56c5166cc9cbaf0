// The gateway as server.mjs serves it (lib/gateway/node-http.ts): a node request in, the web answer
// streamed back — and nothing left waiting when a client leaves early.
import http from "node:http";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { gatewayTarget, registerGatewayHttp, type GatewayHttp } from "@/lib/gateway/node-http";
import { processWide } from "@/lib/process-wide";
import { listenOnFreePort } from "../../e2e/support/ports";
import { backgroundTasksSettled } from "@/lib/background";
import { log } from "@/lib/log";
import { call, createActor, type Actor } from "./helpers";

let server: http.Server;
let port: number;
let member: Actor;
const handling = new Set<Promise<void>>();
let handled = 0;

beforeAll(async () => {
  registerGatewayHttp();
  const gateway = processWide<GatewayHttp | undefined>("gateway-http", () => undefined);
  if (!gateway) throw new Error("the gateway was not registered");
  server = http.createServer((req, res) => {
    res.setHeader("x-content-type-options", "nosniff"); // as server.mjs's edge does
    const target = gateway.target(new URL(req.url ?? "/", "http://localhost").pathname);
    if (!target) return void res.writeHead(404).end();
    handled += 1;
    const done = gateway.handle(req, res, target);
    // The client is gone while the answer is being made: authenticating it waits on the database
    // (on PostgreSQL long enough for the departure to be seen first; SQLite often answers before).
    if (req.headers["x-test-leave"]) req.socket.destroy();
    handling.add(done);
    void done.finally(() => handling.delete(done));
  });
  port = await listenOnFreePort(server);
  member = await createActor("member");
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** An admin of a new workspace with a provider `identifier` whose server never answers: what is tested happens before anything is forwarded. */
async function adminWithProvider(identifier: string): Promise<Actor> {
  const admin = await createActor("admin");
  const created = await call(admin, "POST /api/v1/mcp-providers", { body: { name: `Provider ${identifier}`, server_identifier: identifier, server_url: "http://127.0.0.1:9/mcp" } });
  expect(created.status, created.text).toBe(201);
  await backgroundTasksSettled();
  return admin;
}

describe("the gateway served by server.mjs", () => {
  it("lets go of an event stream whose client left before it began", async () => {
    const before = handled;
    for (let i = 0; i < 5; i++) {
      // An API token nobody has used yet: its caller is read from the database while the client leaves.
      const fresh = await createActor("member", member.workspaceId);
      await fetch(`http://127.0.0.1:${port}/mcp`, { headers: { authorization: `Bearer ${fresh.token}`, accept: "text/event-stream", "x-test-leave": "1" } }).catch(() => undefined);
    }
    await expect.poll(() => handled - before).toBe(5);
    await expect.poll(() => handling.size, { timeout: 5_000 }).toBe(0);
  });

  it("lets go of a relayed POST whose client left halfway through its body", async () => {
    const admin = await adminWithProvider("left-behind");
    const before = handled;
    for (let i = 0; i < 3; i++) {
      // An API token nobody has used yet: its caller is read from the database after the client has gone.
      const fresh = await createActor("member", admin.workspaceId);
      await new Promise<void>((resolve) => {
        const socket = net.connect(port, "127.0.0.1", () => {
          socket.write(`POST /mcp/left-behind HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${fresh.token}\r\nContent-Type: application/json\r\nContent-Length: 100\r\nX-Test-Leave: 1\r\n\r\n{"jsonrpc":`);
        });
        socket.on("error", () => undefined).on("close", () => { resolve(); });
      });
    }
    await expect.poll(() => handled - before).toBe(3);
    await expect.poll(() => handling.size, { timeout: 5_000 }).toBe(0);
  });

  it("refuses a relayed body past its limit that says no length (chunked) with a 413, and nothing is left to fail afterwards", async () => {
    const admin = await adminWithProvider("chunked-too-big");
    const answer = await new Promise<string>((resolve) => {
      const socket = net.connect(port, "127.0.0.1", () => {
        socket.write(`POST /mcp/chunked-too-big HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${admin.token}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`);
        const chunk = "x".repeat(1024 * 1024);
        for (let i = 0; i < 5; i++) socket.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
        socket.write("0\r\n\r\n");
      });
      let text = "";
      socket.on("data", (data: Buffer) => { text += data.toString(); });
      socket.on("error", () => undefined).on("close", () => { resolve(text); });
    });
    expect(answer).toMatch(/^HTTP\/1\.1 413/);
    expect((await fetch(`http://127.0.0.1:${port}/mcp`, { method: "OPTIONS" })).status).toBe(204);
  });

  it("sends an event stream as it is written", async () => {
    const abort = new AbortController();
    const stream = await fetch(`http://127.0.0.1:${port}/mcp`, { headers: { authorization: `Bearer ${member.token}`, accept: "text/event-stream" }, signal: abort.signal });
    expect(stream.status).toBe(200);
    expect(stream.headers.get("content-type")).toBe("text/event-stream");
    const reader = stream.body?.getReader();
    expect(new TextDecoder().decode((await reader?.read())?.value)).toContain("listening for changes");
    abort.abort();
    await expect.poll(() => handling.size, { timeout: 5_000 }).toBe(0);
  });

  it("logs each request once its answer is on its way — an open stream's while it is open", async () => {
    const info = vi.spyOn(log, "info");
    try {
      const lines = () => info.mock.calls.filter(([, message]) => message === "mcp request").map(([fields]) => fields);
      const missing = await fetch(`http://127.0.0.1:${port}/mcp/nothing-here`, {
        method: "POST",
        headers: { authorization: `Bearer ${member.token}`, "content-type": "application/json", accept: "application/json, text/event-stream" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
      });
      expect(missing.status).toBe(404);
      await expect.poll(lines).toContainEqual(expect.objectContaining({ method: "POST", path: "/mcp/nothing-here", status: 404, userId: member.userId }));
      const abort = new AbortController();
      const stream = await fetch(`http://127.0.0.1:${port}/mcp`, { headers: { authorization: `Bearer ${member.token}`, accept: "text/event-stream" }, signal: abort.signal });
      expect(stream.status).toBe(200);
      await expect.poll(lines).toContainEqual(expect.objectContaining({ method: "GET", path: "/mcp", status: 200, userId: member.userId }));
      expect(handling.size).toBeGreaterThan(0); // still open
      abort.abort();
      await expect.poll(() => handling.size, { timeout: 5_000 }).toBe(0);
    } finally {
      info.mockRestore();
    }
  });

  it("refuses methods it doesn't speak before asking who is calling, and keeps the edge's headers", async () => {
    const put = await fetch(`http://127.0.0.1:${port}/mcp`, { method: "PUT" });
    expect(put.status).toBe(405);
    expect(put.headers.get("allow")).toBe("GET, POST, DELETE, OPTIONS");
    // TRACE reaches a node server, though no web Request may carry it: refused the same way.
    const trace = await new Promise<number | undefined>((resolve, reject) => {
      http.request({ host: "127.0.0.1", port, path: "/mcp", method: "TRACE" }, (res) => { res.resume(); resolve(res.statusCode); }).on("error", reject).end();
    });
    expect(trace).toBe(405);
    expect((await fetch(`http://127.0.0.1:${port}/mcp`, { method: "OPTIONS" })).status).toBe(204);
    const anonymous = await fetch(`http://127.0.0.1:${port}/mcp`, { method: "POST", body: "{}" });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("refuses a body past its limit with a 413, and nothing is left to fail afterwards", async () => {
    const tooBig = await fetch(`http://127.0.0.1:${port}/mcp`, {
      method: "POST",
      headers: { authorization: `Bearer ${member.token}`, "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: `{"pad":"${"x".repeat(5 * 1024 * 1024)}"}`,
    });
    expect(tooBig.status).toBe(413);
    // The rest of the body arrives after the refusal: reading it must not throw anywhere (vitest fails the run on an uncaught error).
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await fetch(`http://127.0.0.1:${port}/mcp`, { method: "OPTIONS" })).status).toBe(204);
  });

  it("survives a Host header no URL can hold", async () => {
    const answer = await new Promise<string>((resolve) => {
      const socket = net.connect(port, "127.0.0.1", () => { socket.write(`POST /mcp HTTP/1.1\r\nHost: a b\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`); });
      let text = "";
      socket.on("data", (chunk: Buffer) => { text += chunk.toString(); });
      socket.on("close", () => { resolve(text); });
    });
    expect(answer).toMatch(/^HTTP\/1\.1 401/);
  });

  it("maps only the gateway's own paths", () => {
    expect(gatewayTarget("/mcp")).toEqual({});
    expect(gatewayTarget("/mcp/wh%6Fami")).toEqual({ serverIdentifier: "whoami" });
    expect([gatewayTarget("/mcp/"), gatewayTarget("/mcp/a/b"), gatewayTarget("/mcpx"), gatewayTarget("//mcp")]).toEqual([undefined, undefined, undefined, undefined]);
  });
});
