import { describe, expect, it } from "vitest";
import { captureLogsForTests, log } from "@/lib/log";
import { redact } from "@/lib/redact";

describe("log redaction", () => {
  it("replaces secret-named keys at any depth", () => {
    expect(
      redact({ requestId: "r1", headers: { "X-Api-Key": "k" }, nested: { deeper: { refresh_token: "rt", Authorization: "Bearer t", client_secret: "s", password: "p" } }, list: [{ token: "t" }] }),
    ).toEqual({
      requestId: "r1",
      headers: "[redacted]",
      nested: { deeper: { refresh_token: "[redacted]", Authorization: "[redacted]", client_secret: "[redacted]", password: "[redacted]" } },
      list: [{ token: "[redacted]" }],
    });
  });

  it("replaces credential-looking values whatever their key, and leaves ordinary text alone", () => {
    expect(redact({ note: "Bearer abcdefghijklmn", jwt: "eyJhbGciOi.eyJzdWIiOi.sig", echoed: 'Received {"k":"sk-proj-0123456789abcdef0123"}', mine: "mcpc_0123456789abcdefXYZ", text: "a bearer of news", n: 3 })).toEqual({
      note: "[redacted]", jwt: "[redacted]", echoed: 'Received {"k":"[redacted]"}', mine: "[redacted]", text: "a bearer of news", n: 3,
    });
    expect(JSON.stringify(redact({ a: { b: { c: { d: { e: { f: { g: { h: "hidden-value" } } } } } } } }))).not.toContain("hidden-value");
  });

  it("writes one JSON line per event, redacted", () => {
    const lines: string[] = [];
    const stop = captureLogsForTests((line) => lines.push(line));
    log.info({ requestId: "abc", authorization: "Bearer leaked" }, "hello");
    stop();
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({ level: "info", msg: "hello", requestId: "abc", authorization: "[redacted]" });
    expect(lines[0]).not.toContain("leaked");
  });
});
