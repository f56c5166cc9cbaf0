// The upstream server's answer to a relayed POST, on its way back to the client: passed through as
// the server sent it — JSON or an event stream, event for event, ids and all — while the relay
// reads the answers to the POST's own requests (for the activity log) and rewrites the few results
// that policy shapes (tools/list less disabled tools; caching hints). When every request has its
// answer, the rest of the stream goes by unread. If the server's stream breaks first, each request
// still owed an answer gets an error saying so, at once, instead of waiting out a timeout.
import { fieldsOf } from "@/lib/fields";
import { MAX_MESSAGE_BYTES } from "@/lib/mcp/client";
import type { RequestId } from "@/lib/gateway/envelope";

export type Answer = { result?: Record<string, unknown>; error?: { code?: unknown; message?: unknown } };

/**
 * Why a request's answer never came on this stream: the client left; the stream broke; the server
 * ended it to be polled, having given its events ids (SEP-1699 — the answer comes on the client's
 * resumed stream); or the console answered, or dropped, the request itself.
 */
export type Unanswered = "left" | "broken" | "resumable" | "local";

export type Watched = {
  /** A replacement for the result, or undefined to leave the server's bytes as they are. */
  rewrite?: (result: Record<string, unknown>) => Record<string, unknown> | undefined;
  onAnswer?: (answer: Answer) => void;
  /** The stream ended without an answer (the server broke off, or the client left). */
  onUnanswered?: (why: Unanswered) => void;
};

const key = (id: RequestId) => JSON.stringify(id);
export const BROKEN_STREAM_CODE = -32603;

export class AnswerWatch {
  private readonly pending = new Map<string, { id: RequestId; watched: Watched }>();
  private settled: (() => void)[] = [];

  /**
   * `everyResult`: a rewrite for the result of any answer the stream carries, watched or not —
   * for a GET stream, where a server replays answers to earlier POSTs (Last-Event-ID) and so reads on to the end.
   */
  constructor(private readonly everyResult?: (result: Record<string, unknown>) => Record<string, unknown> | undefined) {}

  /** Runs `done` once no request waits any more (each answered, or the stream ended). */
  onSettled(done: () => void) {
    if (this.pending.size === 0) done();
    else this.settled.push(done);
  }

  private settle() {
    if (this.pending.size > 0) return;
    const done = this.settled;
    this.settled = [];
    done.forEach((run) => { run(); });
  }

  watch(id: RequestId, watched: Watched = {}) {
    this.pending.set(key(id), { id, watched });
  }

  waiting(): boolean {
    return this.pending.size > 0 || this.everyResult !== undefined;
  }

  /** A JSON-RPC message from the server: a replacement for it when a watched result is rewritten. */
  read(message: unknown): unknown {
    const fields = fieldsOf(message);
    if (fields.method !== undefined || (typeof fields.id !== "string" && typeof fields.id !== "number")) return undefined;
    const result = fields.result !== undefined ? fieldsOf(fields.result) : undefined;
    const entry = this.pending.get(key(fields.id));
    if (entry) {
      this.pending.delete(key(fields.id));
      entry.watched.onAnswer?.({ result, error: fields.error !== undefined ? fieldsOf(fields.error) : undefined });
    }
    const rewrite = entry ? entry.watched.rewrite : this.everyResult;
    const rewritten = result && rewrite?.(result);
    this.settle();
    return rewritten ? { ...fields, result: rewritten } : undefined;
  }

  /** The stream ended: what is still owed. */
  unanswered(why: Unanswered): RequestId[] {
    const ids = [...this.pending.values()].map(({ id, watched }) => {
      watched.onUnanswered?.(why);
      return id;
    });
    this.pending.clear();
    this.settle();
    return ids;
  }
}

/** A JSON answer, read whole (it is one message, capped), with watched results rewritten. */
export function rewriteJson(text: string, watch: AnswerWatch): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return text;
  }
  const messages: unknown[] = Array.isArray(parsed) ? parsed : [parsed];
  const out: unknown[] = [];
  let changed = false;
  for (const message of messages) {
    const replaced = watch.read(message);
    changed ||= replaced !== undefined;
    out.push(replaced ?? message);
  }
  if (!changed) return text;
  return JSON.stringify(Array.isArray(parsed) ? out : out[0]);
}

const EVENT_END = /\r\n\r\n|\n\n|\r\r/;

/** One SSE event's text with its data replaced by `data` (its id and event type kept). */
function withData(event: string, data: string): string {
  const kept = event.split(/\r\n|\n|\r/).filter((line) => !line.startsWith("data:") && !line.startsWith("data "));
  return [...kept, `data: ${data}`].join("\n");
}

function dataOf(event: string): string | undefined {
  const lines = event.split(/\r\n|\n|\r/).filter((line) => line.startsWith("data:"));
  if (lines.length === 0) return undefined;
  return lines.map((line) => line.slice(line.startsWith("data: ") ? 6 : 5)).join("\n");
}

const encoder = new TextEncoder();

function errorEvents(ids: RequestId[], message: string): Uint8Array {
  return encoder.encode(ids.map((id) => `event: message\ndata: ${JSON.stringify({ jsonrpc: "2.0", id, error: { code: BROKEN_STREAM_CODE, message } })}\n\n`).join(""));
}

/**
 * The server's event stream as the client gets it. Events are read only while a watched request
 * waits for its answer; an event larger than MAX_MESSAGE_BYTES ends the stream (as the console's
 * own client does, lib/mcp/client.ts), each request still owed an answer getting an error.
 */
export function relayEventStream(upstream: ReadableStream<Uint8Array>, watch: AnswerWatch, brokenMessage: string): ReadableStream<Uint8Array> {
  const reader = upstream.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let decoding = false;
  // The server gave its events ids: a stream it ends is one the client resumes (GET with Last-Event-ID).
  let resumable = false;
  const endWith = (controller: ReadableStreamDefaultController<Uint8Array>, why: Unanswered, message: string) => {
    const owed = watch.unanswered(why);
    if (owed.length > 0 && why === "broken") controller.enqueue(errorEvents(owed, message));
    controller.close();
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      // A pull that enqueues nothing is not called again: while an event is only partly here, read on.
      for (;;) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch {
          if (buffer) controller.enqueue(encoder.encode(buffer));
          buffer = "";
          endWith(controller, "broken", brokenMessage);
          return;
        }
        if (chunk.done) {
          buffer += decoder.decode();
          if (buffer) controller.enqueue(encoder.encode(buffer));
          buffer = "";
          endWith(controller, resumable ? "resumable" : "broken", brokenMessage);
          return;
        }
        if (!watch.waiting()) {
          // Once decoding began, a character may be split between chunks: the decoder holds its first bytes.
          controller.enqueue(decoding ? encoder.encode(buffer + decoder.decode(chunk.value, { stream: true })) : chunk.value);
          buffer = "";
          return;
        }
        decoding = true;
        buffer += decoder.decode(chunk.value, { stream: true });
        let out = "";
        for (let match = EVENT_END.exec(buffer); match; match = EVENT_END.exec(buffer)) {
          const end = match.index + match[0].length;
          const event = buffer.slice(0, match.index);
          buffer = buffer.slice(end);
          resumable ||= /(^|[\r\n])id:/.test(event);
          const data = watch.waiting() ? dataOf(event) : undefined;
          let replaced: unknown;
          if (data !== undefined) {
            try {
              replaced = watch.read(JSON.parse(data));
            } catch {
              replaced = undefined; // not JSON: the client judges it, as it would directly
            }
          }
          out += (replaced === undefined ? event : withData(event, JSON.stringify(replaced))) + match[0];
          if (!watch.waiting()) {
            out += buffer;
            buffer = "";
            break;
          }
        }
        if (out) controller.enqueue(encoder.encode(out));
        if (buffer.length > MAX_MESSAGE_BYTES) {
          buffer = "";
          await reader.cancel().catch(() => undefined);
          endWith(controller, "broken", `the server sent an MCP message larger than ${MAX_MESSAGE_BYTES / 1024 / 1024} MiB, the console's limit for one message; nothing of it was used`);
          return;
        }
        if (out) return;
      }
    },
    async cancel() {
      watch.unanswered("left");
      await reader.cancel().catch(() => undefined);
    },
  });
}
