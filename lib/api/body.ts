// Reading a request body without letting its size decide how much memory it takes.
import type { IncomingMessage } from "node:http";
import { ApiError } from "@/lib/api/errors";

/**
 * The body as text, or a 413 as soon as it passes `maxBytes` (whatever Content-Length claimed). A
 * body that breaks off was cut short by its client (its socket's ECONNRESET is not the database's).
 */
export async function readCappedText(req: Request, maxBytes: number): Promise<string> {
  try {
    return await readCapped(req, maxBytes, () => tooLarge(maxBytes));
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw cutShort();
  }
}

/**
 * A request's or a response's body as text, or `tooBig()` as soon as it passes `maxBytes`. A body
 * refused on what it claims is not read: a request's is left alone (awaiting its cancel can hold up
 * the answer), a response's is cancelled (`cancelRefused`) so its connection isn't kept waiting on it.
 */
export async function readCapped(message: { headers: Headers; body: ReadableStream<Uint8Array> | null }, maxBytes: number, tooBig: () => Error, { cancelRefused = false } = {}): Promise<string> {
  const declared = Number(message.headers.get("content-length") ?? "0");
  if (declared > maxBytes) {
    if (cancelRefused) await message.body?.cancel().catch(() => undefined);
    throw tooBig();
  }
  const reader = message.body?.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (reader) {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw tooBig();
      }
      chunks.push(value);
    }
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** A Node request's body as text, capped as readCapped caps a web one: its rest is read and dropped. */
export async function readCappedNode(req: IncomingMessage, maxBytes: number): Promise<string> {
  if (Number(req.headers["content-length"] ?? "0") > maxBytes) throw tooLarge(maxBytes);
  // Asked for while the request's handler still runs, a body that came with the headers isn't parsed
  // yet (Node parses it once the handler returns): one microtask later its bytes are buffered, though
  // the request is only marked complete a turn of the loop after that.
  if (!req.complete) await Promise.resolve();
  return bodyText(req, maxBytes);
}

/** All of the body is buffered: the request is complete, or holds every byte its Content-Length declared. */
function wholeBodyBuffered(req: IncomingMessage): boolean {
  if (req.complete) return true;
  const declared = req.headers["content-length"];
  return declared !== undefined && !req.destroyed && req.readableLength === Number(declared);
}

function bodyText(req: IncomingMessage, maxBytes: number): Promise<string> {
  // Gone before its body was asked for: its close and errors were heard by no one here.
  if (req.destroyed && !req.complete) return Promise.reject(cutShort());
  // Usually all of it came with the headers: taken as it lies, without a stream's round of events.
  if (wholeBodyBuffered(req) && req.readableLength <= maxBytes && !req.readableFlowing) {
    const buffered: unknown = req.read();
    return Promise.resolve(Buffer.isBuffer(buffered) ? buffered.toString("utf8") : "");
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = () => {
      req.off("data", onData).off("end", onEnd).off("error", onError).off("close", onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size <= maxBytes) return void chunks.push(chunk);
      stop();
      req.resume();
      reject(tooLarge(maxBytes));
    };
    const onEnd = () => {
      stop();
      resolve(Buffer.concat(chunks).toString("utf8"));
    };
    // The client left (the socket's errors are no one else's: not the database's, not a bug).
    const onError = () => {
      stop();
      reject(cutShort());
    };
    const onClose = onError;
    req.on("data", onData).on("end", onEnd).on("error", onError).on("close", onClose);
  });
}

function cutShort() {
  return new ApiError("validation_failed", "The body was cut short: the client left before it sent all of it");
}

function tooLarge(maxBytes: number) {
  return new ApiError("payload_too_large", `Bodies are limited to ${Math.round(maxBytes / 1024)} KiB`);
}

/** Parses JSON text, or a 422 that says the body isn't JSON. */
export function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError("validation_failed", "The body is not valid JSON", { errors: [{ path: "", message: "Malformed JSON" }] });
  }
}
