// Structured JSON logs (pino), one line per event. Every object logged passes through `redact`
// (lib/redact.ts): a secret is replaced at any depth, so a careless log call can't leak one.
import { Writable } from "node:stream";
import pino from "pino";
import { redact } from "@/lib/redact";

// Logs go to stdout unless a test captures them.
let sink: (line: string) => void = (line) => process.stdout.write(line);
const destination = new Writable({
  write(chunk: Buffer, _encoding, done) {
    sink(chunk.toString());
    done();
  },
});

// Read directly (not through lib/env): logging must work even while the configuration is invalid.
const level = process.env.LOG_LEVEL ?? (process.env.NODE_ENV === "test" ? "warn" : "info");

export const log = pino(
  {
    level,
    base: undefined,
    messageKey: "msg",
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      level: (label) => ({ level: label }),
      log: (object) => redact(object) as Record<string, unknown>,
    },
  },
  destination,
);

/** Tests read every line the console logs (and may lower the level to see everything). */
export function captureLogsForTests(capture: (line: string) => void, captureLevel = "trace") {
  const previous = { sink, level: log.level };
  sink = capture;
  log.level = captureLevel;
  return () => {
    sink = previous.sink;
    log.level = previous.level;
  };
}
