// Section f of the bench: what OpenTelemetry costs the gateway. Two production consoles
// (server.mjs, SQLite) side by side on the same whoami server, as the same user: one with nothing
// configured, one sending traces and the activity log to a local OTLP/HTTP sink this bench starts
// (e2e/support/otlp-receiver.ts, counting what it gets). First tools/call latency on a kept-open
// session, interleaved, with each console's CPU per call; then throughput, SESSIONS sessions each
// keeping one call in flight for BENCH_SECONDS, off then on then off then on.
import { startOtlpReceiver } from "../../e2e/support/otlp-receiver";
import { BENCH_USER, connectClient, crowd, LATENCY_CALLS, startWhoamiStack, type Throughput } from "./gateway";
import { DURATION, baseEnv, cpuMs, fmt, seed, sqliteUrl, startConsole, stats, time, unusedPort, type Stats } from "./support";

const SESSIONS = 20;
const SIDES = ["off", "on"] as const;
type Side = (typeof SIDES)[number];

// Whatever the shell running the bench says about OpenTelemetry, the "off" console has none of it.
const NOTHING_CONFIGURED = { OTEL_EXPORTER_OTLP_ENDPOINT: "", OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "", OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: "", OTEL_LOGS_EXPORTER: "", OTEL_TRACES_EXPORTER: "" };

export type TracingFigures = {
  latency: Record<Side, Stats>;
  cpuPerCall: Record<Side, number>;
  throughput: Record<Side, Throughput[]>;
  exported: { spans: number; logs: number };
};

/** Calls per second over all of a side's runs. */
const callsPerSecond = (runs: Throughput[]) => runs.reduce((sum, run) => sum + run.calls, 0) / runs.reduce((sum, run) => sum + run.seconds, 0);

export async function benchTracing(progress: (line: string) => void = console.log): Promise<TracingFigures> {
  const ports = { off: await unusedPort(), on: await unusedPort() };
  const urls = { off: `http://127.0.0.1:${ports.off}`, on: `http://127.0.0.1:${ports.on}` };
  const stack = await startWhoamiStack([urls.off, urls.on], [BENCH_USER]);
  const sink = await startOtlpReceiver({ keep: false });
  try {
    const envs = {
      off: baseEnv(sqliteUrl("tracing-off.db"), ports.off, { ...stack.enterprise, ...NOTHING_CONFIGURED }),
      on: baseEnv(sqliteUrl("tracing-on.db"), ports.on, { ...stack.enterprise, ...NOTHING_CONFIGURED, OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, OTEL_LOGS_EXPORTER: "otlp" }),
    };
    // Both sign-ins first: seeding blocks this process (and the IdP in it) long enough for its idle connections to be dropped.
    const signedIn = { off: await stack.signIn([BENCH_USER]), on: await stack.signIn([BENCH_USER]) };
    const tokens = {
      off: seed(envs.off, ["tool", stack.idp.issuer, stack.upstream.url, signedIn.off]).tokens?.[0] ?? "",
      on: seed(envs.on, ["tool", stack.idp.issuer, stack.upstream.url, signedIn.on]).tokens?.[0] ?? "",
    };
    const consoles = { off: await startConsole(ports.off, envs.off), on: await startConsole(ports.on, envs.on) };
    try {
      const gateway = (side: Side) => `${urls[side]}/mcp/whoami`;
      const clients = { off: await connectClient([gateway("off")], `Bearer ${tokens.off}`), on: await connectClient([gateway("on")], `Bearer ${tokens.on}`) };
      for (let i = 0; i < 50; i++) for (const side of SIDES) await clients[side].call(BENCH_USER.sub);
      progress(`  latency: ${LATENCY_CALLS} calls each, interleaved…`);
      const samples: Record<Side, number[]> = { off: [], on: [] };
      const cpuBefore = { off: cpuMs(consoles.off.child.pid), on: cpuMs(consoles.on.child.pid) };
      for (let i = 0; i < LATENCY_CALLS; i++) {
        for (let k = 0; k < SIDES.length; k++) {
          const side = SIDES[(i + k) % SIDES.length];
          samples[side].push(await time(() => clients[side].call(BENCH_USER.sub)));
        }
      }
      const cpuPerCall = { off: (cpuMs(consoles.off.child.pid) - cpuBefore.off) / LATENCY_CALLS, on: (cpuMs(consoles.on.child.pid) - cpuBefore.on) / LATENCY_CALLS };
      for (const side of SIDES) await clients[side].close();
      const latency = { off: stats(samples.off), on: stats(samples.on) };
      progress(`  off p50 ${fmt(latency.off.p50, 2)} ms p99 ${fmt(latency.off.p99, 2)} | on p50 ${fmt(latency.on.p50, 2)} ms p99 ${fmt(latency.on.p99, 2)} | on/off p50 ${fmt(latency.on.p50 / latency.off.p50, 3)}× | CPU per call off ${fmt(cpuPerCall.off, 2)} ms, on ${fmt(cpuPerCall.on, 2)} ms (${fmt(cpuPerCall.on / cpuPerCall.off, 3)}×)`);

      progress(`  throughput: ${SESSIONS} sessions, ${DURATION} s a run, off/on/off/on…`);
      const throughput: Record<Side, Throughput[]> = { off: [], on: [] };
      for (const side of [...SIDES, ...SIDES]) {
        const run = await crowd(Array.from({ length: SESSIONS }, () => ({ user: 0, urls: [gateway(side)] })), () => `Bearer ${tokens[side]}`, () => BENCH_USER.sub);
        for (const failure of run.failures) progress(`    failure (${side}): ${failure}`);
        throughput[side].push(run);
      }
      progress(`  off ${fmt(callsPerSecond(throughput.off), 0)} calls/s | on ${fmt(callsPerSecond(throughput.on), 0)} calls/s | on/off ${fmt(callsPerSecond(throughput.on) / callsPerSecond(throughput.off), 3)}×`);
      // Without these, "on" measured a console that sent nothing.
      if (sink.counts.spans === 0 || sink.counts.logs === 0) throw new Error(`the traced console sent ${sink.counts.spans} spans and ${sink.counts.logs} log records: tracing was not on`);
      progress(`  the sink received ${sink.counts.spans} spans and ${sink.counts.logs} log records`);
      return { latency, cpuPerCall, throughput, exported: { ...sink.counts } };
    } finally {
      await Promise.all(SIDES.map((side) => consoles[side].stop()));
    }
  } finally {
    await sink.stop();
    await stack.stop();
  }
}

/** Section f of docs/performance.md. */
export function tracingSection(figures: TracingFigures) {
  const { latency, cpuPerCall, throughput } = figures;
  const p50Ratio = latency.on.p50 / latency.off.p50;
  const throughputRatio = callsPerSecond(throughput.on) / callsPerSecond(throughput.off);
  const verdict = (ok: boolean) => (ok ? "met" : "**missed**");
  const errors = (side: Side) => throughput[side].reduce((sum, run) => sum + run.errors, 0);
  const row = (side: Side, name: string) => `| ${name} | ${fmt(latency[side].p50, 2)} ms | ${fmt(latency[side].p99, 2)} ms | ${fmt(cpuPerCall[side], 2)} ms | ${fmt(callsPerSecond(throughput[side]), 0)} | ${errors(side)} |`;
  return `## g. What tracing costs the gateway

Two production consoles (\`server.mjs\`, SQLite) side by side, the same user on the same whoami server
as in c.: **off**, with no OpenTelemetry configured, and **on**, sending traces (a span per gateway
request and per tool call) and the activity log (a log record per call) over OTLP/HTTP to a local
receiver this bench starts. Latency: \`tools/call\` on a kept-open session, ${latency.off.count} calls each, interleaved; CPU
per call from \`/proc\`. Throughput: ${SESSIONS} sessions keeping one call in flight for ${DURATION} s, off, on, off, on.
The receiver got ${figures.exported.spans} spans and ${figures.exported.logs} log records.

| | p50 | p99 | CPU per call | calls/s | errors |
|---|---:|---:|---:|---:|---:|
${row("off", "tracing off")}
${row("on", "tracing on")}

- Latency, on / off at p50: **${fmt(p50Ratio, 3)}×** (target ≤ 1.10×) — ${verdict(p50Ratio <= 1.1)}.
- Throughput, on / off: **${fmt(throughputRatio, 3)}×** (target ≥ 0.90×) — ${verdict(throughputRatio >= 0.9)}.
- CPU per call, on / off: ${fmt(cpuPerCall.on / cpuPerCall.off, 3)}×.
`;
}
