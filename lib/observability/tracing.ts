// OpenTelemetry traces: a span per request to the gateway (`/mcp`, `/mcp/{server_identifier}`) and
// the REST API (`/api/v1/…`), and per tool call on every path (gateway, REST API, Try it), exported
// over OTLP/HTTP when an endpoint is set (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or
// OTEL_EXPORTER_OTLP_ENDPOINT). A client's `traceparent` is the parent of the console's request
// span, and what the console sends an MCP server carries the console's own span, so the server's
// spans are children of it.
//
// Unconfigured, nothing is set up: every function here returns at its first line, no span is
// built. Configured, the provider is the console's own, not registered with the OpenTelemetry API:
// Next.js's built-in spans (one per route, render and fetch; noisy, and CPU on the hot path) find
// no provider and stay no-ops, and only the spans below are made and sent. Spans carry who called
// which tool of which provider and how it ended — never arguments, results, headers or tokens.
// The current span travels in an AsyncLocalStorage of the tracer's own (the console's MCP client
// reads it to send `traceparent`), made only when tracing starts: on Node 20 each enabled one costs
// every await a little (~60 ns), which is why it isn't there when tracing is off.
import "server-only";
import { createHash, createHmac, randomBytes } from "node:crypto";
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span, type SpanContext, type TextMapGetter, type TextMapSetter, type Tracer } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { AlwaysOffSampler, AlwaysOnSampler, BatchSpanProcessor, ParentBasedSampler, SamplingDecision, TracerProvider, type Sampler, type SamplingResult } from "@opentelemetry/sdk-trace";
import { ATTR_ERROR_TYPE, ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_HTTP_ROUTE } from "@opentelemetry/semantic-conventions";
import { env, type Env } from "@/lib/env";
import { log } from "@/lib/log";
import { ATTR, BATCHING, exporterOptions, flushProvider, otlpEndpoint, otlpResource, reportingFailures, stopProvider, SUCCESSFUL_OUTCOMES, toolCallAttributes } from "@/lib/observability/otlp";
import { processWide } from "@/lib/process-wide";

type Tracing = { provider: TracerProvider; tracer: Tracer; contexts: AsyncLocalStorageContextManager };

// Shared by every bundle that loads this module (instrumentation starts it, the gateway and route handlers use it).
const state = processWide("tracing", () => ({ current: undefined as Tracing | undefined }));

const propagator = new W3CTraceContextPropagator();
/** A request's headers as the gateway reads them (a web Headers, or Node's read in place). */
type RequestHeaders = { get(name: string): string | null; forEach(callback: (value: string, name: string) => void): void };
const headerGetter: TextMapGetter<RequestHeaders> = {
  get: (headers, key) => headers.get(key) ?? undefined,
  keys: (headers) => {
    const names: string[] = [];
    headers.forEach((_value, name) => { names.push(name); });
    return names;
  },
};
// Headers going upstream are a plain record, with lower-case names.
const headerSetter: TextMapSetter<Record<string, string>> = { set: (headers, key, value) => { headers[key.toLowerCase()] = value; } };

/**
 * A ratio of traces kept, decided on a hash of the trace id keyed with this process's own secret:
 * a client that names the trace (traceparent) can't pick an id that is always kept (000…1) or never
 * kept, as it can with the SDK's ratio sampler, which reads the id's low bytes as they are.
 */
export function keyedRatioSampler(ratio: number): Sampler {
  const key = randomBytes(32);
  return {
    shouldSample(_context: Context, traceId: string): SamplingResult {
      const draw = createHmac("sha256", key).update(traceId).digest().readUInt32BE(0) / 2 ** 32;
      return { decision: draw < ratio ? SamplingDecision.RECORD_AND_SAMPLED : SamplingDecision.NOT_RECORD };
    },
    toString: () => `KeyedTraceIdRatioBased{${ratio}}`,
  };
}

/**
 * The console's own spans follow their parent's decision; a client's traceparent gives a trace its
 * id and parent but not the decision — else any MCP client could turn off the spans of its calls
 * (a sampled flag of 00) or force every one of them to be kept past the configured ratio.
 */
function parentBased(root: Sampler): Sampler {
  return new ParentBasedSampler({ root, remoteParentSampled: root, remoteParentNotSampled: root });
}

/** The sampler OTEL_TRACES_SAMPLER and its argument say. */
export function samplerOf(config: Env): Sampler {
  const ratio = config.OTEL_TRACES_SAMPLER_ARG ?? 1;
  switch (config.OTEL_TRACES_SAMPLER ?? "parentbased_always_on") {
    case "always_on":
      return new AlwaysOnSampler();
    case "always_off":
      return new AlwaysOffSampler();
    case "traceidratio":
      return keyedRatioSampler(ratio);
    case "parentbased_always_off":
      return parentBased(new AlwaysOffSampler());
    case "parentbased_traceidratio":
      return parentBased(keyedRatioSampler(ratio));
    case "parentbased_always_on":
      return parentBased(new AlwaysOnSampler());
  }
}

/** Starts exporting traces if an endpoint is configured (at start-up: instrumentation.ts); says whether it did. */
export function startTracing(config: Env = env()): boolean {
  if (state.current) return true;
  const url = config.OTEL_TRACES_EXPORTER === "none" ? undefined : otlpEndpoint(config, "traces");
  if (!url) return false;
  const exporter = reportingFailures(new OTLPTraceExporter(exporterOptions(config, url)), "traces");
  const provider = new TracerProvider({
    resource: otlpResource(config),
    sampler: samplerOf(config),
    spanProcessors: [new BatchSpanProcessor({ exporter, maxQueueSize: 4096, ...BATCHING })],
  });
  state.current = { provider, tracer: provider.getTracer("mcp-console"), contexts: new AsyncLocalStorageContextManager().enable() };
  log.info({ sampler: config.OTEL_TRACES_SAMPLER ?? "parentbased_always_on", serviceName: config.OTEL_SERVICE_NAME }, "OpenTelemetry traces are exported over OTLP/HTTP");
  return true;
}

export async function flushTracing() {
  await flushProvider(state.current?.provider);
}

/** Stops making spans and sends what is waiting. */
export async function stopTracing() {
  (await stopProvider(state))?.contexts.disable();
}

/** A short digest of a session id: enough to follow one session's requests, nothing to continue it with. */
function sessionDigest(sessionId: string): string {
  return createHash("sha256").update(sessionId).digest("hex").slice(0, 32);
}

/**
 * Serves a request inside its span (`POST /mcp/{server_identifier}`, `GET /api/v1/mcp-providers`;
 * kind server), the child of the client's `traceparent` if it sent one. The span ends when the
 * answer begins: a streamed answer's tool calls have spans of their own that last until they are answered.
 */
export function traceRequest<A extends { status: number }>(req: { method: string; headers: RequestHeaders }, route: string, serve: (span: Span | undefined) => Promise<A>): Promise<A> {
  const tracing = state.current;
  // Without tracing, no frame of its own: every relayed call's answer passes back through here.
  return tracing ? tracedRequest(tracing, req, route, serve) : serve(undefined);
}

async function tracedRequest<A extends { status: number }>(tracing: Tracing, req: { method: string; headers: RequestHeaders }, route: string, serve: (span: Span | undefined) => Promise<A>): Promise<A> {
  const parent = propagator.extract(ROOT_CONTEXT, req.headers, headerGetter);
  const attributes: Attributes = { [ATTR_HTTP_REQUEST_METHOD]: req.method, [ATTR_HTTP_ROUTE]: route };
  const protocolVersion = req.headers.get("mcp-protocol-version");
  if (protocolVersion) attributes[ATTR.mcpProtocolVersion] = protocolVersion.slice(0, 32);
  const sessionId = req.headers.get("mcp-session-id");
  if (sessionId) attributes[ATTR.mcpSessionId] = sessionDigest(sessionId);
  const span = tracing.tracer.startSpan(`${req.method} ${route}`, { kind: SpanKind.SERVER, attributes }, parent);
  try {
    const response = await tracing.contexts.with(trace.setSpan(parent, span), () => serve(span));
    span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, response.status);
    if (response.status >= 500) {
      span.setStatus({ code: SpanStatusCode.ERROR });
      span.setAttribute(ATTR_ERROR_TYPE, String(response.status));
    }
    return response;
  } catch (error) {
    span.setStatus({ code: SpanStatusCode.ERROR });
    span.setAttribute(ATTR_ERROR_TYPE, error instanceof Error ? error.name : "unknown");
    throw error;
  } finally {
    span.end();
  }
}

/**
 * A request's single JSON-RPC message, on the request's span: its method, its id and, for a
 * tools/call, its tool — in the MCP conventions' names.
 */
export function annotateRpcRequest(message: { method: string; id?: string | number | null; params?: Record<string, unknown> }) {
  const tracing = state.current;
  if (!tracing) return;
  const attributes: Attributes = { [ATTR.mcpMethodName]: message.method.slice(0, 100) };
  if (message.id !== undefined && message.id !== null) attributes[ATTR.jsonrpcRequestId] = String(message.id).slice(0, 100);
  if (message.method === "tools/call" && typeof message.params?.name === "string") attributes[ATTR.genAiToolName] = message.params.name.slice(0, 200);
  trace.getSpan(tracing.contexts.active())?.setAttributes(attributes);
}

export type ToolCallSpan = {
  /** For the activity log: its OTLP log record names the call's trace. */
  spanContext: SpanContext;
  /** Runs `work` with this span current: what the console's MCP client sends meanwhile carries it. */
  run<T>(work: () => T): T;
  /** The context to send upstream (the relay sends requests outside `run`). */
  context: Context;
  end(outcome: string, identity: string): void;
};

export type ToolCallOf = {
  tool: string;
  workspaceId: string;
  userId: string;
  providerId: string;
  providerName: string;
  via: string;
  requestId: string;
  rpcId?: string | number;
};

/**
 * A tool call's span (`tools/call {tool}`, kind client: the console calling the provider's server),
 * the child of whatever span is current (the gateway request it came in). Undefined when tracing is off.
 */
export function startToolCallSpan(call: ToolCallOf): ToolCallSpan | undefined {
  const tracing = state.current;
  if (!tracing) return undefined;
  const parent = tracing.contexts.active();
  const attributes: Attributes = { ...toolCallAttributes(call), [ATTR.genAiOperationName]: "execute_tool" };
  if (call.rpcId !== undefined) attributes[ATTR.jsonrpcRequestId] = String(call.rpcId).slice(0, 100);
  const span = tracing.tracer.startSpan(`tools/call ${call.tool.slice(0, 200)}`, { kind: SpanKind.CLIENT, attributes }, parent);
  const context = trace.setSpan(parent, span);
  return {
    spanContext: span.spanContext(),
    context,
    run: (work) => tracing.contexts.with(context, work),
    end(outcome, identity) {
      span.setAttributes({ [ATTR.outcome]: outcome, [ATTR.identityMode]: identity });
      if (!SUCCESSFUL_OUTCOMES.has(outcome)) {
        span.setStatus({ code: SpanStatusCode.ERROR });
        span.setAttribute(ATTR_ERROR_TYPE, outcome);
      }
      span.end();
    },
  };
}

/** `work` inside the tool call's span, when there is one. */
export function inSpan<T>(span: ToolCallSpan | undefined, work: () => T): T {
  return span ? span.run(work) : work();
}

/**
 * Headers for a request to an MCP server: with tracing on, `traceparent`/`tracestate` name the
 * console's span (the tool call's, else the current one) in place of anything the client sent.
 * With tracing off they are left as they are (the relay passes the client's on).
 */
export function propagateTrace(headers: Headers | Record<string, string>, span?: ToolCallSpan) {
  const tracing = state.current;
  if (!tracing) return;
  const context: Record<string, string> = {};
  propagator.inject(span?.context ?? tracing.contexts.active(), context, headerSetter);
  if (headers instanceof Headers) {
    headers.delete("traceparent");
    headers.delete("tracestate");
    for (const [name, value] of Object.entries(context)) headers.set(name, value);
  } else {
    delete headers.traceparent;
    delete headers.tracestate;
    Object.assign(headers, context);
  }
}
