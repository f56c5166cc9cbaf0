"use client";
// One of the Activity charts' plots, drawn with recharts: stacked bars per series for counts, a line
// per series for the median. Axis, grid and tooltip take their colours from CSS variables that follow
// the colour scheme (app/globals.css); the chart's title and desc carry its figures to screen readers.
import { Bar, BarChart, CartesianGrid, Line, LineChart, Tooltip, XAxis, YAxis, type TooltipContentProps } from "recharts";
import type { ChartRange } from "@/lib/activity/stats-window";
import type { ToolCallStats } from "@/lib/client/hooks";
import { axisTicks, bucketLabel, CHART_HEIGHT, chartRows, formatMetric, tickLabel, type ChartMetric, type ChartSeries } from "@/lib/client/stats-chart";

function ChartTooltip({ active, payload, label, metric, bucketSeconds }: Pick<TooltipContentProps, "active" | "payload" | "label"> & { metric: ChartMetric; bucketSeconds: number }) {
  if (!active || payload.length === 0 || typeof label !== "number") return null;
  return (
    <div className="max-w-64 rounded-md border border-zinc-200 bg-white px-3 py-2 text-xs shadow-md dark:border-zinc-700 dark:bg-zinc-900">
      <p className="mb-1 font-medium">{bucketLabel(label, bucketSeconds)}</p>
      <ul className="space-y-0.5">
        {payload.map((entry) => (
          <li key={String(entry.dataKey)} className="flex items-center gap-2">
            <span aria-hidden className="size-2.5 shrink-0 rounded-sm" style={{ background: entry.color }} />
            <span className="min-w-0 truncate">{entry.name}</span>
            <span className="ml-auto pl-2 tabular-nums">{typeof entry.value === "number" ? formatMetric(metric, entry.value) : ""}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function MetricPlot({ stats, series, range, metric, title, desc }: { stats: ToolCallStats; series: ChartSeries[]; range: ChartRange; metric: ChartMetric; title: string; desc: string }) {
  const axis = {
    x: { dataKey: "t", ticks: axisTicks(stats, range), tickFormatter: (t: number) => tickLabel(t, range), interval: "preserveStartEnd" as const, minTickGap: 8, tick: { fill: "var(--chart-axis)", fontSize: 11 }, tickLine: false, axisLine: { stroke: "var(--chart-grid)" } },
    y: { width: metric === "p50_ms" ? 48 : 36, allowDecimals: false, tickFormatter: (value: number) => formatMetric(metric, value), tick: { fill: "var(--chart-axis)", fontSize: 11 }, tickLine: false, axisLine: false },
  };
  const common = { data: chartRows(stats, metric), responsive: true, style: { width: "100%", height: CHART_HEIGHT }, margin: { top: 6, right: 10, bottom: 0, left: 0 }, title, desc };
  // Recharts 3 finds its parts anywhere below the chart: both kinds share these.
  const frame = (
    <>
      <CartesianGrid vertical={false} stroke="var(--chart-grid)" />
      <XAxis {...axis.x} />
      <YAxis {...axis.y} />
      <Tooltip content={(props) => <ChartTooltip {...props} metric={metric} bucketSeconds={stats.bucket_seconds} />} cursor={metric === "p50_ms" ? { stroke: "var(--chart-grid)" } : { fill: "var(--chart-cursor)" }} isAnimationActive={false} />
    </>
  );
  if (metric === "p50_ms") {
    return (
      <LineChart {...common}>
        {frame}
        {series.map((entry) => (
          <Line key={entry.key} dataKey={entry.key} name={entry.name} stroke={entry.color} strokeWidth={2} dot={{ r: 3, strokeWidth: 0, fill: entry.color }} activeDot={{ r: 4 }} isAnimationActive={false} type="linear" />
        ))}
      </LineChart>
    );
  }
  return (
    <BarChart {...common}>
      {frame}
      {series.map((entry) => (
        <Bar key={entry.key} dataKey={entry.key} name={entry.name} stackId="calls" fill={entry.color} isAnimationActive={false} />
      ))}
    </BarChart>
  );
}
