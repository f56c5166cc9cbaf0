// The gateway bench's floor: one proxy hop and nothing else. A bare node:http relay that swaps the
// caller's Authorization for the upstream one mapped to it and pipes the bytes both ways as they
// come (JSON or event stream, GET streams, DELETE, Mcp-Session-Id untouched). No MCP parsing,
// authentication, database, policy or activity log: what any relay pays for the hop itself.
// Run as its own process, like the console:
//   node --import tsx scripts/bench/bare-relay.ts <upstream url>   (stdin: {"<caller authorization>": "<upstream authorization>", …})
//   → prints its port once listening
import http from "node:http";
import { z } from "zod";
import { endToEndHeaders, listenAndTell, stdinJson, upstreamAgent } from "./hop";

const [upstreamUrl] = process.argv.slice(2);
const upstream = new URL(upstreamUrl);
const authorizations = new Map(Object.entries(z.record(z.string(), z.string()).parse(await stdinJson())));

const server = http.createServer((req, res) => {
  const authorization = authorizations.get(req.headers.authorization ?? "");
  if (!authorization) return void res.writeHead(401).end();
  const upstreamReq = http.request(
    { agent: upstreamAgent, method: req.method, hostname: upstream.hostname, port: upstream.port, path: upstream.pathname + upstream.search, headers: endToEndHeaders(req.headers, { authorization, host: upstream.host }) },
    (upstreamRes) => {
      res.writeHead(upstreamRes.statusCode ?? 502, endToEndHeaders(upstreamRes.headers));
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
listenAndTell(server);
