// A client that leaves halfway through its body, on the web path (route handlers: the REST API and
// the workspace endpoint /mcp): a 422 that says so, nothing written — and not a database outage
// (the socket's ECONNRESET is the client's, not the database's).
import { NextRequest } from "next/server";
import { expect, it } from "vitest";
import { POST as createProvider } from "@/app/api/v1/mcp-providers/route";
import { POST as postWorkspace } from "@/app/mcp/route";
import { db } from "@/lib/db";
import { captureLogsForTests } from "@/lib/log";
import { createActor, cutShortBody, ORIGIN } from "./helpers";

/** A POST whose body starts, then breaks as a socket the client closed does. */
function leftMidBody(path: string, token: string | undefined, start: string): NextRequest {
  return new NextRequest(new URL(path, ORIGIN), { method: "POST", headers: { authorization: `Bearer ${token ?? ""}`, "content-type": "application/json", accept: "application/json, text/event-stream" }, body: cutShortBody(start), duplex: "half" });
}

it("a body cut short is a 422 that says so, writes nothing, and is not taken for a database outage", async () => {
  const admin = await createActor("admin");
  const lines: string[] = [];
  const stopCapture = captureLogsForTests((line) => lines.push(line), "info");
  try {
    const rest = await createProvider(leftMidBody("/api/v1/mcp-providers", admin.token, '{"name":"Half","server_identifier":"half","server_'), { params: Promise.resolve({}) });
    expect(rest.status).toBe(422);
    expect(((await rest.json()) as { detail: string }).detail).toMatch(/cut short/);
    expect(await db().mcpProvider.count({ where: { workspaceId: admin.workspaceId, serverIdentifier: "half" } })).toBe(0);

    const gateway = await postWorkspace(leftMidBody("/mcp", admin.token, '{"jsonrpc":"2.0","id":1,"method":"tools/'));
    expect(gateway.status).toBe(422);
    expect(await gateway.text()).toMatch(/cut short/);
  } finally {
    stopCapture();
  }
  expect(lines.filter((line) => line.includes("can't be reached"))).toEqual([]);
});
