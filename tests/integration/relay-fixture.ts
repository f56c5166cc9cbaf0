// What the relay tests share: raw requests to the gateway (in process, as the route files make
// them), reading an answer whether JSON or an event stream, the 2026-07-28 request shape, and the
// SDK clients (v1 and v2) connected through the gateway or straight to a server.
import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2, type ClientOptions } from "@modelcontextprotocol/client";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { ClientCapabilities } from "@modelcontextprotocol/sdk/types.js";
import { db } from "@/lib/db";
import { gatewayFetch } from "./gateway-client";
import { ORIGIN } from "./helpers";

export const MODERN = "2026-07-28";
export const LEGACY = "2025-11-25";
const ACCEPT = "application/json, text/event-stream";

export type RpcMessage = { jsonrpc: "2.0"; id?: string | number | null; method?: string; params?: Record<string, unknown>; result?: Record<string, unknown>; error?: { code: number; message: string; data?: unknown } };

/** One raw request to the gateway, as an MCP client's HTTP layer would send it. */
export function gatewayRequest(path: string, init: { method?: string; token?: string; body?: unknown; headers?: Record<string, string>; sessionId?: string; signal?: AbortSignal }) {
  const headers: Record<string, string> = { accept: ACCEPT, ...init.headers };
  if (init.body !== undefined) headers["content-type"] = "application/json";
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.sessionId) headers["mcp-session-id"] = init.sessionId;
  return gatewayFetch()(`${ORIGIN}${path}`, {
    method: init.method ?? "POST",
    headers,
    body: init.body === undefined ? undefined : typeof init.body === "string" ? init.body : JSON.stringify(init.body),
    signal: init.signal,
  });
}

/** The JSON-RPC messages of an answer, JSON or a whole event stream. */
export async function messagesOf(response: Response): Promise<RpcMessage[]> {
  const text = await response.text();
  if (!(response.headers.get("content-type") ?? "").includes("text/event-stream")) {
    if (!text) return [];
    const parsed = JSON.parse(text) as RpcMessage | RpcMessage[];
    return Array.isArray(parsed) ? parsed : [parsed];
  }
  return text
    .split(/\r?\n\r?\n/)
    .map((event) => event.split(/\r?\n/).filter((line) => line.startsWith("data:")).map((line) => line.slice(5).trimStart()).join("\n"))
    .filter((data) => data !== "")
    .map((data) => JSON.parse(data) as RpcMessage);
}

/** A 2025-11-25 initialize, raw: the gateway's sealed session id for it. */
export async function openLegacySession(path: string, token: string, capabilities: Record<string, unknown> = {}): Promise<string> {
  const response = await gatewayRequest(path, {
    token,
    headers: { "mcp-protocol-version": LEGACY },
    body: { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: LEGACY, capabilities, clientInfo: { name: "raw", version: "1" } } },
  });
  if (response.status !== 200) throw new Error(`initialize answered ${response.status}: ${await response.text()}`);
  const sessionId = response.headers.get("mcp-session-id");
  await response.body?.cancel();
  if (!sessionId) throw new Error("initialize gave no session id");
  const initialized = await gatewayRequest(path, { token, sessionId, headers: { "mcp-protocol-version": LEGACY }, body: { jsonrpc: "2.0", method: "notifications/initialized" } });
  await initialized.body?.cancel();
  return sessionId;
}

const MODERN_META = { "io.modelcontextprotocol/protocolVersion": MODERN, "io.modelcontextprotocol/clientInfo": { name: "raw", version: "1" }, "io.modelcontextprotocol/clientCapabilities": { elicitation: {} } };

/** A 2026-07-28 request: its _meta in the body, and the headers that mirror it. */
export function modernRequest(id: number, method: string, params: Record<string, unknown> = {}) {
  const name = method === "tools/call" || method === "prompts/get" ? params.name : method === "resources/read" ? params.uri : undefined;
  return {
    body: { jsonrpc: "2.0", id, method, params: { ...params, _meta: { ...MODERN_META, ...(params._meta as Record<string, unknown> | undefined) } } },
    headers: { "mcp-protocol-version": MODERN, "mcp-method": method, ...(typeof name === "string" ? { "mcp-name": name } : {}) },
  };
}

/** The SDK v1 client (2025-11-25) through the gateway. */
export async function connectV1(path: string, token: string, capabilities: ClientCapabilities = {}, setUp?: (client: Client) => void): Promise<Client> {
  const client = new Client({ name: "relay-test-v1", version: "1.0.0" }, { capabilities });
  setUp?.(client);
  await client.connect(new StreamableHTTPClientTransport(new URL(path, ORIGIN), { fetch: gatewayFetch(), requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  return client;
}

/** The SDK v2 client through the gateway (or straight to `url` with no token), in either era. */
export async function connectV2(target: { path: string; token: string } | { url: string }, options: ClientOptions = {}, setUp?: (client: ClientV2) => void): Promise<ClientV2> {
  const client = new ClientV2({ name: "relay-test-v2", version: "1.0.0" }, options);
  setUp?.(client);
  const transport =
    "url" in target
      ? new TransportV2(new URL(target.url))
      : new TransportV2(new URL(target.path, ORIGIN), { fetch: gatewayFetch(), requestInit: { headers: { authorization: `Bearer ${target.token}` } } });
  await client.connect(transport);
  return client;
}

/** The activity records matching `where`, once there are `count` of them (the log is written in small batches). */
export async function activity(where: Record<string, unknown>, count = 1) {
  for (let i = 0; i < 100; i++) {
    const rows = await db().toolCall.findMany({ where, orderBy: { createdAt: "asc" } });
    if (rows.length >= count) return rows;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`expected ${count} activity records for ${JSON.stringify(where)}`);
}
