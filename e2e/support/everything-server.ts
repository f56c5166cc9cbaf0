// The official MCP reference server (@modelcontextprotocol/server-everything) over Streamable HTTP
// (or the legacy SSE transport). It takes its port from PORT and can't report one the system
// picked, so it is started on a random port and, if that port turns out to be taken, again on another.
import { spawn } from "node:child_process";
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
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (/listening|running on port/i.test(output)) {
        clearTimeout(timer);
        resolve({
          url: `http://127.0.0.1:${port}/${transport === "sse" ? "sse" : "mcp"}`,
          stop: () => new Promise((done) => {
            if (child.exitCode !== null) { done(); return; }
            child.once("exit", () => { done(); });
            child.kill("SIGTERM");
          }),
        });
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(Object.assign(new Error(`server-everything exited with ${code}`), { portInUse: /EADDRINUSE|already in use/i.test(output) }));
    });
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
    const port = 20_000 + Math.floor(Math.random() * 30_000);
    try {
      return { ...(await startOn(port, transport)), port };
    } catch (error) {
      if (!(error as { portInUse?: boolean }).portInUse || attempt >= 10) throw error;
    }
  }
}
