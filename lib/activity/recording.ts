// What the activity log keeps of a call's arguments and result: nothing, unless an admin turned
// recording on for the provider (activity_recording), and then the value with every secret
// replaced by the one redaction list the logs use (lib/redact.ts), cut to a size.
import { redact } from "@/lib/redact";

/** The most a recorded argument list or result takes, as JSON text. */
export const RECORDED_MAX_CHARS = 8 * 1024;

export type ActivityRecording = { arguments: boolean; results: boolean };

/** What a provider's row says to record. */
export function recordingOf(row: { recordArguments: boolean; recordResults: boolean }): ActivityRecording {
  return { arguments: row.recordArguments, results: row.recordResults };
}

/** The parts of a call the log may keep, by the provider's setting: pass to recordToolCall as `recorded`. */
export function recordedParts(recording: ActivityRecording, parts: { arguments?: unknown; result?: unknown }): { arguments?: unknown; result?: unknown } | undefined {
  if (!recording.arguments && !recording.results) return undefined;
  return {
    ...(recording.arguments && parts.arguments !== undefined ? { arguments: parts.arguments } : {}),
    ...(recording.results && parts.result !== undefined ? { result: parts.result } : {}),
  };
}

/** A value as stored: redacted JSON, or a note of its size and its beginning when it is too large. */
export function recordedValue(value: unknown): string | null {
  if (value === undefined) return null;
  // Undefined for what JSON can't hold (a function, a symbol): nothing to record.
  const text = JSON.stringify(redact(value)) as string | undefined;
  if (text === undefined) return null;
  if (text.length <= RECORDED_MAX_CHARS) return text;
  return JSON.stringify({ truncated: true, chars: text.length, start: text.slice(0, RECORDED_MAX_CHARS - 200) });
}
