import { describe, expect, it } from "vitest";
import { chartWindow } from "@/lib/activity/stats-window";
import type { ToolCallStats } from "@/lib/client/hooks";
import { axisTicks, chartRows, formatDuration, perBucket } from "@/lib/client/stats-chart";

function statsFor(range: "24h" | "7d" | "30d", now: Date): ToolCallStats {
  const { from, to, bucket } = chartWindow(range, now);
  const size = { "1h": 3600, "6h": 21_600, "1d": 86_400 }[bucket as "1h" | "6h" | "1d"];
  const buckets = Array.from({ length: (to.getTime() - from.getTime()) / (size * 1000) }, (_, index) => ({
    start: new Date(from.getTime() + index * size * 1000).toISOString(),
    calls: 0,
    errors: 0,
    tool_errors: 0,
    series: [] as ToolCallStats["buckets"][number]["series"],
  }));
  const empty = { calls: 0, errors: 0, tool_errors: 0, p50_ms: null, p95_ms: null };
  return { from: from.toISOString(), to: to.toISOString(), bucket, bucket_seconds: size, group_by: "provider", totals: empty, series: [], buckets };
}

describe("the Activity charts' rows and axis", () => {
  const now = new Date(2026, 11, 3, 14, 37);

  it("gives each bucket a value per series that had calls, and none where it had none (a gap in a line)", () => {
    const stats = statsFor("24h", now);
    stats.buckets[0].series = [{ key: "a", calls: 3, errors: 1, tool_errors: 0, p50_ms: 12, p95_ms: 40 }];
    const [first, second] = chartRows(stats, "p50_ms");
    expect(first).toEqual({ t: Date.parse(stats.buckets[0].start), a: 12 });
    expect(second).toEqual({ t: Date.parse(stats.buckets[1].start) });
    expect(chartRows(stats, "errors")[0].a).toBe(1);
  });

  it("names a few times on the axis: every sixth hour of a day, each midnight of a week, every seventh day of a month ending today", () => {
    const day = axisTicks(statsFor("24h", now), "24h").map((t) => new Date(t).getHours());
    expect(day.sort((a, b) => a - b)).toEqual([0, 6, 12, 18]);
    const week = axisTicks(statsFor("7d", now), "7d");
    expect(week).toHaveLength(7);
    expect(week.every((t) => new Date(t).getHours() === 0)).toBe(true);
    const month = statsFor("30d", now);
    const ticks = axisTicks(month, "30d");
    expect(ticks.at(-1)).toBe(Date.parse(month.buckets.at(-1)?.start ?? ""));
    expect(ticks).toHaveLength(5);
  });

  it("says durations and bucket sizes in words", () => {
    expect([formatDuration(null), formatDuration(42), formatDuration(1234), formatDuration(65_000)]).toEqual(["–", "42 ms", "1.2 s", "65 s"]);
    expect([perBucket(3600), perBucket(21_600), perBucket(86_400), perBucket(900)]).toEqual(["per hour", "per 6 hours", "per day", "per 15 minutes"]);
  });
});
