// The activity log, sent on as OpenTelemetry logs when OTEL_LOGS_EXPORTER=otlp: each record, once
// its workspace's chain holds it (lib/activity/chain-store.ts), becomes one OTLP log record. Its
// body is the record's line of the JSON Lines export, byte for byte — every field its hash covers,
// its position, its hash and the previous one — so a SIEM checks it as docs/activity-log.md says;
// its attributes are the same fields to search by, and it names the tool call's trace.
//
// Sending is a copy off the call path: records are queued in memory (bounded) and sent in batches.
// A collector that is down loses the records queued past the bound, never the console's; the chain
// in the database stays the record, and its positions show a receiver where to fill a gap from.
import "server-only";
import { ROOT_CONTEXT, trace, type SpanContext } from "@opentelemetry/api";
import { SeverityNumber, type Logger } from "@opentelemetry/api-logs";
import { OTLPLogExporter } from "@opentelemetry/exporter-logs-otlp-http";
import { BatchLogRecordProcessor, LoggerProvider } from "@opentelemetry/sdk-logs";
import { ATTR_ERROR_TYPE } from "@opentelemetry/semantic-conventions";
import { HASH_VERSION, type ChainedRecord } from "@/lib/activity/chain";
import { exportLineOf } from "@/lib/activity/export-line";
import { env, type Env } from "@/lib/env";
import { log } from "@/lib/log";
import { ATTR, BATCHING, exporterOptions, flushProvider, otlpEndpoint, otlpResource, reportingFailures, stopProvider, SUCCESSFUL_OUTCOMES, toolCallAttributes } from "@/lib/observability/otlp";
import { processWide } from "@/lib/process-wide";

const state = processWide("otlp-logs", () => ({ current: undefined as { provider: LoggerProvider; logger: Logger } | undefined }));

/** The event every activity record is sent as. */
export const TOOL_CALL_EVENT = "mcp_console.tool_call";

/** A record as its workspace's chain now holds it; `trace`: the call's span, when tracing was on. */
export type CommittedRecord = { record: ChainedRecord; prevHash: string; hash: string; trace?: SpanContext };

/** Starts sending the activity log if OTEL_LOGS_EXPORTER=otlp (at start-up: instrumentation.ts); says whether it did. */
export function startActivityLogExport(config: Env = env()): boolean {
  if (state.current) return true;
  const url = config.OTEL_LOGS_EXPORTER === "otlp" ? otlpEndpoint(config, "logs") : undefined;
  if (!url) return false;
  const exporter = reportingFailures(new OTLPLogExporter(exporterOptions(config, url)), "logs");
  const provider = new LoggerProvider({
    resource: otlpResource(config),
    // Records are appended in batches of up to 200 every 250 ms: room for several seconds of a busy console's.
    processors: [new BatchLogRecordProcessor({ exporter, maxQueueSize: 8192, ...BATCHING })],
  });
  state.current = { provider, logger: provider.getLogger("mcp-console.activity") };
  log.info({ serviceName: config.OTEL_SERVICE_NAME }, "the activity log is sent as OpenTelemetry logs over OTLP/HTTP");
  return true;
}

export async function flushActivityLogExport() {
  await flushProvider(state.current?.provider);
}

export async function stopActivityLogExport() {
  await stopProvider(state);
}

/** Queues committed records to be sent; returns at once (nothing here waits for the collector) and never throws into the append. */
export function exportActivityRecords(committed: CommittedRecord[]) {
  const current = state.current;
  if (!current) return;
  try {
    emitRecords(current.logger, committed);
  } catch (error) {
    log.warn({ err: error, count: committed.length }, "activity records could not be queued for OpenTelemetry export");
  }
}

function emitRecords(logger: Logger, committed: CommittedRecord[]) {
  for (const { record, prevHash, hash, trace: spanContext } of committed) {
    const failed = !SUCCESSFUL_OUTCOMES.has(record.outcome);
    logger.emit({
      eventName: TOOL_CALL_EVENT,
      timestamp: record.createdAt,
      severityNumber: failed ? SeverityNumber.WARN : SeverityNumber.INFO,
      severityText: failed ? "WARN" : "INFO",
      body: JSON.stringify(exportLineOf(record, { hashVersion: HASH_VERSION, prevHash, hash })),
      attributes: {
        ...toolCallAttributes(record),
        [ATTR.logRecordUid]: record.id,
        [ATTR.userEmail]: record.userEmail,
        [ATTR.outcome]: record.outcome,
        [ATTR.durationMs]: record.durationMs,
        [ATTR.identityMode]: record.identity,
        [ATTR.position]: record.seq,
        [ATTR.hash]: hash,
        [ATTR.prevHash]: prevHash,
        ...(failed ? { [ATTR_ERROR_TYPE]: record.outcome } : {}),
      },
      ...(spanContext ? { context: trace.setSpanContext(ROOT_CONTEXT, spanContext) } : {}),
    });
  }
}
