// What a stopping server (server.mjs, on SIGTERM or SIGINT) does before the process exits, once it
// has stopped taking requests: the activity records still waiting for their batch are written, and
// what OpenTelemetry holds (log records, spans) is sent. Without it, a deploy loses the last quarter
// second of the activity log.
import "server-only";
import { flushToolCalls } from "@/lib/activity/tool-calls";
import { log } from "@/lib/log";
import { stopActivityLogExport } from "@/lib/observability/otlp-logs";
import { stopTracing } from "@/lib/observability/tracing";
import { processWide } from "@/lib/process-wide";

export async function shutDown(): Promise<void> {
  try {
    await flushToolCalls();
  } catch (error) {
    log.error({ err: error }, "the activity records waiting to be written could not be written while stopping");
  }
  // After the records: each one committed is also an OTLP log record.
  await Promise.allSettled([stopActivityLogExport(), stopTracing()]);
}

/** What instrumentation registers for server.mjs (which is not bundled and can't import TypeScript). */
export function registerShutdown() {
  processWide<() => Promise<void>>("shutdown", () => shutDown);
}
