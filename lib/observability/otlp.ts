// What the console's two OTLP exports share (traces: lib/observability/tracing.ts; the activity log
// as logs: lib/observability/otlp-logs.ts): where each signal goes, the resource that names this
// service, and how a failing collector is told to the operator — once, then at most once a minute,
// never with the endpoint's headers. Both exports are OTLP/HTTP with JSON bodies.
import "server-only";
import type { Attributes } from "@opentelemetry/api";
import type { ExportResult } from "@opentelemetry/core";
import { ExportResultCode } from "@opentelemetry/core";
import { defaultResource, resourceFromAttributes, type Resource } from "@opentelemetry/resources";
import { ATTR_SERVICE_NAME } from "@opentelemetry/semantic-conventions";
import { parseKeyValueList, type Env } from "@/lib/env";
import { log } from "@/lib/log";
import { SUCCESSFUL_OUTCOMES as SUCCESSFUL_CALL_OUTCOMES } from "@/lib/activity/outcomes";

export type Signal = "traces" | "logs";

/**
 * The attribute names spans and log records use. `mcp.*` and `gen_ai.*` are the MCP semantic
 * conventions (semantic-conventions 1.45 marks its copies of them deprecated because they moved
 * to the GenAI conventions' own repository, not because they changed); `jsonrpc.request.id` and
 * `user.*` are incubating there, copied as that package advises; `mcp_console.*` are the console's.
 */
export const ATTR = {
  mcpMethodName: "mcp.method.name",
  mcpSessionId: "mcp.session.id",
  mcpProtocolVersion: "mcp.protocol.version",
  genAiOperationName: "gen_ai.operation.name",
  genAiToolName: "gen_ai.tool.name",
  jsonrpcRequestId: "jsonrpc.request.id",
  userId: "user.id",
  userEmail: "user.email",
  logRecordUid: "log.record.uid",
  workspaceId: "mcp_console.workspace.id",
  providerId: "mcp_console.provider.id",
  providerName: "mcp_console.provider.name",
  serverIdentifier: "mcp_console.server_identifier",
  via: "mcp_console.via",
  outcome: "mcp_console.outcome",
  identityMode: "mcp_console.identity_mode",
  durationMs: "mcp_console.duration_ms",
  requestId: "mcp_console.request_id",
  position: "mcp_console.activity.position",
  hash: "mcp_console.activity.hash",
  prevHash: "mcp_console.activity.prev_hash",
} as const;

/** Who called which tool of which provider, how: on a tool call's span and on its activity record's log record alike. */
export function toolCallAttributes(call: { tool: string; userId: string; workspaceId: string; providerId: string; providerName: string; via: string; requestId: string }): Attributes {
  return {
    [ATTR.mcpMethodName]: "tools/call",
    [ATTR.genAiToolName]: call.tool.slice(0, 200),
    [ATTR.userId]: call.userId,
    [ATTR.workspaceId]: call.workspaceId,
    [ATTR.providerId]: call.providerId,
    [ATTR.providerName]: call.providerName,
    [ATTR.via]: call.via,
    [ATTR.requestId]: call.requestId,
  };
}

/** How a tool call ended, as the activity log says it, that isn't a failure. */
export const SUCCESSFUL_OUTCOMES: ReadonlySet<string> = new Set(SUCCESSFUL_CALL_OUTCOMES);

/**
 * Where a signal is sent, by the OTLP exporter spec: its own endpoint as given, else the shared
 * endpoint with `v1/{signal}` appended; undefined when neither is set or the SDK is disabled.
 */
export function otlpEndpoint(config: Env, signal: Signal): string | undefined {
  if (config.OTEL_SDK_DISABLED) return undefined;
  const own = signal === "traces" ? config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT : config.OTEL_EXPORTER_OTLP_LOGS_ENDPOINT;
  if (own) return own;
  const shared = config.OTEL_EXPORTER_OTLP_ENDPOINT;
  return shared ? `${shared.replace(/\/+$/, "")}/v1/${signal}` : undefined;
}

/** What the exporters are given: the endpoint, the headers (a collector's key, say), bounded waits. */
export function exporterOptions(config: Env, url: string) {
  // An export that hangs is given up on: the batch processor's queue, not the call path, waits for it.
  return { url, headers: parseKeyValueList(config.OTEL_EXPORTER_OTLP_HEADERS), timeoutMillis: 10_000, concurrencyLimit: 8 };
}

/**
 * How both batch processors send: up to 512 items an export, about every second, an export given
 * up after 10 s (each signal sets how many items may wait in memory; past that, new ones are dropped).
 */
export const BATCHING = { maxExportBatchSize: 512, scheduledDelayMillis: 1000, exportTimeoutMillis: 10_000 };

type Provider = { forceFlush(): Promise<void>; shutdown(): Promise<void> };

/** Sends what is waiting now (tests, and a clean shutdown); a failed export was logged already. */
export async function flushProvider(provider: Provider | undefined) {
  await provider?.forceFlush().catch(() => undefined);
}

/** Takes a signal's provider out of its slot (nothing more is made) and sends what is waiting. */
export async function stopProvider<T extends { provider: Provider }>(slot: { current: T | undefined }): Promise<T | undefined> {
  const current = slot.current;
  slot.current = undefined;
  await current?.provider.shutdown();
  return current;
}

/** service.name (OTEL_SERVICE_NAME, else "mcp-console"), OTEL_RESOURCE_ATTRIBUTES, and the SDK's own. */
export function otlpResource(config: Env): Resource {
  return defaultResource().merge(resourceFromAttributes({ ...parseKeyValueList(config.OTEL_RESOURCE_ATTRIBUTES), [ATTR_SERVICE_NAME]: config.OTEL_SERVICE_NAME }));
}

const WARN_EVERY_MS = 60_000;

type Exporter<T> = { export(items: T[], done: (result: ExportResult) => void): void; shutdown(): Promise<void>; forceFlush?(): Promise<void> };

/**
 * The exporter, telling the log when exports fail (a collector that is down or refuses) and when
 * they work again. What failed is said by signal only: the URL may carry credentials, the headers do.
 */
export function reportingFailures<T>(exporter: Exporter<T>, signal: Signal): Required<Exporter<T>> {
  let failed = 0;
  let warnedAt = 0;
  return {
    export(items, done) {
      exporter.export(items, (result) => {
        if (result.code === ExportResultCode.SUCCESS) {
          if (failed > 0) log.info({ signal, failedBatches: failed }, "OpenTelemetry exports reach the collector again");
          failed = 0;
        } else {
          failed++;
          const now = Date.now();
          if (now - warnedAt >= WARN_EVERY_MS) {
            warnedAt = now;
            log.warn({ signal, failedBatches: failed, reason: result.error?.message.slice(0, 200) }, "OpenTelemetry export failed: the collector is unreachable or refused it; what can't be sent is dropped");
          }
        }
        done(result);
      });
    },
    shutdown: () => exporter.shutdown(),
    forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve(),
  };
}
