import { describe, expect, it } from "vitest";
import { captureLogsForTests, log, redact } from "@/lib/log";

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
