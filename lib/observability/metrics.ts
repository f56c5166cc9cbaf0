// The console's Prometheus metrics, every one of them defined here, in a registry of its own (never
// prom-client's global one) that /metrics serves (lib/observability/scrape.ts). Counts are this
// instance's own, since it started: Prometheus scrapes each instance and adds them up.
//
// Series name providers, workspaces and identity modes by id and enum, never by anything a person
// typed: a rename doesn't start a new series, and no label grows without bound. The names a
// dashboard shows come from the info series made at scrape time (PROVIDER_INFO, WORKSPACE_INFO).
// Every series with a workspace_id is that workspace's: a workspace admin's token sees those only.
//
// Counting is on the path of every tool call, so a call's series are resolved once and kept: the
// call looks them up in maps and builds no label objects.
import "server-only";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { MetricFamily } from "@/lib/observability/exposition";
import { processWide } from "@/lib/process-wide";

export const WORKSPACE_LABEL = "workspace_id";

/** Where a gateway session or stream is: `/mcp/{server}` (one provider, relayed) or `/mcp` (the workspace). */
export type GatewayEndpoint = "provider" | "workspace";

// Tool calls take from a few milliseconds to a provider's read timeout (five minutes by default).
const CALL_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
// A mint is one or two requests to an identity provider or authorization server.
const MINT_SECONDS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const workspaceScoped = new Set<string>();
  // Registers the metric here, and notes whether its series belong to workspaces.
  const own = <C extends { name: string; labelNames: readonly string[] }>(config: C) => {
    if (config.labelNames.includes(WORKSPACE_LABEL)) workspaceScoped.add(config.name);
    return { ...config, registers: [registry] };
  };
  return {
    registry,
    workspaceScoped,
    toolCalls: new Counter(own({
      name: "mcp_console_tool_calls_total",
      help: 'Tool calls answered, by every path (via: "gateway", "api", "console" for Try it) and how they ended (outcome: "ok", "tool_error" when the tool reported an error, or the error code the caller got)',
      labelNames: [WORKSPACE_LABEL, "provider_id", "via", "outcome"] as const,
    })),
    toolCallSeconds: new Histogram(own({
      name: "mcp_console_tool_call_duration_seconds",
      help: "How long tool calls took, from the console receiving them to their answer, whatever their outcome",
      labelNames: [WORKSPACE_LABEL, "provider_id", "via"] as const,
      buckets: CALL_SECONDS,
    })),
    tokenMints: new Counter(own({
      name: "mcp_console_token_mints_total",
      help: 'Tokens the console asked for to carry calls (mode: an identity mode — idp_token, token_exchange, id_jag — or an OAuth connection\'s oauth_refresh, oauth_client_credentials, oauth_jwt_bearer), by outcome ("ok", or why it failed)',
      labelNames: [WORKSPACE_LABEL, "mode", "outcome"] as const,
    })),
    tokenMintSeconds: new Histogram(own({
      name: "mcp_console_token_mint_duration_seconds",
      help: "How long token mints took at the identity provider or authorization server, whatever their outcome",
      labelNames: [WORKSPACE_LABEL, "mode"] as const,
      buckets: MINT_SECONDS,
    })),
    tokenCacheLookups: new Counter(own({
      name: "mcp_console_token_cache_lookups_total",
      help: 'Identity tokens looked for in this instance\'s cache for a forwarded call (result: "hit", served from the cache; "miss", minted or waited for)',
      labelNames: [WORKSPACE_LABEL, "mode", "result"] as const,
    })),
    sessionsOpened: new Counter(own({
      name: "mcp_console_gateway_sessions_opened_total",
      help: "Gateway sessions this instance opened (an initialize answered with an Mcp-Session-Id; 2026-07-28 clients have no sessions). A session lives with its client, not on the console, so none is known to have ended and the number open can't be told",
      labelNames: [WORKSPACE_LABEL, "endpoint"] as const,
    })),
    openStreams: new Gauge(own({
      name: "mcp_console_gateway_open_streams",
      help: "Long-lived gateway event streams (GET streams and 2026-07-28 subscriptions) this instance holds open now",
      labelNames: [WORKSPACE_LABEL, "endpoint"] as const,
    })),
    rateLimitRefusals: new Counter(own({
      name: "mcp_console_rate_limit_refusals_total",
      help: "Requests refused for being over a rate limit, by the limit that refused them",
      labelNames: ["limit"] as const,
    })),
  };
}

const metrics = processWide("metrics", createMetrics);

/** The series made at scrape time from the database: what the ids in the other series name. */
export const PROVIDER_INFO = {
  name: "mcp_console_provider_info",
  help: "A provider's name and server identifier, always 1: join on provider_id to show names (a rename changes this series only)",
} as const;
export const WORKSPACE_INFO = { name: "mcp_console_workspace_info", help: "A workspace's name, always 1: join on workspace_id to show names" } as const;

/** Everything the registry holds now; `workspaceScoped`: its series each belong to one workspace. */
export async function collectMetrics(): Promise<(MetricFamily & { workspaceScoped: boolean })[]> {
  return (await metrics.registry.getMetricsAsJSON()).map((metric) => ({
    name: metric.name,
    help: metric.help,
    type: String(metric.type), // "counter", "gauge", …: prom-client's typings call it a numeric enum
    workspaceScoped: metrics.workspaceScoped.has(metric.name),
    // A histogram's samples are named for their part (_bucket, _sum, _count).
    samples: metric.values.map((value) => ({ name: ("metricName" in value && typeof value.metricName === "string" ? value.metricName : metric.name), labels: value.labels, value: value.value })),
  }));
}

// ---- tool calls --------------------------------------------------------------------------------

type CallSeries = { workspaceId: string; seconds: Histogram.Internal<string>; outcomes: Map<string, Counter.Internal> };
const callSeries = processWide("metrics-call-series", () => new Map<string, Map<string, CallSeries>>());

/** Counts a finished tool call (lib/activity/tool-calls.ts sees every one, whatever path it came by). */
export function countToolCall(call: { workspaceId: string; providerId: string; via: string; outcome: string; durationMs: number }) {
  let byVia = callSeries.get(call.providerId);
  if (!byVia) callSeries.set(call.providerId, (byVia = new Map<string, CallSeries>()));
  let series = byVia.get(call.via);
  if (!series) byVia.set(call.via, (series = { workspaceId: call.workspaceId, seconds: metrics.toolCallSeconds.labels(call.workspaceId, call.providerId, call.via), outcomes: new Map() }));
  let calls = series.outcomes.get(call.outcome);
  if (!calls) series.outcomes.set(call.outcome, (calls = metrics.toolCalls.labels(call.workspaceId, call.providerId, call.via, call.outcome)));
  calls.inc();
  series.seconds.observe(Math.max(0, call.durationMs) / 1000);
}

/**
 * A deleted provider's series go from this instance's scrapes (another instance drops them when it
 * restarts): providers made and deleted again and again don't pile series up.
 */
export function forgetProviderSeries(providerId: string) {
  const byVia = callSeries.get(providerId);
  if (!byVia) return;
  callSeries.delete(providerId);
  for (const [via, series] of byVia) {
    metrics.toolCallSeconds.remove(series.workspaceId, providerId, via);
    for (const outcome of series.outcomes.keys()) metrics.toolCalls.remove(series.workspaceId, providerId, via, outcome);
  }
}

// ---- tokens ------------------------------------------------------------------------------------

type LookupSeries = { hit: Counter.Internal; miss: Counter.Internal };
const lookupSeries = processWide("metrics-lookup-series", () => new Map<string, Map<string, LookupSeries>>());

/** A forwarded call looked for its identity token in the cache: `hit` when it was there. */
export function countTokenCacheLookup(workspaceId: string, mode: string, hit: boolean) {
  let byMode = lookupSeries.get(workspaceId);
  if (!byMode) lookupSeries.set(workspaceId, (byMode = new Map<string, LookupSeries>()));
  let series = byMode.get(mode);
  if (!series) {
    series = { hit: metrics.tokenCacheLookups.labels(workspaceId, mode, "hit"), miss: metrics.tokenCacheLookups.labels(workspaceId, mode, "miss") };
    byMode.set(mode, series);
  }
  (hit ? series.hit : series.miss).inc();
}

/** A token the console asked for: `outcome` "ok" or why it wasn't had; `seconds` how long asking took. */
export function countTokenMint(workspaceId: string, mode: string, outcome: string, seconds: number) {
  metrics.tokenMints.inc({ [WORKSPACE_LABEL]: workspaceId, mode, outcome });
  metrics.tokenMintSeconds.observe({ [WORKSPACE_LABEL]: workspaceId, mode }, Math.max(0, seconds));
}

// ---- the gateway -------------------------------------------------------------------------------

export function countSessionOpened(workspaceId: string, endpoint: GatewayEndpoint) {
  metrics.sessionsOpened.inc({ [WORKSPACE_LABEL]: workspaceId, endpoint });
}

/** A long-lived stream opened; the function returned counts it closed (once, however often it is called). */
export function countStreamOpened(workspaceId: string, endpoint: GatewayEndpoint): () => void {
  const labels = { [WORKSPACE_LABEL]: workspaceId, endpoint };
  metrics.openStreams.inc(labels);
  let closed = false;
  return () => {
    if (closed) return;
    closed = true;
    metrics.openStreams.dec(labels);
  };
}

// ---- rate limits -------------------------------------------------------------------------------

/** `refusals`: 0 only declares the limit's series. */
export function countRateLimitRefusal(limit: string, refusals = 1) {
  metrics.rateLimitRefusals.inc({ limit }, refusals);
}
