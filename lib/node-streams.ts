// Node's messages as web ones: their headers (webHeadersOf, or read in place: NodeHeaders) and their
// bodies (webStreamOf).
//
// A Node Readable as a web stream. Not Readable.toWeb: on Node 20 it still closes its controller
// when the source ends after the reader was cancelled (a body refused as too large, a client that
// left), which throws outside any handler. When the reader cancels, the rest of a request's body is
// read and dropped ("drain": the answer can still go out on that connection); an answer being
// relayed is ended ("destroy": for an event stream, closing it is how its server hears "stop").
import type { Readable } from "node:stream";

/** Headers as Node (or undici) hands them over — a repeated one as a list — as web Headers. */
export function webHeadersOf(record: Record<string, string | string[] | undefined>): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(record)) {
    if (Array.isArray(value)) value.forEach((item) => { headers.append(name, item); });
    else if (value !== undefined) headers.set(name, value);
  }
  return headers;
}

/**
 * What a web Headers answers of a request's headers, read from Node's own record in place: a relayed
 * call reads a few of them, and copying them all into a Headers costs its hot path more. Node has
 * already joined a repeated header with ", " (as Headers would) and lower-cased every name.
 */
export class NodeHeaders {
  private made: Headers | undefined;

  constructor(private readonly record: Record<string, string | string[] | undefined>) {}

  get(name: string): string | null {
    const value = this.record[name.toLowerCase()];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(", ") : value;
  }

  has(name: string): boolean {
    return this.record[name.toLowerCase()] !== undefined;
  }

  forEach(callback: (value: string, name: string) => void): void {
    for (const name of Object.keys(this.record)) {
      const value = this.get(name);
      if (value !== null) callback(value, name);
    }
  }

  /** The same headers as a web Headers, for what needs one. */
  web(): Headers {
    this.made ??= webHeadersOf(this.record);
    return this.made;
  }
}

export function webStreamOf(source: Readable, onCancel: "drain" | "destroy" = "drain"): ReadableStream<Uint8Array> {
  let finished = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      source.on("data", (chunk: Buffer) => {
        if (finished) return;
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 0) <= 0) source.pause();
      });
      source.on("end", () => {
        if (finished) return;
        finished = true;
        controller.close();
      });
      source.on("error", (error) => {
        if (finished) return;
        finished = true;
        controller.error(error);
      });
      // It broke before this stream was made of it (its error was heard by another listener).
      if (source.destroyed && !source.readableEnded) {
        finished = true;
        controller.error(source.errored ?? new Error("the stream broke"));
      }
    },
    pull() {
      source.resume();
    },
    cancel() {
      finished = true;
      if (onCancel === "destroy") source.destroy();
      else source.resume();
    },
  });
}
