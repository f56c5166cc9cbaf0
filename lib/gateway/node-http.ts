// The gateway served straight from server.mjs, as the OAuth server is: an MCP client's every call
// is an HTTP request, and Next.js's routing would add about a millisecond to each (docs/performance.md).
// server.mjs has already done the edge's work (client address, security headers); this hands the
// node request to the gateway as it is (no web Request, no web stream for its body) and writes its
// answer back — a relayed event stream straight from the server's Node stream. The route handlers
// in app/mcp answer the same way whenever this isn't registered.
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import "server-only";
import type { IncomingMessage, ServerResponse } from "node:http";
import { ApiError, problemResponse } from "@/lib/api/errors";
import { readCappedNode } from "@/lib/api/body";
import type { RelayedEvents } from "@/lib/gateway/answers";
import { answerGateway } from "@/lib/gateway/http";
import type { GatewayRequest } from "@/lib/gateway/request";
import { log } from "@/lib/log";
import { processWide } from "@/lib/process-wide";
import { NodeHeaders, webStreamOf } from "@/lib/node-streams";

/** `/mcp` → {}; `/mcp/{server_identifier}` → that identifier; anything else isn't the gateway's. */
export function gatewayTarget(pathname: string): { serverIdentifier?: string } | undefined {
  if (pathname === "/mcp") return {};
  const match = /^\/mcp\/([^/]+)$/.exec(pathname);
  return match ? { serverIdentifier: decodeURIComponent(match[1]) } : undefined;
}

// Nothing decides anything by the request's origin (audiences and metadata URLs come from
// NEXTAUTH_URL), so a fixed one keeps a hostile Host header out of the URL altogether.
const ORIGIN = "http://localhost";

function gatewayRequest(req: IncomingMessage, signal: AbortSignal, afterAnswer: (work: () => void) => void): GatewayRequest {
  const headers = new NodeHeaders(req.headers);
  const method = req.method ?? "GET";
  const url = `${ORIGIN}${req.url ?? "/"}`;
  const hasBody = method !== "GET" && method !== "HEAD";
  let web: Request | undefined;
  return {
    method,
    url,
    headers,
    signal,
    text: (maxBytes) => readCappedNode(req, maxBytes),
    afterAnswer,
    web: () => (web ??= new Request(url, { method, headers: headers.web(), signal, ...(hasBody ? { body: webStreamOf(req), duplex: "half" } : {}) })),
  };
}

const FIRST_CHUNK_WAIT_MS = 5;

/**
 * Work for once the answer is on its way (the request's log line): it waits for the answer's first
 * bytes, or the response's end, so that it never runs between the server's answer and the client's
 * copy of it — a relayed event can arrive after the server's headers, in a later turn of the loop.
 */
function deferredWork() {
  let queued: (() => void)[] | undefined = [];
  let scheduled = false;
  const run = () => {
    const due = queued ?? [];
    queued = undefined;
    for (const work of due) work();
  };
  return {
    add: (work: () => void) => {
      if (queued) queued.push(work);
      else setImmediate(work);
    },
    // A response's write is corked until the next tick: an immediate runs once it has gone out.
    written: () => {
      if (scheduled || !queued) return;
      scheduled = true;
      setImmediate(run);
    },
    run,
  };
}

// The node response frames the body itself.
const FRAMING = new Set(["content-length", "transfer-encoding", "content-encoding", "connection", "keep-alive"]);

/** The response can take more, or the client left; either way both listeners go (a long stream waits many times). */
async function drained(res: ServerResponse, signal: AbortSignal): Promise<void> {
  await once(res, "drain", { signal }).catch(() => undefined);
}

function setHeaders(res: ServerResponse, status: number, headers: Iterable<[string, string]>) {
  res.statusCode = status;
  for (const [name, value] of headers) {
    // The edge's headers (server.mjs) stand, as they do in front of Next.js.
    if (FRAMING.has(name) || name === "set-cookie" || res.hasHeader(name)) continue;
    res.setHeader(name, value);
  }
}

/** The headers go with the first chunk when it comes at once (one write, not two); a stream with nothing to say yet gets them now, so the client knows it is open. */
function flushHeadersSoon(res: ServerResponse, written: () => void) {
  return setTimeout(() => {
    res.flushHeaders();
    written();
  }, FIRST_CHUNK_WAIT_MS);
}

async function send(response: Response, res: ServerResponse, signal: AbortSignal, written: () => void) {
  setHeaders(res, response.status, response.headers);
  for (const cookie of response.headers.getSetCookie()) res.appendHeader("set-cookie", cookie);
  const body = response.body;
  if (!body) {
    res.end();
    written();
    return;
  }
  // The client left while the answer was being made: an event stream would otherwise wait forever.
  if (signal.aborted) {
    await body.cancel().catch(() => undefined);
    return;
  }
  const reader = body.getReader();
  const cancel = () => { void reader.cancel().catch(() => undefined); };
  signal.addEventListener("abort", cancel, { once: true });
  try {
    const timer = flushHeadersSoon(res, written);
    for (;;) {
      const { done, value } = await reader.read();
      clearTimeout(timer);
      if (done) break;
      const room = res.write(value);
      written();
      if (!room) await drained(res, signal);
    }
    res.end();
  } finally {
    signal.removeEventListener("abort", cancel);
  }
}

/** A server's event stream, from its Node stream through its EventRelay to the client's. */
function pipeEvents(answer: RelayedEvents, res: ServerResponse, signal: AbortSignal, written: () => void): Promise<void> {
  setHeaders(res, answer.status, Object.entries(answer.headers));
  const { source, events } = answer;
  return new Promise<void>((resolve) => {
    let finished = false;
    const timer = flushHeadersSoon(res, written);
    const done = () => {
      finished = true;
      clearTimeout(timer);
      signal.removeEventListener("abort", left);
      resolve();
    };
    const finish = (last: Uint8Array | undefined) => {
      if (finished) return;
      done();
      res.end(last);
    };
    const left = () => {
      if (finished) return;
      done();
      events.left();
      source.destroy();
    };
    // These run in the server's stream's events, where a throw would end the process: one that
    // can't be relayed breaks off the client's stream (as a web stream's error does) and is logged.
    const guarded = <A extends unknown[]>(run: (...args: A) => void) => (...args: A) => {
      try {
        run(...args);
      } catch (error) {
        if (finished) return;
        done();
        log.error({ err: error }, "a server's event stream could not be relayed");
        source.destroy();
        res.destroy(error instanceof Error ? error : undefined);
      }
    };
    source.on("data", guarded((chunk: Buffer) => {
      if (finished) return;
      events.push(chunk, (out) => {
        clearTimeout(timer);
        // A chunk can make two writes (the last whole events, then the errors owed): one wait for drain.
        if (!res.write(out) && !source.isPaused()) {
          source.pause();
          res.once("drain", () => { source.resume(); });
        }
        written();
      });
      if (events.overflowed) {
        source.destroy();
        finish(undefined);
      }
    }));
    source.on("end", guarded(() => { finish(events.end()); }));
    source.on("error", guarded(() => { finish(events.broke()); }));
    // Ended neither way (nothing does so today): the client's stream must not wait forever.
    source.on("close", guarded(() => { finish(events.broke()); }));
    // It broke before it was piped (its error was heard then).
    if (source.destroyed && !source.readableEnded) guarded(() => { finish(events.broke()); })();
    if (signal.aborted) left();
    else signal.addEventListener("abort", left, { once: true });
  });
}

async function handleGatewayHttp(req: IncomingMessage, res: ServerResponse, target: { serverIdentifier?: string }) {
  const abort = new AbortController();
  const later = deferredWork();
  res.on("close", () => {
    if (!res.writableFinished) abort.abort();
    later.run();
  });
  try {
    const answer = await answerGateway(gatewayRequest(req, abort.signal, later.add), target);
    await (answer instanceof Response ? send(answer, res, abort.signal, later.written) : pipeEvents(answer, res, abort.signal, later.written));
  } catch (error) {
    if (abort.signal.aborted) return; // the client left
    const requestId = randomUUID();
    log.error({ err: error, requestId, method: req.method }, "the gateway's answer could not be sent");
    // A stream cut short must not look complete to the client.
    if (res.headersSent) return void res.destroy(error instanceof Error ? error : undefined);
    const answer = problemResponse(new ApiError("internal_error", `Something went wrong on our side. It has been logged as ${requestId}.`));
    res.writeHead(answer.status, { ...Object.fromEntries(answer.headers), "x-request-id": requestId });
    res.end(await answer.text());
  }
}

/** What server.mjs finds registered: which paths are the gateway's, and how to answer them. */
export type GatewayHttp = { target: typeof gatewayTarget; handle: typeof handleGatewayHttp };

/** What instrumentation registers for server.mjs (which is not bundled and can't import TypeScript). */
export function registerGatewayHttp() {
  processWide<GatewayHttp>("gateway-http", () => ({ target: gatewayTarget, handle: handleGatewayHttp }));
}
