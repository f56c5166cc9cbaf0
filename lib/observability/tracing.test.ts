// The ratio sampler's decision can't be chosen by whoever names the trace id (a client's traceparent).
import { ROOT_CONTEXT, SpanKind, trace, TraceFlags } from "@opentelemetry/api";
import { SamplingDecision, TraceIdRatioBasedSampler, type Sampler } from "@opentelemetry/sdk-trace";
import { describe, expect, it } from "vitest";
import { parseEnv } from "@/lib/env";
import { keyedRatioSampler, samplerOf } from "@/lib/observability/tracing";

// Ids a client might pick: the SDK's ratio sampler keeps every one of them at any ratio above 0.
const lowIds = Array.from({ length: 400 }, (_, i) => (i + 1).toString(16).padStart(32, "0"));
const decisions = (sampler: Sampler, ids: string[]) => ids.map((id) => sampler.shouldSample(ROOT_CONTEXT, id, "span", SpanKind.SERVER, {}, []).decision === SamplingDecision.RECORD_AND_SAMPLED);
const kept = (sampler: Sampler, ids: string[]) => decisions(sampler, ids).filter(Boolean).length;

describe("keyedRatioSampler", () => {
  it("keeps about its ratio of the ids a client could pick to be always kept, and decides each id the same way every time", () => {
    expect(kept(new TraceIdRatioBasedSampler(0.25), lowIds)).toBe(lowIds.length); // the hole it closes
    const sampler = keyedRatioSampler(0.25);
    const first = kept(sampler, lowIds);
    expect(first).toBeGreaterThan(lowIds.length * 0.15);
    expect(first).toBeLessThan(lowIds.length * 0.35);
    expect(decisions(sampler, lowIds)).toEqual(decisions(sampler, lowIds));
  });

  it("is what traceidratio and parentbased_traceidratio use: a client's low trace ids, with its sampled flag, are kept at the ratio", () => {
    const valid = { NEXTAUTH_SECRET: "x".repeat(32), ENCRYPTION_KEY: Buffer.alloc(32, 1).toString("base64"), OTEL_TRACES_SAMPLER_ARG: "0.25" };
    for (const name of ["traceidratio", "parentbased_traceidratio"]) {
      const sampler = samplerOf(parseEnv({ ...valid, OTEL_TRACES_SAMPLER: name }));
      const fromClient = lowIds.filter((traceId) => {
        const parent = trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId: "00f067aa0ba902b7", traceFlags: TraceFlags.SAMPLED, isRemote: true });
        return sampler.shouldSample(parent, traceId, "span", SpanKind.SERVER, {}, []).decision === SamplingDecision.RECORD_AND_SAMPLED;
      }).length;
      expect(fromClient, name).toBeLessThan(lowIds.length * 0.35);
      expect(fromClient, name).toBeGreaterThan(lowIds.length * 0.15);
    }
  });

  it("keeps everything at 1 and nothing at 0", () => {
    expect(kept(keyedRatioSampler(1), lowIds)).toBe(lowIds.length);
    expect(kept(keyedRatioSampler(0), lowIds)).toBe(0);
  });
});
