// What the Activity charts draw, from an answer of GET /api/v1/tool-calls/stats: one row per bucket
// with a value per series, the few times the axis names (on the viewer's clock), and the words for
// times and durations. No React here, so it is tested on its own.
import type { ChartRange } from "@/lib/activity/stats-window";
import type { ToolCallStats } from "@/lib/client/hooks";

export type ChartMetric = "calls" | "errors" | "p50_ms";
export const METRIC_TITLES: Record<ChartMetric, string> = { calls: "Calls", errors: "Errors", p50_ms: "Median latency" };
/** A series as the charts draw it: its figures, what it is called and its colour. */
export type ChartSeries = ToolCallStats["series"][number] & { name: string; color: string };
/** Each plot's height in pixels (kept while the chart library loads). */
export const CHART_HEIGHT = 168;
/** A bucket as a chart row: `t` is its start (ms), then a value per series key; no value where the series had no calls (a gap in a line). */
export type ChartRow = { t: number } & Record<string, number | undefined>;

export function chartRows(stats: ToolCallStats, metric: ChartMetric): ChartRow[] {
  return stats.buckets.map((bucket) => {
    const row: ChartRow = { t: Date.parse(bucket.start) };
    for (const series of bucket.series) {
      const value = series[metric];
      if (value !== null) row[series.key] = value;
    }
    return row;
  });
}

const HOUR_MS = 3_600_000;

/** The bucket starts the axis names: every sixth hour of a day, each midnight of a week, every seventh day of a month. */
export function axisTicks(stats: ToolCallStats, range: ChartRange): number[] {
  const starts = stats.buckets.map((bucket) => Date.parse(bucket.start));
  if (range === "24h") return starts.filter((t) => new Date(t).getHours() % 6 === 0 && new Date(t).getMinutes() === 0);
  if (range === "7d") return starts.filter((t) => new Date(t).getHours() === 0 && new Date(t).getMinutes() === 0);
  // A month: the last day and every seventh before it, so today is always named.
  return starts.filter((_, index) => (starts.length - 1 - index) % 7 === 0);
}

const hour = new Intl.DateTimeFormat(undefined, { hour: "numeric" });
const time = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit" });
const weekday = new Intl.DateTimeFormat(undefined, { weekday: "short" });
const day = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric" });
const dayAndHour = new Intl.DateTimeFormat(undefined, { weekday: "short", month: "short", day: "numeric", hour: "numeric", minute: "2-digit" });

/** A tick's words: a time of day, a weekday, or a date. */
export function tickLabel(t: number, range: ChartRange): string {
  if (range === "24h") return hour.format(t);
  if (range === "7d") return weekday.format(t);
  return day.format(t);
}

/** A bucket's words in a tooltip: "Tue, Dec 3, 2:00 PM – 3:00 PM", or the day alone for a day's bucket. */
export function bucketLabel(t: number, bucketSeconds: number): string {
  if (bucketSeconds >= 24 * 3600) return day.format(t);
  return `${dayAndHour.format(t)} – ${time.format(t + bucketSeconds * 1000)}`;
}

/** How long a bucket is, in words for a caption: "per hour", "per 6 hours", "per day". */
export function perBucket(bucketSeconds: number): string {
  if (bucketSeconds === HOUR_MS / 1000) return "per hour";
  if (bucketSeconds === 24 * 3600) return "per day";
  if (bucketSeconds % 3600 === 0) return `per ${bucketSeconds / 3600} hours`;
  return `per ${bucketSeconds / 60} minutes`;
}

export function formatDuration(ms: number | null): string {
  if (ms === null) return "–";
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

const count = new Intl.NumberFormat();
export function formatCount(n: number): string {
  return count.format(n);
}

export function formatMetric(metric: ChartMetric, value: number): string {
  return metric === "p50_ms" ? formatDuration(value) : formatCount(value);
}
