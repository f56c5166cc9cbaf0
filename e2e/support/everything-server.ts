// The official MCP reference server (@modelcontextprotocol/server-everything) over Streamable HTTP
// (or the legacy SSE transport). It takes its port from PORT and can't report one the system
// picked, so it is started on a random port below the system's ephemeral range (32768 and up, where
// any outgoing connection may hold one) and is used only once 127.0.0.1 reaches it there; if that
// port turns out to be taken, or the server isn't reachable on it, it is started again on another.
import { spawn } from "node:child_process";
import net from "node:net";
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(import.meta.url);

type Started = { url: string; stop: () => Promise<void> };

function startOn(port: number, transport: "streamableHttp" | "sse"): Promise<Started> {
  const entry = path.join(path.dirname(require.resolve("@modelcontextprotocol/server-everything/package.json")), "dist/index.js");
  const child = spawn(process.execPath, [entry, transport], { env: { ...process.env, PORT: String(port) }, stdio: ["ignore", "ignore", "pipe"] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error("server-everything did not start"));
    }, 20_000);
    let output = "";
    let listening = false;
    const stop = () => new Promise<void>((done) => {
      if (child.exitCode !== null) { done(); return; }
      child.once("exit", () => { done(); });
      child.kill("SIGTERM");
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (listening || !/listening|running on port/i.test(output)) return;
      listening = true;
      void reachable(port).then((ok) => {
        clearTimeout(timer);
        if (ok && child.exitCode === null) {
          resolve({ url: `http://127.0.0.1:${port}/${transport === "sse" ? "sse" : "mcp"}`, stop });
          return;
        }
        void stop().then(() => { reject(Object.assign(new Error(`server-everything said it listens on ${port}, but 127.0.0.1 can't reach it there`), { portInUse: true })); });
      });
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      // Gone after saying it listens: whatever took the port from it, another one is tried.
      reject(Object.assign(new Error(`server-everything exited with ${code}`), { portInUse: listening || /EADDRINUSE|already in use/i.test(output) }));
    });
  });
}

/** Whether a TCP connection to 127.0.0.1:`port` is accepted (within a second). */
function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => { done(false); });
    socket.once("connect", () => { done(true); });
    socket.once("error", () => { done(false); });
  });
}

/**
 * `streamableHttp` (the current transport) or `sse` (the legacy one, for the client's fallback).
 * `port` restarts a server where one just stopped.
 */
export async function startEverythingServer(options: { transport?: "streamableHttp" | "sse"; port?: number } = {}): Promise<Started & { port: number }> {
  const transport = options.transport ?? "streamableHttp";
  if (options.port) return { ...(await startOn(options.port, transport)), port: options.port };
  for (let attempt = 0; ; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    try {
      return { ...(await startOn(port, transport)), port };
    } catch (error) {
      if (!(error as { portInUse?: boolean }).portInUse || attempt >= 10) throw error;
    }
  }
}
