// An HTTP proxy in front of an MCP server that records what crosses it: each request's JSON-RPC
// methods, its headers and Mcp-Session-Id, and the answer's status. Its target can change, so a test can put a
// fresh server (one that knows no sessions) behind the same URL. `addHeaders` are set on every
// request it forwards (a client that can't send an Authorization header, say). With `publicOrigin`,
// a browser-style Origin naming the proxy itself becomes that origin on the way through — as if the
// client had dialled the server's public URL, which is what the proxy stands in for.
import http from "node:http";
import { asyncListener, jsonRpcMethods, parseJson, readBody } from "./http";
import { listenOnFreePort } from "./ports";

export type ProxiedRequest = { method: string; rpc: string[]; headers: http.IncomingHttpHeaders; sessionId?: string; status: number };

export async function startRecordingProxy(target: string, options: { addHeaders?: Record<string, string>; publicOrigin?: string } = {}) {
  let upstream = new URL(target);
  let hold: Promise<void> = Promise.resolve();
  const requests: ProxiedRequest[] = [];
  const server = http.createServer(asyncListener(async (req, res) => {
    await hold;
    const body = await readBody(req);
    const sessionId = req.headers["mcp-session-id"];
    const ownOrigin = `http://127.0.0.1:${port}`;
    const origin = options.publicOrigin && req.headers.origin === ownOrigin ? { origin: options.publicOrigin } : {};
    const record: ProxiedRequest = { method: req.method ?? "GET", rpc: jsonRpcMethods(parseJson(body)), headers: req.headers, sessionId: typeof sessionId === "string" ? sessionId : undefined, status: 0 };
    requests.push(record);
    const forward = http.request(
      // A connection per request: a kept-alive one the server is closing at that moment would show as a 502 of ours.
      { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: { ...req.headers, ...options.addHeaders, ...origin, host: upstream.host }, agent: false },
      (answer) => {
        record.status = answer.statusCode ?? 0;
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        // As any proxy does: the client sees the answer begin when the server begins it (an event stream may stay quiet a while).
        res.flushHeaders();
        answer.pipe(res);
      },
    );
    // A client that leaves takes its upstream request with it, as any proxy's would (an event stream stays open otherwise).
    res.on("close", () => { if (!res.writableFinished) forward.destroy(); });
    forward.on("error", () => {
      record.status = 502;
      if (!res.headersSent) res.writeHead(502).end();
    });
    forward.end(body);
  }));
  const port = await listenOnFreePort(server);
  return {
    url: `http://127.0.0.1:${port}${upstream.pathname}`,
    requests,
    /** Requests wait (unanswered) until `until` settles: a server that is slow to answer. */
    holdUntil: (until: Promise<void>) => {
      hold = until;
    },
    /** Sends everything from now on to another server (same path). */
    retarget: (next: string) => {
      upstream = new URL(next);
    },
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => { resolve(); });
    }),
  };
}
