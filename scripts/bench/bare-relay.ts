// The gateway bench's floor: one proxy hop and nothing else. A bare node:http relay that swaps the
// caller's Authorization for the upstream one mapped to it and pipes the bytes both ways as they
// come (JSON or event stream, GET streams, DELETE, Mcp-Session-Id untouched). No MCP parsing,
// authentication, database, policy or activity log: what any relay pays for the hop itself.
// Run as its own process, like the console:
//   node --import tsx scripts/bench/bare-relay.ts <upstream url>   (stdin: {"<caller authorization>": "<upstream authorization>", …})
//   → prints its port once listening
import http from "node:http";
import { z } from "zod";

const [upstreamUrl] = process.argv.slice(2);
const upstream = new URL(upstreamUrl);
const chunks: Buffer[] = [];
for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
const authorizations = new Map(Object.entries(z.record(z.string(), z.string()).parse(JSON.parse(Buffer.concat(chunks).toString("utf8")))));

// Connection-level headers belong to one hop, not to the message (RFC 9110 §7.6.1).
const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade", "host"]);
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

function forwardedHeaders(headers: http.IncomingHttpHeaders, authorization: string): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) if (!HOP_BY_HOP.has(name) && value !== undefined) out[name] = value;
  out.authorization = authorization;
  out.host = upstream.host;
  return out;
}

const server = http.createServer((req, res) => {
  const authorization = authorizations.get(req.headers.authorization ?? "");
  if (!authorization) return void res.writeHead(401).end();
  const upstreamReq = http.request(
    { agent, method: req.method, hostname: upstream.hostname, port: upstream.port, path: upstream.pathname + upstream.search, headers: forwardedHeaders(req.headers, authorization) },
    (upstreamRes) => {
      const headers: http.OutgoingHttpHeaders = {};
      for (const [name, value] of Object.entries(upstreamRes.headers)) if (!HOP_BY_HOP.has(name) && value !== undefined) headers[name] = value;
      res.writeHead(upstreamRes.statusCode ?? 502, headers);
      res.flushHeaders();
      upstreamRes.pipe(res);
    },
  );
  upstreamReq.on("error", () => {
    if (!res.headersSent) res.writeHead(502);
    res.end();
  });
  // A client that goes away takes its upstream request with it (an event stream would linger).
  res.on("close", () => { if (!res.writableFinished) upstreamReq.destroy(); });
  req.pipe(upstreamReq);
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  console.log(typeof address === "object" && address ? address.port : "");
});
