import { describe, expect, it } from "vitest";
import { AnswerWatch, BROKEN_STREAM_CODE, EventRelay, relayEventStream, rewriteJson, type Answer } from "@/lib/gateway/answers";
import { MAX_MESSAGE_BYTES } from "@/lib/mcp/client";

const encoder = new TextEncoder();
const event = (message: unknown, id?: string) => `${id ? `id: ${id}\n` : ""}event: message\ndata: ${JSON.stringify(message)}\n\n`;
const result = (id: number, value: Record<string, unknown>) => ({ jsonrpc: "2.0", id, result: value });
const drop = (name: string) => (value: Record<string, unknown>) => ({ ...value, tools: (value.tools as { name: string }[]).filter((tool) => tool.name !== name) });

/** An upstream stream that hands over these chunks (strings or raw bytes) one read at a time, then ends, breaks or stays open. */
function upstream(chunks: (string | Uint8Array)[], end: "close" | "break" | "open" = "close"): ReadableStream<Uint8Array> {
  const left = chunks.map((chunk) => (typeof chunk === "string" ? encoder.encode(chunk) : chunk));
  return new ReadableStream({
    pull(controller) {
      const next = left.shift();
      if (next) controller.enqueue(next);
      else if (end === "close") controller.close();
      else if (end === "break") controller.error(new TypeError("terminated"));
      else return new Promise<void>(() => undefined);
    },
  });
}

const read = (stream: ReadableStream<Uint8Array>) => new Response(stream).text();
const dataOf = (text: string) => text.split("\n\n").filter(Boolean).map((block) => JSON.parse(block.split("\n").find((line) => line.startsWith("data: "))?.slice(6) ?? "null") as Record<string, unknown>);

describe("watching the answers to a POST's requests", () => {
  it("hands each watched answer over once, rewritten when asked, and settles when none is owed", () => {
    const watch = new AnswerWatch();
    const answers: Answer[] = [];
    let settled = false;
    watch.watch(1, { rewrite: drop("secret"), onAnswer: (answer) => answers.push(answer) });
    watch.watch("two", { onAnswer: (answer) => answers.push(answer) });
    watch.onSettled(() => { settled = true; });
    expect(watch.read({ jsonrpc: "2.0", method: "notifications/progress", params: {} })).toBeUndefined();
    expect(watch.read({ jsonrpc: "2.0", id: 1, method: "elicitation/create", params: {} })).toBeUndefined(); // the server's own request with the same id
    expect(watch.read(result(1, { tools: [{ name: "secret" }, { name: "open" }] }))).toEqual(result(1, { tools: [{ name: "open" }] }));
    expect(watch.read(result(1, { tools: [{ name: "secret" }] }))).toBeUndefined(); // answered already
    expect(settled).toBe(false);
    expect(watch.read({ jsonrpc: "2.0", id: "two", error: { code: -1, message: "no" } })).toBeUndefined();
    expect(answers).toEqual([{ result: { tools: [{ name: "secret" }, { name: "open" }] }, error: undefined }, { result: undefined, error: { code: -1, message: "no" } }]);
    expect(settled).toBe(true);
    expect(watch.waiting()).toBe(false);
  });

  it("tells what is still owed when the stream ends, and why", () => {
    const watch = new AnswerWatch();
    const why: string[] = [];
    watch.watch(1, { onUnanswered: (reason) => why.push(`1:${reason}`) });
    watch.watch(2, { onUnanswered: (reason) => why.push(`2:${reason}`) });
    watch.read(result(2, {}));
    expect(watch.unanswered("broken")).toEqual([1]);
    expect(why).toEqual(["1:broken"]);
  });
});

describe("a JSON answer", () => {
  it("keeps the server's bytes when nothing is rewritten", () => {
    const text = '{ "jsonrpc":"2.0", "id":1, "result":{"content":[]} }';
    const watch = new AnswerWatch();
    watch.watch(1);
    expect(rewriteJson(text, watch)).toBe(text);
    expect(rewriteJson("not json", new AnswerWatch())).toBe("not json");
  });

  it("rewrites only the watched result, in a batch too", () => {
    const watch = new AnswerWatch();
    watch.watch(2, { rewrite: drop("secret") });
    const out = JSON.parse(rewriteJson(JSON.stringify([result(1, { tools: [{ name: "secret" }] }), result(2, { tools: [{ name: "secret" }, { name: "open" }] })]), watch)) as unknown;
    expect(out).toEqual([result(1, { tools: [{ name: "secret" }] }), result(2, { tools: [{ name: "open" }] })]);
  });
});

describe("an event stream, relayed", () => {
  it("passes every event as it came — ids, comments, requests and notifications — when nothing is rewritten", async () => {
    const text = `: primed\n\n${event({ jsonrpc: "2.0", method: "notifications/progress", params: { progress: 1 } }, "e1")}${event({ jsonrpc: "2.0", id: 0, method: "elicitation/create", params: {} }, "e2")}${event(result(1, { content: [] }), "e3")}`;
    const watch = new AnswerWatch();
    watch.watch(1);
    expect(await read(relayEventStream(upstream([text]), watch, "broken"))).toBe(text);
  });

  it("rewrites the watched result in place, keeping its event id, across chunks that split events and characters", async () => {
    const text = event({ jsonrpc: "2.0", method: "notifications/message", params: { data: "naïve ✓" } }) + event(result(1, { tools: [{ name: "secret" }, { name: "grüße" }] }), "42") + event({ jsonrpc: "2.0", method: "notifications/message", params: { data: "après ✓" } });
    const bytes = encoder.encode(text);
    const chunks = [];
    for (let at = 0; at < bytes.length; at += 7) chunks.push(bytes.slice(at, at + 7)); // splits inside multi-byte characters too
    const watch = new AnswerWatch();
    watch.watch(1, { rewrite: drop("secret") });
    const out = await read(relayEventStream(upstream(chunks), watch, "broken"));
    expect(out).toContain("id: 42\n");
    expect(dataOf(out)).toEqual([
      { jsonrpc: "2.0", method: "notifications/message", params: { data: "naïve ✓" } },
      result(1, { tools: [{ name: "grüße" }] }),
      { jsonrpc: "2.0", method: "notifications/message", params: { data: "après ✓" } },
    ]);
  });

  it("with nothing to rewrite, the server's bytes go out as they came across chunks that split events and characters, and its answer is still read", async () => {
    const text = event({ jsonrpc: "2.0", method: "notifications/message", params: { data: "naïve ✓" } }, "7") + event(result(1, { content: [{ type: "text", text: "grüße" }] }), "8") + event({ jsonrpc: "2.0", method: "notifications/message", params: { data: "après ✓" } });
    const bytes = encoder.encode(text);
    const chunks = [];
    for (let at = 0; at < bytes.length; at += 7) chunks.push(bytes.slice(at, at + 7));
    const watch = new AnswerWatch();
    const answers: Answer[] = [];
    watch.watch(1, { onAnswer: (answer) => answers.push(answer) });
    expect(await read(relayEventStream(upstream(chunks), watch, "broken"))).toBe(text);
    expect(answers).toEqual([{ result: { content: [{ type: "text", text: "grüße" }] }, error: undefined }]);
  });

  it("with nothing to rewrite, events ended by CRLF and split at every byte are each read once, at the end the text gives", async () => {
    const crlf = (message: unknown) => `event: message\r\ndata: ${JSON.stringify(message)}\r\n\r\n`;
    const text = crlf({ jsonrpc: "2.0", method: "notifications/progress", params: { progress: 1 } }) + crlf(result(1, { content: [] })) + crlf(result(2, { content: [{ type: "text", text: "ünïcode" }] }));
    const bytes = encoder.encode(text);
    const watch = new AnswerWatch();
    const answered: unknown[] = [];
    watch.watch(1, { onAnswer: (answer) => answered.push([1, answer.result]) });
    watch.watch(2, { onAnswer: (answer) => answered.push([2, answer.result]) });
    expect(await read(relayEventStream(upstream([...bytes].map((byte) => Uint8Array.of(byte))), watch, "broken"))).toBe(text);
    expect(answered).toEqual([[1, { content: [] }], [2, { content: [{ type: "text", text: "ünïcode" }] }]]);
  });

  it("with nothing to rewrite, a stream that begins with a byte order mark still has its answer and its event ids read", async () => {
    for (const end of ["close", "break"] as const) {
      const text = `\uFEFF${event(result(1, { content: [] }), "e1")}`;
      const watch = new AnswerWatch();
      const outcomes: string[] = [];
      watch.watch(1, { onAnswer: () => outcomes.push("answered"), onUnanswered: (why) => outcomes.push(why) });
      expect(await read(relayEventStream(upstream([encoder.encode(text)], end), watch, "broken")), end).toBe(text.slice(1)); // Response.text() drops the mark too
      expect(outcomes, end).toEqual(["answered"]);
    }
    // A priming event with an id, then the server ends the stream to be polled (SEP-1699): resumed, not broken.
    const watch = new AnswerWatch();
    const why: string[] = [];
    watch.watch(1, { onUnanswered: (reason) => why.push(reason) });
    await read(relayEventStream(upstream(["\uFEFFid: p1\ndata: \n\n"]), watch, "broken"));
    expect(why).toEqual(["resumable"]);
  });

  it("with nothing to rewrite, a large answer in many chunks goes out whole and is read", async () => {
    const text = event(result(1, { content: [{ type: "text", text: "ä".repeat(2 * 1024 * 1024) }] }));
    const bytes = encoder.encode(text);
    const chunks = [];
    for (let at = 0; at < bytes.length; at += 16 * 1024 + 1) chunks.push(bytes.slice(at, at + 16 * 1024 + 1));
    const watch = new AnswerWatch();
    let length = 0;
    watch.watch(1, { onAnswer: (answer) => { length = (answer.result?.content as { text: string }[])[0].text.length; } });
    expect(await read(relayEventStream(upstream(chunks), watch, "broken"))).toBe(text);
    expect(length).toBe(2 * 1024 * 1024);
  });

  it("with nothing to rewrite, a whole event is written before it is read (the client doesn't wait for the reading); a partial one waits for its end", () => {
    const watch = new AnswerWatch();
    const happened: string[] = [];
    watch.watch(1, { onAnswer: () => happened.push("read") });
    const relay = new EventRelay(watch, "broken");
    const [head, tail] = [event({ jsonrpc: "2.0", method: "notifications/progress", params: { progress: 1 } }) + "event: message\ndata: ", `${JSON.stringify(result(1, {}))}\n\n`];
    relay.push(encoder.encode(head), (bytes) => happened.push(`wrote ${bytes.length}`));
    relay.push(encoder.encode(tail), (bytes) => happened.push(`wrote ${bytes.length}`));
    const progressLength = encoder.encode(event({ jsonrpc: "2.0", method: "notifications/progress", params: { progress: 1 } })).length;
    expect(happened).toEqual([`wrote ${progressLength}`, `wrote ${encoder.encode(head + tail).length - progressLength}`, "read"]);
  });

  it("when the server's stream breaks, each request still owed gets an error at once; answered ones don't", async () => {
    for (const end of ["break", "close"] as const) {
      const watch = new AnswerWatch();
      const outcomes: string[] = [];
      watch.watch(1, { onAnswer: () => outcomes.push("1:answered") });
      watch.watch(2, { onUnanswered: (why) => outcomes.push(`2:${why}`) });
      const out = await read(relayEventStream(upstream([event({ jsonrpc: "2.0", method: "notifications/progress", params: { progress: 1 } }), event(result(1, {}))], end), watch, "Server stopped answering"));
      expect(dataOf(out).at(-1), end).toEqual({ jsonrpc: "2.0", id: 2, error: { code: BROKEN_STREAM_CODE, message: "Server stopped answering" } });
      expect(dataOf(out).filter((message) => "error" in message)).toHaveLength(1);
      expect(outcomes).toEqual(["1:answered", "2:broken"]);
    }
  });

  it("an event cut off by the break is dropped: the error owed arrives as an event of its own", async () => {
    const watch = new AnswerWatch();
    watch.watch(1);
    const progress = event({ jsonrpc: "2.0", method: "notifications/progress", params: { progress: 1 } });
    const out = await read(relayEventStream(upstream([progress, 'event: message\ndata: {"jsonrpc":"2.0","id":1,"res'], "break"), watch, "Server stopped answering"));
    expect(out.startsWith(progress)).toBe(true);
    expect(dataOf(out.slice(progress.length))).toEqual([{ jsonrpc: "2.0", id: 1, error: { code: BROKEN_STREAM_CODE, message: "Server stopped answering" } }]);
  });

  it("a result whose rewrite can't be written again goes on as the server sent it (the relay never throws on it)", async () => {
    const watch = new AnswerWatch();
    const answered: unknown[] = [];
    watch.watch(1, { rewrite: (value) => ({ ...value, size: 1n }), onAnswer: (answer) => answered.push(answer.result) });
    const text = event(result(1, { tools: [] }));
    expect(await read(relayEventStream(upstream([text]), watch, "broken"))).toBe(text);
    expect(answered).toEqual([{ tools: [] }]);
  });

  it("a stream whose requests were all answered ends with nothing added", async () => {
    const text = event(result(1, {}));
    const watch = new AnswerWatch();
    watch.watch(1);
    expect(await read(relayEventStream(upstream([text], "break"), watch, "broken"))).toBe(text);
  });

  it("an event past the message limit (in bytes) ends the stream with an error for what is owed, whether its answer would be rewritten or not", async () => {
    for (const rewrite of [undefined, drop("secret")]) {
      const watch = new AnswerWatch();
      watch.watch(1, { rewrite });
      // Over the limit in UTF-8 bytes, though not in characters.
      const huge = `data: {"jsonrpc":"2.0","id":1,"result":{"pad":"${"€".repeat(MAX_MESSAGE_BYTES / 3 + 1)}`;
      const out = await read(relayEventStream(upstream([huge, "x"], "open"), watch, "broken"));
      const [error] = dataOf(out);
      expect(error, rewrite ? "rewritten" : "passed through").toMatchObject({ id: 1, error: { code: BROKEN_STREAM_CODE } });
      expect((error.error as { message: string }).message).toContain("larger than");
    }
  });

  it("the client leaving counts as left, not broken", async () => {
    const watch = new AnswerWatch();
    const why: string[] = [];
    watch.watch(1, { onUnanswered: (reason) => why.push(reason) });
    const stream = relayEventStream(upstream([], "open"), watch, "broken");
    await stream.cancel();
    expect(why).toEqual(["left"]);
  });
});
