// The upstream server's answer to a relayed POST, on its way back to the client: passed through as
// the server sent it — JSON or an event stream, event for event, ids and all — while the relay
// reads the answers to the POST's own requests (for the activity log) and rewrites the few results
// that policy shapes (tools/list less disabled tools; caching hints). When every request has its
// answer, the rest of the stream goes by unread. If the server's stream breaks first, each request
// still owed an answer gets an error saying so, at once, instead of waiting out a timeout.
import type { Readable } from "node:stream";
import { fieldsOf } from "@/lib/fields";
import { MAX_MESSAGE_BYTES } from "@/lib/mcp/client";
import { webStreamOf } from "@/lib/node-streams";
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

  /** Whether any answer may be rewritten: if none may, what the server sends goes out as it came. */
  rewrites(): boolean {
    if (this.everyResult) return true;
    for (const { watched } of this.pending.values()) if (watched.rewrite) return true;
    return false;
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
const EVENT_ENDS = new RegExp(EVENT_END.source, "g");
const OVERSIZED = `the server sent an MCP message larger than ${MAX_MESSAGE_BYTES / 1024 / 1024} MiB, the console's limit for one message; nothing of it was used`;

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

function errorEvents(ids: RequestId[], message: string): string {
  return ids.map((id) => `event: message\ndata: ${JSON.stringify({ jsonrpc: "2.0", id, error: { code: BROKEN_STREAM_CODE, message } })}\n\n`).join("");
}

/**
 * The server's event stream as the client gets it, chunk by chunk. Events are read only while a
 * watched request waits for its answer; an event larger than MAX_MESSAGE_BYTES ends the stream (as
 * the console's own client does, lib/mcp/client.ts), each request still owed an answer getting an
 * error. Synchronous, so a web stream (relayEventStream) and Node's (lib/gateway/node-http.ts) carry it alike.
 *
 * When no answer on the stream may be rewritten (a tool call's), whole events go out as the
 * server's own bytes and are read once written: the client doesn't wait for the reading.
 */
export class EventRelay {
  // Made when first needed: a stream passed through never decodes across chunks.
  private textDecoder: TextDecoder | undefined;
  private buffer = "";
  private decoding = false;
  // Passing through: the server's bytes after its last whole event, as they came (copied together once, when that event ends).
  private held: Buffer[] = [];
  private heldBytes = 0;
  private passing: boolean | undefined;
  private readAny = false;
  // The server gave its events ids: a stream it ends is one the client resumes (GET with Last-Event-ID).
  private resumable = false;
  /** The last chunk held an event over the limit: the stream ends with what push wrote last. */
  overflowed = false;

  constructor(
    private readonly watch: AnswerWatch,
    private readonly brokenMessage: string,
  ) {}

  private get decoder(): TextDecoder {
    this.textDecoder ??= new TextDecoder();
    return this.textDecoder;
  }

  /** Writes what goes to the client now of the server's `chunk` (nothing while an event is only partly here). */
  push(chunk: Uint8Array, write: (bytes: Uint8Array) => void) {
    this.passing ??= !this.watch.rewrites();
    if (this.passing) {
      this.pass(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength), write);
      return;
    }
    const out = this.rewritten(chunk);
    if (out) write(out);
  }

  /**
   * The server's whole events, as its bytes, then read. Events are found in the bytes read as
   * latin1 — one character per byte, and a line break is the same byte in UTF-8 — so they are
   * the events its text holds.
   */
  private pass(chunk: Buffer, write: (bytes: Uint8Array) => void) {
    if (!this.watch.waiting()) {
      write(this.takeHeld(chunk));
      return;
    }
    // What is held holds no event's end, so only an end in this chunk is new — and it may begin in
    // the three bytes held before it (\r\n\r\n). Offsets count from the first byte held.
    const tail = this.heldTail(3);
    const text = tail + chunk.toString("latin1");
    const base = this.heldBytes - tail.length;
    const events: [number, number][] = [];
    let start = 0;
    EVENT_ENDS.lastIndex = 0;
    for (let match = EVENT_ENDS.exec(text); match; match = EVENT_ENDS.exec(text)) {
      events.push([start, base + match.index]);
      start = base + match.index + match[0].length;
    }
    let rest = chunk;
    if (start > 0) {
      const bytes = this.takeHeld(chunk);
      write(start === bytes.length ? bytes : bytes.subarray(0, start));
      for (const [from, to] of events) {
        if (!this.watch.waiting()) break;
        const event = bytes.toString("utf8", from, to);
        // A stream may begin with a byte order mark, which a client (and the text mode's decoder) drops.
        this.readEvent(this.readAny || !event.startsWith("\uFEFF") ? event : event.slice(1));
        this.readAny = true;
      }
      rest = bytes.subarray(start);
    }
    // Every answer came: the rest goes by unread.
    if (!this.watch.waiting()) {
      if (this.heldBytes + rest.length > 0) write(this.takeHeld(rest));
      return;
    }
    if (this.heldBytes + rest.length > MAX_MESSAGE_BYTES) {
      this.takeHeld(undefined);
      this.overflowed = true;
      write(encoder.encode(this.owed("broken", OVERSIZED)));
      return;
    }
    if (rest.length > 0) this.hold(rest);
  }

  private hold(bytes: Buffer) {
    this.held.push(bytes);
    this.heldBytes += bytes.length;
  }

  /** What is held, then `chunk`, as one buffer; nothing is held after. */
  private takeHeld(chunk: Buffer | undefined): Buffer {
    const parts = chunk ? [...this.held, chunk] : this.held;
    const bytes = parts.length === 1 ? parts[0] : Buffer.concat(parts);
    this.held = [];
    this.heldBytes = 0;
    return bytes;
  }

  /** The last `count` bytes held, as latin1. */
  private heldTail(count: number): string {
    let tail = "";
    for (let i = this.held.length - 1; i >= 0 && tail.length < count; i--) {
      const part = this.held[i];
      tail = part.toString("latin1", Math.max(0, part.length - (count - tail.length))) + tail;
    }
    return tail;
  }

  /** Reads one event for a watched answer: a replacement for its data when its result is rewritten. */
  private readEvent(event: string): string | undefined {
    this.resumable ||= /(^|[\r\n])id:/.test(event);
    const data = dataOf(event);
    if (data === undefined) return undefined;
    try {
      const rewritten = this.watch.read(JSON.parse(data));
      return rewritten === undefined ? undefined : JSON.stringify(rewritten);
    } catch {
      // Not JSON (the client judges it, as it would directly), or too deep to write again: as the server sent it.
      return undefined;
    }
  }

  private rewritten(chunk: Uint8Array): Uint8Array | undefined {
    const { watch } = this;
    if (!watch.waiting()) {
      // Once decoding began, a character may be split between chunks: the decoder holds its first bytes.
      if (!this.decoding) return chunk;
      const out = this.buffer + this.decoder.decode(chunk, { stream: true });
      this.buffer = "";
      return out ? encoder.encode(out) : undefined;
    }
    this.decoding = true;
    let buffer = this.buffer + this.decoder.decode(chunk, { stream: true });
    let out = "";
    for (let match = EVENT_END.exec(buffer); match; match = EVENT_END.exec(buffer)) {
      const event = buffer.slice(0, match.index);
      buffer = buffer.slice(match.index + match[0].length);
      const replaced = watch.waiting() ? this.readEvent(event) : undefined;
      out += (replaced === undefined ? event : withData(event, replaced)) + match[0];
      if (!watch.waiting()) {
        out += buffer;
        buffer = "";
        break;
      }
    }
    this.buffer = buffer;
    // The limit is in bytes (a UTF-16 unit is at most three).
    if (buffer.length > MAX_MESSAGE_BYTES / 3 && Buffer.byteLength(buffer) > MAX_MESSAGE_BYTES) {
      this.buffer = "";
      this.overflowed = true;
      return encoder.encode(out + this.owed("broken", OVERSIZED));
    }
    return out ? encoder.encode(out) : undefined;
  }

  /** The server ended its stream: what is left of it, and an error for each request it still owed an answer. */
  end(): Uint8Array | undefined {
    return this.close(this.resumable ? "resumable" : "broken");
  }

  /** The server's stream broke: likewise. */
  broke(): Uint8Array | undefined {
    return this.close("broken");
  }

  /** The client left: nothing more goes out. */
  left() {
    this.watch.unanswered("left");
  }

  private close(why: Unanswered): Uint8Array | undefined {
    const held = this.heldBytes > 0 ? this.takeHeld(undefined) : undefined;
    const cutOff = this.buffer + (this.decoding ? this.decoder.decode() : "");
    this.buffer = "";
    const owed = this.owed(why, this.brokenMessage);
    // An event cut off by the stream's end is no event (a client drops it): before the errors owed, it would spoil the first.
    if (owed) return encoder.encode(owed);
    if (held) return held;
    return cutOff ? encoder.encode(cutOff) : undefined;
  }

  private owed(why: Unanswered, message: string): string {
    const owed = this.watch.unanswered(why);
    return why === "broken" ? errorEvents(owed, message) : "";
  }
}

/** The server's event stream as the client gets it (see EventRelay), as a web stream. */
export function relayEventStream(upstream: ReadableStream<Uint8Array>, watch: AnswerWatch, brokenMessage: string): ReadableStream<Uint8Array> {
  return eventStream(upstream, new EventRelay(watch, brokenMessage));
}

function eventStream(upstream: ReadableStream<Uint8Array>, events: EventRelay): ReadableStream<Uint8Array> {
  const reader = upstream.getReader();
  const finish = (controller: ReadableStreamDefaultController<Uint8Array>, last: Uint8Array | undefined) => {
    if (last) controller.enqueue(last);
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
          finish(controller, events.broke());
          return;
        }
        if (chunk.done) {
          finish(controller, events.end());
          return;
        }
        const out: Uint8Array[] = [];
        events.push(chunk.value, (bytes) => { out.push(bytes); });
        out.forEach((bytes) => { controller.enqueue(bytes); });
        if (events.overflowed) {
          await reader.cancel().catch(() => undefined);
          finish(controller, undefined);
          return;
        }
        if (out.length > 0) return;
      }
    },
    async cancel() {
      events.left();
      await reader.cancel().catch(() => undefined);
    },
  });
}

/**
 * A server's event stream on its way to the client, still a Node stream: lib/gateway/node-http.ts
 * pipes it through its EventRelay straight to the client; toResponse() makes it a web Response.
 */
export class RelayedEvents {
  constructor(
    readonly status: number,
    readonly headers: Record<string, string>,
    readonly source: Readable,
    readonly events: EventRelay,
  ) {}

  toResponse(): Response {
    return new Response(eventStream(webStreamOf(this.source, "destroy"), this.events), { status: this.status, headers: this.headers });
  }
}
