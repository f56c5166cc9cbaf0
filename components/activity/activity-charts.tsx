"use client";
// Calls, errors and median latency over time, per provider or per identity mode, for a range the
// viewer picks: the Activity page's charts, and a provider's own on its page. Drawn from the sums
// GET /api/v1/tool-calls/stats answers — never from the rows. Colours come from CSS variables that
// follow the colour scheme (app/globals.css); each chart names itself and its totals for screen
// readers, and the table below them gives every series' figures as text.
import dynamic from "next/dynamic";
import { useId, useState } from "react";
import { identityLabel } from "@/components/activity/identity-labels";
import { LoadError } from "@/components/ui/load-error";
import { tableFrameClass } from "@/components/ui/table-frame";
import { CHART_RANGE_NAMES, CHART_RANGES, type ChartRange } from "@/lib/activity/stats-window";
import { useToolCallStats, type StatsView, type ToolCallStats } from "@/lib/client/hooks";
import { CHART_HEIGHT, formatCount, formatDuration, METRIC_TITLES, perBucket, type ChartMetric, type ChartSeries } from "@/lib/client/stats-chart";

// The chart library comes with the first chart, not with the page: the figures above and the table below need none of it.
const MetricPlot = dynamic(() => import("@/components/activity/metric-plot").then((module) => module.MetricPlot), {
  ssr: false,
  loading: () => <div style={{ height: CHART_HEIGHT }} />,
});

type Grouping = StatsView["groupBy"];

const PALETTE_SIZE = 8;
const colorOf = (index: number, key: string) => (key === "other" ? "var(--chart-other)" : `var(--chart-${(index % PALETTE_SIZE) + 1})`);

function seriesOf(stats: ToolCallStats): ChartSeries[] {
  return stats.series.map((entry, index) => ({ ...entry, name: stats.group_by === "identity" ? identityLabel(entry.key) : entry.label, color: colorOf(index, entry.key) }));
}

/** A row of radio buttons that looks like a segmented control: one tab stop, arrows move within. */
function Choice<T extends string>({ legend, name, value, options, onChange }: { legend: string; name: string; value: T; options: readonly (readonly [T, string])[]; onChange: (value: T) => void }) {
  return (
    <fieldset className="min-w-0">
      <legend className="mb-1 text-xs font-medium text-muted">{legend}</legend>
      <div className="inline-flex flex-wrap rounded-md border border-zinc-300 p-0.5 dark:border-zinc-700">
        {options.map(([option, label]) => (
          <label
            key={option}
            className="cursor-pointer rounded px-2.5 py-1 text-sm has-checked:bg-zinc-900 has-checked:text-white has-focus-visible:outline-2 has-focus-visible:outline-offset-1 has-focus-visible:outline-blue-500 dark:has-checked:bg-zinc-100 dark:has-checked:text-zinc-900"
          >
            <input type="radio" className="sr-only" name={name} value={option} checked={value === option} onChange={() => { onChange(option); }} />
            {label}
          </label>
        ))}
      </div>
    </fieldset>
  );
}

/** One chart: its title and total, and the plot (recharts, loaded with the first chart) that names its figures to screen readers. */
function MetricChart({ stats, series, range, metric }: { stats: ToolCallStats; series: ChartSeries[]; range: ChartRange; metric: ChartMetric }) {
  const caption = `${METRIC_TITLES[metric]} ${perBucket(stats.bucket_seconds)}`;
  return (
    <figure className="min-w-0 rounded-xl border border-zinc-200 p-3 dark:border-zinc-800">
      <figcaption className="mb-2 flex flex-wrap items-baseline justify-between gap-x-2 text-sm">
        <span className="font-medium">{caption}</span>
        <span className="text-xs text-muted tabular-nums">{metric === "p50_ms" ? `${formatDuration(stats.totals.p50_ms)} overall` : `${formatCount(stats.totals[metric])} in all`}</span>
      </figcaption>
      <MetricPlot stats={stats} series={series} range={range} metric={metric} title={caption} desc={chartSummary(series, metric)} />
    </figure>
  );
}

/** Every series' figures as text: the charts' legend, and what a screen reader reads instead of them. */
function SeriesTable({ series, grouping }: { series: ChartSeries[]; grouping: Grouping }) {
  return (
    <div className={tableFrameClass}>
      <table className="w-full text-left text-sm">
        <caption className="sr-only">The range&apos;s figures {grouping === "provider" ? "by provider" : "by identity mode"}</caption>
        <thead className="bg-zinc-50 text-xs uppercase tracking-wide text-muted dark:bg-zinc-900">
          <tr>
            <th scope="col" className="px-3 py-2 font-medium">{grouping === "provider" ? "Provider" : "Identity"}</th>
            <th scope="col" className="px-3 py-2 text-right font-medium">Calls</th>
            <th scope="col" className="px-3 py-2 text-right font-medium">Errors</th>
            <th scope="col" className="px-3 py-2 text-right font-medium">Median</th>
            <th scope="col" className="hidden px-3 py-2 text-right font-medium sm:table-cell">p95</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-zinc-200 dark:divide-zinc-800">
          {series.map((entry) => (
            <tr key={entry.key}>
              <th scope="row" className="px-3 py-2 font-normal">
                <span className="flex items-center gap-2">
                  <span aria-hidden className="size-3 shrink-0 rounded-sm" style={{ background: entry.color }} />
                  <span className="min-w-0 break-words">{entry.name}</span>
                </span>
              </th>
              <td className="px-3 py-2 text-right tabular-nums">{formatCount(entry.calls)}</td>
              <td className="px-3 py-2 text-right tabular-nums" title={entry.errors > 0 ? `${formatCount(entry.tool_errors)} reported by the tool, ${formatCount(entry.errors - entry.tool_errors)} failed before it answered` : undefined}>
                {formatCount(entry.errors)}
              </td>
              <td className="px-3 py-2 text-right tabular-nums">{formatDuration(entry.p50_ms)}</td>
              <td className="hidden px-3 py-2 text-right tabular-nums sm:table-cell">{formatDuration(entry.p95_ms)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The figures of the whole range in a sentence. */
function totalsSentence(stats: ToolCallStats, range: ChartRange): string {
  const { calls, errors, tool_errors: toolErrors, p50_ms: p50, p95_ms: p95 } = stats.totals;
  const failed = errors - toolErrors;
  const errorWords = errors === 0 ? "no errors" : `${formatCount(errors)} ${errors === 1 ? "error" : "errors"} (${[toolErrors > 0 ? `${formatCount(toolErrors)} from the tool` : "", failed > 0 ? `${formatCount(failed)} before the tool answered` : ""].filter(Boolean).join(", ")})`;
  return `${formatCount(calls)} ${calls === 1 ? "call" : "calls"} in the last ${CHART_RANGES[range].label}, ${errorWords}; median ${formatDuration(p50)}, 95th percentile ${formatDuration(p95)}.`;
}

/** What each chart says of itself to a screen reader: its figure per series. */
function chartSummary(series: ChartSeries[], metric: ChartMetric): string {
  if (metric === "p50_ms") return series.map((entry) => `${entry.name} ${formatDuration(entry.p50_ms)}`).join(", ");
  return series.map((entry) => `${entry.name} ${formatCount(entry[metric])}`).join(", ");
}

/**
 * `provider` / `user`: only that provider's or user's calls (members see only their own anyway).
 * `grouping`: fixed (a provider's page groups its calls by identity mode); otherwise the viewer chooses.
 */
export function ActivityCharts({ provider, user, grouping: fixedGrouping, heading = "Over time" }: { provider?: string; user?: string; grouping?: Grouping; heading?: string }) {
  const id = useId();
  const [range, setRange] = useState<ChartRange>("24h");
  const [chosenGrouping, setGrouping] = useState<Grouping>("provider");
  const grouping = fixedGrouping ?? chosenGrouping;
  const stats = useToolCallStats({ range, groupBy: grouping, ...(provider ? { provider } : {}), ...(user ? { user } : {}) });
  const data = stats.data;
  const series = data ? seriesOf(data) : [];

  return (
    <section aria-labelledby={`${id}-heading`} className="space-y-4" aria-busy={stats.isFetching}>
      <div className="flex flex-wrap items-end justify-between gap-3">
        <h2 id={`${id}-heading`} className="text-lg font-semibold">{heading}</h2>
        <div className="flex flex-wrap gap-3">
          <Choice legend="Range" name={`${id}-range`} value={range} options={CHART_RANGE_NAMES.map((name) => [name, CHART_RANGES[name].label] as const)} onChange={setRange} />
          {!fixedGrouping && (
            <Choice legend="Group by" name={`${id}-grouping`} value={grouping} options={[["provider", "Provider"], ["identity", "Identity"]] as const} onChange={setGrouping} />
          )}
        </div>
      </div>
      {stats.isPending ? (
        <p role="status" className="rounded-xl border border-zinc-200 p-8 text-center text-sm text-muted dark:border-zinc-800">Loading charts…</p>
      ) : stats.isError && !data ? (
        <div className="rounded-xl border border-zinc-200 dark:border-zinc-800">
          <LoadError what="the charts" error={stats.error} retry={() => void stats.refetch()} />
        </div>
      ) : data ? (
        <div className={`space-y-4 transition-opacity ${stats.isPlaceholderData ? "opacity-60" : ""}`}>
          {stats.isError && <LoadError banner what="the charts" error={stats.error} retry={() => void stats.refetch()} />}
          <p aria-live="polite" className="text-sm">{totalsSentence(data, range)}</p>
          {data.totals.calls === 0 ? (
            <p className="rounded-xl border border-dashed border-zinc-300 p-8 text-center text-sm text-muted dark:border-zinc-700">
              No tool calls in the last {CHART_RANGES[range].label}. Calls from MCP clients, the API and Try it are counted here.
            </p>
          ) : (
            <>
              <div className="grid gap-4 lg:grid-cols-3">
                {(["calls", "errors", "p50_ms"] as const).map((metric) => (
                  <MetricChart key={metric} stats={data} series={series} range={range} metric={metric} />
                ))}
              </div>
              <SeriesTable series={series} grouping={grouping} />
            </>
          )}
        </div>
      ) : null}
    </section>
  );
}
