// The official MCP reference server (@modelcontextprotocol/server-everything) over Streamable HTTP.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(import.meta.url);

/** `streamableHttp` (the current transport) or `sse` (the legacy one, for the client's fallback). */
export async function startEverythingServer(port: number, transport: "streamableHttp" | "sse" = "streamableHttp"): Promise<{ url: string; stop: () => Promise<void> }> {
  const entry = path.join(path.dirname(require.resolve("@modelcontextprotocol/server-everything/package.json")), "dist/index.js");
  const child = spawn(process.execPath, [entry, transport], { env: { ...process.env, PORT: String(port) }, stdio: ["ignore", "ignore", "pipe"] });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("server-everything did not start")), 20_000);
    child.stderr.on("data", (chunk: Buffer) => {
      if (/listening|running on port/i.test(chunk.toString())) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code) => reject(new Error(`server-everything exited with ${code}`)));
  });
  return {
    url: `http://127.0.0.1:${port}/${transport === "sse" ? "sse" : "mcp"}`,
    stop: () => new Promise((resolve) => {
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    }),
  };
}
