// The console's HTTP server: Next.js behind a thin edge that does what only the socket can tell —
// the client's address (believing X-Forwarded-For only through TRUSTED_PROXIES), whether the
// request came over https — and what every response needs: protective headers, a CSP nonce for
// the page, and a 404 instead of a crash for a path that isn't valid percent-encoding.
//   node server.mjs [--dev] [--hostname 127.0.0.1] [--port 3000]   (PORT, HOSTNAME also work)
import http from "node:http";
import { parseArgs } from "node:util";
import { CLIENT_ADDRESS_HEADER, isTrustedProxy, parseTrustedProxies, resolveClientAddress, stampClientAddress } from "./lib/edge/client-address.mjs";
import { oauthPath } from "./lib/edge/oauth-path.mjs";
import { createNonce, securityHeaders } from "./lib/edge/security-headers.mjs";

const { values } = parseArgs({
  options: { dev: { type: "boolean", default: false }, hostname: { type: "string" }, port: { type: "string" } },
});
const dev = values.dev;
const hostname = values.hostname ?? process.env.HOSTNAME ?? "127.0.0.1";
const port = Number(values.port ?? process.env.PORT ?? 3000);
process.env.NODE_ENV ??= dev ? "development" : "production";
process.env.NEXT_TELEMETRY_DISABLED = "1"; // air-gapped installs must not try to phone home

let trusted;
try {
  trusted = parseTrustedProxies(process.env.TRUSTED_PROXIES);
} catch (error) {
  console.error(`Invalid configuration:\n  TRUSTED_PROXIES: ${error.message}\nSee .env.example.`);
  process.exit(1);
}

const { default: next } = await import("next");
const app = next({ dev, hostname, port });
const handle = app.getRequestHandler();
await app.prepare();

// An API answer's protective headers are the same every time: worked out once for each scheme.
const apiHeaders = { http: Object.entries(securityHeaders({ kind: "api", https: false, dev })), https: Object.entries(securityHeaders({ kind: "api", https: true, dev })) };

/** Paths answered as data (JSON), not pages. */
const isApiPath = (pathname) => /^\/(api|inner|mcp|oidc|\.well-known|metrics)(\/|$)/.test(pathname);

function pathnameOf(url) {
  const end = url.search(/[?#]/);
  return end === -1 ? url : url.slice(0, end);
}

function validEncoding(pathname) {
  try {
    decodeURIComponent(pathname);
    return true;
  } catch {
    return false;
  }
}

const server = http.createServer((req, res) => {
  const peer = req.socket.remoteAddress;
  const address = resolveClientAddress({ socketAddress: peer, forwardedFor: req.headers["x-forwarded-for"], trusted });
  const forwardedProto = String(req.headers["x-forwarded-proto"] ?? "").split(",")[0].trim();
  const https = Boolean(req.socket.encrypted) || (isTrustedProxy(trusted, peer) && forwardedProto === "https");
  req.headers[CLIENT_ADDRESS_HEADER] = stampClientAddress(address);

  const pathname = pathnameOf(req.url ?? "/");
  const kind = isApiPath(pathname) ? "api" : "page";
  const nonce = kind === "page" ? createNonce() : undefined;
  const protective = nonce ? Object.entries(securityHeaders({ kind, nonce, https, dev })) : apiHeaders[https ? "https" : "http"];
  for (const [name, value] of protective) res.setHeader(name, value);
  // Next reads the nonce for its own scripts from the request's policy.
  if (nonce) req.headers["content-security-policy"] = res.getHeader("content-security-policy");
  else delete req.headers["content-security-policy"];

  if (!validEncoding(pathname)) {
    if (kind === "api") {
      res.writeHead(404, { "content-type": "application/problem+json" });
      res.end(JSON.stringify({ type: "https://mcp-console.dev/problems/not-found", title: "Not found", status: 404, detail: "No such resource: the path is not valid percent-encoding", code: "not_found" }));
      return;
    }
    req.url = "/_not-found";
  }
  const oauth = kind === "api" ? oauthPath(pathname, req.url ?? "/") : undefined;
  if (oauth !== undefined) {
    // Registered by instrumentation.ts once the app is up. The authorization server believes
    // X-Forwarded-For because it is set here, from what the socket and TRUSTED_PROXIES said.
    const serveOAuth = globalThis.mcpConsole?.get("oauth-http");
    if (!serveOAuth) {
      res.writeHead(503, { "content-type": "application/json", "retry-after": "5" });
      res.end(JSON.stringify({ error: "temporarily_unavailable", error_description: "The authorization server is starting" }));
      return;
    }
    req.headers["x-forwarded-for"] = address;
    serveOAuth(req, res, oauth).catch((error) => {
      console.error("OAuth request failed", error);
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: "server_error" }));
    });
    return;
  }
  // The MCP gateway, registered by instrumentation.ts: its clients call it for every tool call, and
  // Next.js's routing would add to each (its route handlers in app/mcp answer until it is registered).
  const gateway = kind === "api" ? globalThis.mcpConsole?.get("gateway-http") : undefined;
  const target = gateway?.target(pathname);
  if (target) {
    gateway.handle(req, res, target);
    return;
  }
  handle(req, res);
});

server.listen(port, hostname, () => {
  const { port: actual } = server.address();
  console.log(`MCP Console listening on http://${hostname.includes(":") ? `[${hostname}]` : hostname}:${actual}${dev ? " (dev)" : ""}`);
  console.log(
    process.env.TRUSTED_PROXIES
      ? `Client addresses: X-Forwarded-For is believed from ${process.env.TRUSTED_PROXIES}`
      : "Client addresses: the socket's peer (behind a load balancer or proxy, set TRUSTED_PROXIES to its address)",
  );
});
// Stopping: no new requests; once those under way are answered (event streams are given 4 s), the
// console writes what it still holds (lib/shutdown.ts: the activity log's last batch, telemetry) and
// exits. A shutdown that hangs (a database gone) doesn't hold the exit up past 10 s.
let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    let finishing;
    const finish = () => {
      finishing ??= Promise.resolve(globalThis.mcpConsole?.get("shutdown")?.())
        .catch((error) => { console.error("Stopping failed", error); })
        .finally(() => process.exit(0));
    };
    server.close(finish);
    setTimeout(finish, 4000).unref();
    setTimeout(() => process.exit(0), 10_000).unref();
  });
}
