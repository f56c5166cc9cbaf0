// What the test servers share: reading a body, naming the JSON-RPC methods in one, and a request
// listener for async handlers (a failure answers 500 instead of leaving the request hanging).
import type http from "node:http";
import { fieldsOf } from "@/lib/fields";

export async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString("utf8") || "null");
  } catch {
    return undefined;
  }
}

/** The methods of a JSON-RPC message or batch ("initialize", "tools/call", …). */
export function jsonRpcMethods(message: unknown): string[] {
  return (Array.isArray(message) ? message : [message]).map((entry) => fieldsOf(entry).method).filter((method): method is string => typeof method === "string");
}

export function asyncListener(handler: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>): http.RequestListener {
  return (req, res) => {
    handler(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end(error instanceof Error ? error.message : "failed");
    });
  };
}
