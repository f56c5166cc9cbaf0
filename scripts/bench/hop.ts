// What the bench's stand-in relays (bare-relay.ts, floor-gateway.ts) share: one proxy hop over
// node:http, with the connection-level headers kept to their own hop.
import http from "node:http";

// Connection-level headers belong to one hop, not to the message (RFC 9110 §7.6.1).
const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade", "host"]);

export const upstreamAgent = new http.Agent({ keepAlive: true, maxSockets: 256 });

/** `headers` without the hop's own, with `extra` over them. */
export function endToEndHeaders(headers: http.IncomingHttpHeaders, extra: http.OutgoingHttpHeaders = {}): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) if (!HOP_BY_HOP.has(name) && value !== undefined) out[name] = value;
  return Object.assign(out, extra);
}

/** Listens on a free loopback port and prints it (how the bench learns where its child listens). */
export function listenAndTell(server: http.Server) {
  server.keepAliveTimeout = 60_000;
  // Stopped by the bench: exiting (rather than being killed) lets --cpu-prof write its profile.
  process.once("SIGTERM", () => process.exit(0));
  server.listen(0, "127.0.0.1", () => {
    const address = server.address();
    console.log(typeof address === "object" && address ? address.port : "");
  });
}

/** The JSON a parent wrote to this process's stdin. */
export async function stdinJson(): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}
