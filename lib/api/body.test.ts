// A Node request's body, as the gateway reads it (lib/gateway/node-http.ts).
import http from "node:http";
import net, { type AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { readCappedNode } from "@/lib/api/body";

let server: http.Server | undefined;

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

type Read = { text?: string; error?: string; streamed: boolean };

/** Sends `raw` on one connection to a server that reads the body as the gateway's handler does, at once. */
async function readOn(raw: string[], maxBytes = 1024): Promise<Read> {
  const read = new Promise<Read>((resolve) => {
    server = http.createServer((req, res) => {
      // Answered once read: Node drops an unread body when the answer ends.
      readCappedNode(req, maxBytes)
        .then(
          (text) => { resolve({ text, streamed: req.readableFlowing === true }); },
          (error: unknown) => { resolve({ error: error instanceof Error ? error.message : String(error), streamed: req.readableFlowing === true }); },
        )
        .finally(() => res.end());
    });
  });
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  const { port } = server?.address() as AddressInfo;
  const socket = net.connect(port, "127.0.0.1");
  socket.on("error", () => undefined);
  for (const part of raw) {
    socket.write(part);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const result = await read;
  socket.destroy();
  return result;
}

const head = (headers: string) => `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers}\r\n`;

describe("readCappedNode", () => {
  it("takes a body that came with its headers as it lies, without a stream's round of events", async () => {
    const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "whoami" } });
    expect(await readOn([`${head(`Content-Length: ${Buffer.byteLength(body)}\r\n`)}${body}`])).toEqual({ text: body, streamed: false });
  });

  it("waits for a body that comes after its headers, in parts", async () => {
    expect(await readOn([head("Content-Length: 11\r\n"), '{"a":', '"bcd"}'])).toEqual({ text: '{"a":"bcd"}', streamed: true });
  });

  it("reads a chunked body, and refuses one past its limit", async () => {
    expect(await readOn([`${head("Transfer-Encoding: chunked\r\n")}2\r\n{}\r\n0\r\n\r\n`])).toMatchObject({ text: "{}" });
    expect((await readOn([`${head("Transfer-Encoding: chunked\r\n")}10\r\n${"x".repeat(16)}\r\n0\r\n\r\n`], 8)).error).toMatch(/limited to/);
  });
});
