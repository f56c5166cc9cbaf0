// Which outcomes of a tool call are not errors: it was answered ("ok"), or it goes on — the first half
// of a 2026-07-28 round trip ("input_required"), a stream the server ended to be resumed ("resumed").
// The Activity list's error filter, its charts, and the traces and OTLP log records all read this list.
export const SUCCESSFUL_OUTCOMES: readonly string[] = ["ok", "input_required", "resumed"];
