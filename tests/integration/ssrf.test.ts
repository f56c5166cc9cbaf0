// Provider URLs are user input: the console must not reach its own network through them.
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listenOnFreePort } from "../../e2e/support/ports";
import { backgroundTasksSettled } from "@/lib/background";
import { call, createActor, type Actor } from "./helpers";
import { containing } from "@/tests/support/matchers";

let admin: Actor;
let internal: http.Server;
let port: number;
let hits = 0;

beforeAll(async () => {
  admin = await createActor("admin");
  internal = http.createServer((_req, res) => {
    hits++;
    res.writeHead(200).end("internal secrets");
  });
  port = await listenOnFreePort(internal, "0.0.0.0");
});

afterAll(() => new Promise((resolve) => internal.close(resolve)));

describe("SSRF guard on discovery and calls", () => {
  it.each([
    ["cloud metadata", "http://169.254.169.254/latest/meta-data/"],
    ["a loopback address outside MCP_ALLOWED_HOSTS", "http://127.0.0.2:PORT/mcp"],
    ["IPv4-mapped IPv6 loopback", "http://[::ffff:127.0.0.2]:PORT/mcp"],
    ["a private address", "http://10.0.0.1/mcp"],
    ["the unspecified address", "http://0.0.0.0:PORT/mcp"],
  ])("refuses %s, with a message that says why", async (_label, template) => {
    const before = hits;
    const url = template.replace("PORT", String(port));
    const created = await call(admin, "POST /api/v1/mcp-providers", {
      body: { name: `Internal ${Math.random().toString(36).slice(2, 8)}`, server_identifier: `i-${Math.random().toString(36).slice(2, 10)}`, server_url: url },
    });
    expect(created.status).toBe(201); // registering is fine; connecting is what is refused
    await backgroundTasksSettled();
    expect((await call(admin, "GET /api/v1/mcp-providers/{id}", { params: { id: created.json.id } })).json.authed).toBe(false);
    const refresh = await call(admin, "POST /api/v1/mcp-providers/{id}/tools/refresh", { params: { id: created.json.id } });
    expect(refresh.status).toBe(502);
    expect(refresh.json).toMatchObject({ code: "upstream_error", detail: containing("blocked by the network policy") });
    const callTool = await call(admin, "POST /api/v1/mcp-providers/{id}/tools/{tool}/call", { params: { id: created.json.id, tool: "anything" }, body: { arguments: {} } });
    expect(callTool.status).toBe(502);
    expect(hits).toBe(before);
  });
});
