// A real OTLP/HTTP receiver — the receiving side of an OpenTelemetry collector — for the tests and
// the bench: POST /v1/traces and /v1/logs with the JSON encoding OTLP/HTTP specifies (what
// @opentelemetry/exporter-{trace,logs}-otlp-http send: ids as hex, 64-bit numbers as strings or
// numbers), answered 200 with an empty ExportServiceResponse. It keeps each request's headers and
// raw body, and decodes spans and log records with their resource's attributes. Protobuf bodies
// are refused (415): the console sends JSON. With `keep: false` (the bench's sink) it only counts.
import http from "node:http";
import { asyncListener, readBody } from "./http";
import { listenOnFreePort } from "./ports";

type AnyValue = {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: number | string;
  doubleValue?: number;
  bytesValue?: string;
  arrayValue?: { values?: AnyValue[] };
  kvlistValue?: { values?: KeyValue[] };
};
type KeyValue = { key: string; value?: AnyValue };
type Resource = { attributes?: KeyValue[] };
type OtlpSpan = { traceId: string; spanId: string; parentSpanId?: string; name: string; kind: number; attributes?: KeyValue[]; status?: { code?: number; message?: string } };
type OtlpLogRecord = { timeUnixNano?: string | number; severityNumber?: number; severityText?: string; eventName?: string; body?: AnyValue; attributes?: KeyValue[]; traceId?: string; spanId?: string };
type TracesRequest = { resourceSpans?: { resource?: Resource; scopeSpans?: { spans?: OtlpSpan[] }[] }[] };
type LogsRequest = { resourceLogs?: { resource?: Resource; scopeLogs?: { logRecords?: OtlpLogRecord[] }[] }[] };

export type Attributes = Record<string, unknown>;
export type ReceivedSpan = { traceId: string; spanId: string; parentSpanId?: string; name: string; kind: number; attributes: Attributes; status: { code: number; message?: string }; resource: Attributes };
export type ReceivedLogRecord = { timeUnixNano: string; severityNumber?: number; severityText?: string; eventName?: string; body: unknown; attributes: Attributes; traceId?: string; spanId?: string; resource: Attributes };
export type ReceivedRequest = { path: string; headers: http.IncomingHttpHeaders; body: string };

function valueOf(value: AnyValue | undefined): unknown {
  if (!value) return undefined;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.bytesValue !== undefined) return value.bytesValue;
  if (value.arrayValue) return (value.arrayValue.values ?? []).map(valueOf);
  if (value.kvlistValue) return attributesOf(value.kvlistValue.values);
  return undefined;
}

function attributesOf(list: KeyValue[] | undefined): Attributes {
  return Object.fromEntries((list ?? []).map((entry) => [entry.key, valueOf(entry.value)]));
}

// An empty id is "no parent" in OTLP JSON.
const idOf = (id: string | undefined) => (id ? id : undefined);

export async function startOtlpReceiver(options: { keep?: boolean } = {}) {
  const keep = options.keep ?? true;
  const requests: ReceivedRequest[] = [];
  const spans: ReceivedSpan[] = [];
  const logs: ReceivedLogRecord[] = [];
  const counts = { spans: 0, logs: 0 };
  const server = http.createServer(asyncListener(async (req, res) => {
    const body = (await readBody(req)).toString("utf8");
    const path = new URL(req.url ?? "/", "http://receiver").pathname;
    if (req.method !== "POST" || (path !== "/v1/traces" && path !== "/v1/logs")) {
      res.writeHead(404).end();
      return;
    }
    if (!(req.headers["content-type"] ?? "").startsWith("application/json")) {
      res.writeHead(415).end();
      return;
    }
    if (keep) requests.push({ path, headers: req.headers, body });
    if (path === "/v1/traces") {
      for (const resourceSpans of (JSON.parse(body) as TracesRequest).resourceSpans ?? []) {
        const resource = attributesOf(resourceSpans.resource?.attributes);
        for (const scope of resourceSpans.scopeSpans ?? []) {
          for (const span of scope.spans ?? []) {
            counts.spans++;
            if (keep) spans.push({ traceId: span.traceId, spanId: span.spanId, parentSpanId: idOf(span.parentSpanId), name: span.name, kind: span.kind, attributes: attributesOf(span.attributes), status: { code: span.status?.code ?? 0, message: span.status?.message }, resource });
          }
        }
      }
    } else {
      for (const resourceLogs of (JSON.parse(body) as LogsRequest).resourceLogs ?? []) {
        const resource = attributesOf(resourceLogs.resource?.attributes);
        for (const scope of resourceLogs.scopeLogs ?? []) {
          for (const record of scope.logRecords ?? []) {
            counts.logs++;
            if (keep) logs.push({ timeUnixNano: String(record.timeUnixNano ?? ""), severityNumber: record.severityNumber, severityText: record.severityText, eventName: record.eventName, body: valueOf(record.body), attributes: attributesOf(record.attributes), traceId: idOf(record.traceId), spanId: idOf(record.spanId), resource });
          }
        }
      }
    }
    res.writeHead(200, { "content-type": "application/json" }).end("{}");
  }));
  const port = await listenOnFreePort(server);
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    spans,
    logs,
    counts,
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => { resolve(); });
    }),
  };
}

export type OtlpReceiver = Awaited<ReturnType<typeof startOtlpReceiver>>;
