// The least a gateway could cost on a call: the bare relay's hop (bare-relay.ts) plus only what
// SPEC §8 makes every design do, each step in its cheapest form, with everything a design may cache
// already in memory. Beside the console's gateway it shows how much of the gateway's time is the
// job itself and how much is the console's way of doing it:
//   - the caller: the Bearer token's SHA-256 looked up in a Map;
//   - the envelope: the body read whole and parsed (the console's own reader); a method of no
//     revision refused; a tools/call of a turned-off tool refused;
//   - the session: the Mcp-Session-Id opened (AES-256-GCM) and held to its caller; sealed at initialize;
//   - the credential: the user's upstream token from a Map, put in the caller's place;
//   - the same bytes forwarded, and the answer streamed back as it comes, its events read for the
//     call's outcome;
//   - the activity record, kept in memory and written to SQLite in batches, off the call's path.
// No database read, tracing, metrics, log line or Next.js. Run as its own process:
//   node --import tsx scripts/bench/floor-gateway.ts <upstream url>   (stdin: {"apiToken", "upstreamAuthorization", "database"})
//   → prints its port once listening
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import http from "node:http";
import Database from "better-sqlite3";
import { z } from "zod";
import { isKnownMethod, readEnvelope } from "../../lib/gateway/envelope";
import { endToEndHeaders, listenAndTell, stdinJson, upstreamAgent } from "./hop";

const [upstreamUrl] = process.argv.slice(2);
const upstream = new URL(upstreamUrl);
const config = z.object({ apiToken: z.string(), upstreamAuthorization: z.string(), database: z.string() }).parse(await stdinJson());

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
type Caller = { userId: string; workspaceId: string };
const callers = new Map<string, Caller>([[sha256(config.apiToken), { userId: "bench-user", workspaceId: "bench" }]]);
const credentials = new Map([["bench-user", config.upstreamAuthorization]]);
const disabledTools = new Set(["turned-off"]);
const MAX_BODY_BYTES = 4 * 1024 * 1024;

const key = randomBytes(32);
type Session = { u: string; s: string; e: number };

function seal(session: Session): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const sealed = Buffer.concat([cipher.update(JSON.stringify(session), "utf8"), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString("base64url");
}

function open(id: string, caller: Caller): Session | undefined {
  try {
    const raw = Buffer.from(id, "base64url");
    const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    const session = JSON.parse(Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8")) as Session;
    return session.u === caller.userId && session.e > Date.now() ? session : undefined;
  } catch {
    return undefined;
  }
}

const db = new Database(config.database);
db.exec("CREATE TABLE IF NOT EXISTS tool_calls (at INTEGER, user_id TEXT, workspace_id TEXT, tool TEXT, outcome TEXT, duration_ms REAL)");
const insert = db.prepare("INSERT INTO tool_calls VALUES (?, ?, ?, ?, ?, ?)");
type Row = [number, string, string, string, string, number];
const writeAll = db.transaction((rows: Row[]) => { for (const row of rows) insert.run(...row); });
let waiting: Row[] = [];
setInterval(() => {
  if (waiting.length === 0) return;
  writeAll(waiting);
  waiting = [];
}, 100).unref();

/** The outcome of the call `id` once its answer has gone by, read from the server's JSON or events. */
function answerReader(id: unknown, settle: (outcome: string) => void) {
  let pending = "";
  const read = (data: string) => {
    try {
      const message = JSON.parse(data) as { id?: unknown; error?: unknown; result?: { isError?: unknown } };
      if (message.id === id) settle(message.error ? "rpc_error" : message.result?.isError === true ? "tool_error" : "ok");
    } catch {
      // not a message of ours
    }
  };
  return {
    events(chunk: Buffer) {
      pending += chunk.toString("utf8");
      let end;
      while ((end = pending.indexOf("\n\n")) !== -1) {
        const data = pending.slice(0, end).split("\n").filter((line) => line.startsWith("data:")).map((line) => line.slice(5).trimStart()).join("\n");
        pending = pending.slice(end + 2);
        if (data) read(data);
      }
    },
    json(chunk: Buffer) {
      pending += chunk.toString("utf8");
    },
    end: () => { if (pending.trim().startsWith("{")) read(pending); },
  };
}

function refuse(res: http.ServerResponse, status: number, message: string) {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32600, message } }));
}

function forward(req: http.IncomingMessage, res: http.ServerResponse, caller: Caller, body: Buffer | undefined, call: { id: unknown; tool: string | undefined; initialize: boolean }) {
  const sealed = req.headers["mcp-session-id"];
  const session = !call.initialize && typeof sealed === "string" ? open(sealed, caller) : undefined;
  if (typeof sealed === "string" && !call.initialize && !session) { refuse(res, 404, "Session not found"); return; }
  const extra: http.OutgoingHttpHeaders = { authorization: credentials.get(caller.userId), host: upstream.host };
  if (body) extra["content-length"] = body.length;
  const headers = endToEndHeaders(req.headers, extra);
  delete headers["mcp-session-id"];
  if (session?.s) headers["mcp-session-id"] = session.s;
  const started = performance.now();
  const upstreamReq = http.request({ agent: upstreamAgent, method: req.method, hostname: upstream.hostname, port: upstream.port, path: upstream.pathname + upstream.search, headers }, (upstreamRes) => {
    const answerHeaders = endToEndHeaders(upstreamRes.headers);
    const upstreamSession = upstreamRes.headers["mcp-session-id"];
    if (call.initialize && typeof upstreamSession === "string") answerHeaders["mcp-session-id"] = seal({ u: caller.userId, s: upstreamSession, e: Date.now() + 86_400_000 });
    else delete answerHeaders["mcp-session-id"];
    res.writeHead(upstreamRes.statusCode ?? 502, answerHeaders);
    // The headers go with the first chunk when it comes at once; a stream with nothing to say yet gets them now.
    const flush = setTimeout(() => { res.flushHeaders(); }, 5);
    let recorded = false;
    const record = (outcome: string) => {
      if (recorded || call.tool === undefined) return;
      recorded = true;
      waiting.push([Date.now(), caller.userId, caller.workspaceId, call.tool, outcome, performance.now() - started]);
    };
    const reader = answerReader(call.id, record);
    const events = String(upstreamRes.headers["content-type"]).includes("text/event-stream");
    upstreamRes.on("data", (chunk: Buffer) => {
      clearTimeout(flush);
      res.write(chunk);
      if (call.tool === undefined) return;
      if (events) reader.events(chunk);
      else reader.json(chunk);
    });
    upstreamRes.on("end", () => {
      clearTimeout(flush);
      reader.end();
      record("upstream_error");
      res.end();
    });
  });
  upstreamReq.on("error", () => {
    if (!res.headersSent) res.writeHead(502);
    res.end();
  });
  res.on("close", () => { if (!res.writableFinished) upstreamReq.destroy(); });
  upstreamReq.end(body);
}

const server = http.createServer((req, res) => {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "")?.[1];
  const caller = bearer ? callers.get(sha256(bearer)) : undefined;
  if (!caller) { refuse(res, 401, "Unauthorized"); return; }
  if (req.method !== "POST") { forward(req, res, caller, undefined, { id: undefined, tool: undefined, initialize: false }); return; }
  const chunks: Buffer[] = [];
  let size = 0;
  req.on("data", (chunk: Buffer) => {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  });
  req.on("end", () => {
    if (size > MAX_BODY_BYTES) { refuse(res, 413, "Too large"); return; }
    const body = Buffer.concat(chunks);
    const envelope = readEnvelope(body.toString("utf8"));
    if (!envelope) { refuse(res, 400, "Parse error"); return; }
    if (!envelope.messages.every(isKnownMethod)) { refuse(res, 404, "Method not found"); return; }
    const first = envelope.messages[0];
    const request = !envelope.batch && first.kind === "request" ? first : undefined;
    const tool = request?.method === "tools/call" ? request.params.name : undefined;
    if (request?.method === "tools/call" && (typeof tool !== "string" || disabledTools.has(tool))) { refuse(res, 403, "Tool turned off"); return; }
    forward(req, res, caller, body, { id: request?.id, tool: typeof tool === "string" ? tool : undefined, initialize: request?.method === "initialize" });
  });
});
listenAndTell(server);
