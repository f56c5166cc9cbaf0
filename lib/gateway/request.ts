// What the gateway reads of an HTTP request, and what it answers with. A web Request has all it
// reads (the route handlers in app/mcp, tests); lib/gateway/node-http.ts makes one straight from
// Node's request and writes a relayed event stream straight to Node's response, so that a relayed
// call pays for no web Request or web streams on its way (docs/performance.md).
import "server-only";
import { readCappedText } from "@/lib/api/body";
import type { RelayedEvents } from "@/lib/gateway/answers";
import type { NodeHeaders } from "@/lib/node-streams";

/** A request's headers: a web Headers, or Node's read in place (lib/node-streams.ts). */
export type HeaderReader = Headers | NodeHeaders;

export type GatewayRequest = {
  readonly method: string;
  readonly url: string;
  readonly headers: HeaderReader;
  readonly signal: AbortSignal;
  /** The body as text; one over `maxBytes` is a 413 (lib/api/body.ts). */
  text(maxBytes: number): Promise<string>;
  /** The request as a web Request, for what is written against one (the MCP SDK's transport on `/mcp`). */
  web(): Request;
  /** Runs `work` once the answer is on its way, so the client doesn't wait for it: after its first bytes are written, or the client left (lib/gateway/node-http.ts); a web Request's, on the loop's next turn. */
  afterAnswer(work: () => void): void;
};

export function gatewayRequestOf(req: Request): GatewayRequest {
  return { method: req.method, url: req.url, headers: req.headers, signal: req.signal, text: (maxBytes) => readCappedText(req, maxBytes), web: () => req, afterAnswer: (work) => { setImmediate(work); } };
}

/** A gateway's answer: a web Response, or a server's event stream still in Node's streams. */
export type GatewayAnswer = Response | RelayedEvents;

export function webAnswer(answer: GatewayAnswer): Response {
  return answer instanceof Response ? answer : answer.toResponse();
}

/** Sets headers on either kind of answer. */
export function setAnswerHeaders(answer: GatewayAnswer, headers: Record<string, string>) {
  if (answer instanceof Response) for (const [name, value] of Object.entries(headers)) answer.headers.set(name, value);
  else Object.assign(answer.headers, headers);
}

/** `req` as if it had carried `body` (what is left of a POST once the console took its own part). */
export function withBody(req: GatewayRequest, body: string): GatewayRequest {
  return { ...req, text: () => Promise.resolve(body), web: () => new Request(req.url, { method: req.method, headers: req.headers instanceof Headers ? req.headers : req.headers.web(), body, signal: req.signal }) };
}
