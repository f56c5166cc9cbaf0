// What both gateway endpoints answer with themselves, before or instead of an MCP server: JSON-RPC
// errors as HTTP answers, the limits of what a POST may carry, and how an event stream is sent.

/** Tool arguments can carry files; still, a body is read whole before anything reads it. */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** An event stream reaches the client as it is written: no cache, no proxy buffering it. */
export const EVENT_STREAM_HEADERS = { "cache-control": "no-cache, no-transform", "x-accel-buffering": "no" } as const;

export type RpcId = string | number;

export function rpcError(id: RpcId | null, code: number, message: string, data?: unknown) {
  return { jsonrpc: "2.0", id, error: { code, message, ...(data === undefined ? {} : { data }) } };
}

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
}

/** A JSON-RPC error that answers no request in particular (id null), with its HTTP status. */
export function jsonRpcError(status: number, code: number, message: string): Response {
  return jsonResponse(status, rpcError(null, code, message));
}
