// What the relay reads of a POST before it forwards the bytes: the JSON-RPC envelope — which
// messages, which methods, which tool — and the protocol revision it speaks. Nothing here changes
// the body. Methods are matched exactly as the revisions name them ("Tools/Call" is no method of
// any revision, so it never reaches a server with a disabled tool's name in it).
import { fieldsOf } from "@/lib/fields";

/** The stateless revision (server/discover, per-request _meta, MRTR), and the initialize-era ones. */
export const MODERN_VERSIONS = ["2026-07-28"] as const;
export const LEGACY_VERSIONS = ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"] as const;
export const CONSOLE_VERSIONS: readonly string[] = [...MODERN_VERSIONS, ...LEGACY_VERSIONS];

export const PROTOCOL_VERSION_META = "io.modelcontextprotocol/protocolVersion";

const CLIENT_REQUESTS = new Set([
  "initialize",
  "ping",
  "tools/list",
  "tools/call",
  "resources/list",
  "resources/templates/list",
  "resources/read",
  "resources/subscribe",
  "resources/unsubscribe",
  "prompts/list",
  "prompts/get",
  "completion/complete",
  "logging/setLevel",
  "tasks/get",
  "tasks/result",
  "tasks/list",
  "tasks/cancel",
  // 2026-07-28
  "server/discover",
  "subscriptions/listen",
]);

const CLIENT_NOTIFICATIONS = new Set([
  "notifications/initialized",
  "notifications/cancelled",
  "notifications/progress",
  "notifications/roots/list_changed",
  "notifications/tasks/status",
]);

// Methods whose target the 2026-07-28 transport mirrors into Mcp-Name.
const NAMED_METHODS: Partial<Record<string, "name" | "uri">> = { "tools/call": "name", "prompts/get": "name", "resources/read": "uri" };

export type RequestId = string | number;

export type Message =
  | { kind: "request"; id: RequestId; method: string; params: Record<string, unknown> }
  | { kind: "notification"; method: string; params: Record<string, unknown> }
  | { kind: "response"; id: RequestId };

export type Envelope = { messages: Message[]; batch: boolean };

const MAX_BATCH = 100;

function isId(value: unknown): value is RequestId {
  return typeof value === "string" || (typeof value === "number" && Number.isFinite(value));
}

function toMessage(value: unknown): Message | undefined {
  const fields = fieldsOf(value);
  if (fields.jsonrpc !== "2.0") return undefined;
  const params = fieldsOf(fields.params);
  if (fields.params !== undefined && (typeof fields.params !== "object" || fields.params === null || Array.isArray(fields.params))) return undefined;
  if (typeof fields.method === "string") {
    if (fields.id === undefined) return { kind: "notification", method: fields.method, params };
    return isId(fields.id) ? { kind: "request", id: fields.id, method: fields.method, params } : undefined;
  }
  if (isId(fields.id) && ("result" in fields || "error" in fields)) return { kind: "response", id: fields.id };
  return undefined;
}

/** The POST's JSON-RPC messages, or undefined when the body is not JSON-RPC (or a batch of more than MAX_BATCH). */
export function readEnvelope(text: string): Envelope | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const batch = Array.isArray(parsed);
  const values: unknown[] = Array.isArray(parsed) ? parsed : [parsed];
  if (values.length === 0 || values.length > MAX_BATCH) return undefined;
  const messages = values.map(toMessage);
  return messages.every((message) => message !== undefined) ? { messages, batch } : undefined;
}

/** A method of a revision the relay speaks, spelled exactly as it names it. */
export function isKnownMethod(message: Message): boolean {
  if (message.kind === "response") return true;
  return message.kind === "request" ? CLIENT_REQUESTS.has(message.method) : CLIENT_NOTIFICATIONS.has(message.method);
}

/** The revision a request says it speaks in its own `_meta` (2026-07-28 and later carry it there). */
export function bodyProtocolVersion(message: Message): string | undefined {
  if (message.kind === "response") return undefined;
  const version = fieldsOf(message.params._meta)[PROTOCOL_VERSION_META];
  return typeof version === "string" ? version : undefined;
}

export function isModern(version: string | undefined): boolean {
  return version !== undefined && !(LEGACY_VERSIONS as readonly string[]).includes(version) && version >= MODERN_VERSIONS[0];
}

/** Decodes an Mcp-Name / Mcp-Param value: plain ASCII, or `=?base64?…?=` of UTF-8. */
function decodeHeaderValue(value: string): string | undefined {
  const sentinel = /^=\?base64\?([A-Za-z0-9+/]*={0,2})\?=$/.exec(value);
  if (!sentinel) return value;
  try {
    return Buffer.from(sentinel[1], "base64").toString("utf8");
  } catch {
    return undefined;
  }
}

/**
 * For a 2026-07-28 request: the headers that mirror the body must match it (the relay decides by
 * the body; a server or proxy routing by the header must see the same thing). Returns what is wrong.
 */
export function headerMismatch(message: Message, headers: Pick<Headers, "get">): string | undefined {
  if (message.kind !== "request") return undefined;
  const version = headers.get("mcp-protocol-version");
  const bodyVersion = bodyProtocolVersion(message);
  if (bodyVersion !== undefined && version !== bodyVersion) return `MCP-Protocol-Version header ${JSON.stringify(version)} does not match the request's _meta protocol version`;
  const method = headers.get("mcp-method");
  if (method !== message.method) return `Mcp-Method header ${JSON.stringify(method)} does not match the body's method ${JSON.stringify(message.method)}`;
  const field = NAMED_METHODS[message.method];
  if (!field) return undefined;
  const header = headers.get("mcp-name");
  const name = header === null ? undefined : decodeHeaderValue(header);
  if (name !== message.params[field]) return `Mcp-Name header does not match the body's params.${field}`;
  return undefined;
}
