// The activity log summed up for the charts: calls, errors and latency percentiles per time bucket
// and per series (provider or identity mode), computed in the database so the browser receives a
// few hundred numbers however many calls there were: each call is placed in its bucket and series
// and grouped three ways — bucket × series for the charts, series for the legend, everything for
// the totals — in one statement (figureRows).
import "server-only";
import { z } from "zod";
import { BUCKETS, type BucketName } from "@/lib/activity/stats-window";
import { db, isPostgres, rawSql, type SqlParam } from "@/lib/db";
import { SUCCESSFUL_OUTCOMES } from "@/lib/activity/outcomes";

export const STATS_GROUPINGS = ["provider", "identity"] as const;
export type StatsGrouping = (typeof STATS_GROUPINGS)[number];

/** At most this many series; the providers with fewer calls are summed up as one, "other". */
export const MAX_SERIES = 8;
export const OTHER_SERIES = "other";

const figuresShape = {
  calls: z.int(),
  errors: z.int().describe('Calls whose outcome was an error: anything but "ok", "input_required" (the first half of a 2026-07-28 round trip) and "resumed" (as the list\'s outcome=error)'),
  tool_errors: z.int().describe('Of those, calls the tool itself answered with an error ("tool_error"); the rest failed in the console or on the way to the server'),
  p50_ms: z.int().nullable().describe("The median duration: of the n durations sorted, the one at position ⌊0.5·(n−1)⌋ counting from 0 (the lower middle one for an even n); null without calls"),
  p95_ms: z.int().nullable().describe("The 95th percentile duration: of the n durations sorted, the one at position ⌊0.95·(n−1)⌋ counting from 0; null without calls"),
};
const figuresSchema = z.object(figuresShape);
export type StatsFigures = z.infer<typeof figuresSchema>;

export const toolCallStatsSchema = z.object({
  from: z.iso.datetime().describe("The first bucket's start"),
  to: z.iso.datetime().describe("The end of the range (the last bucket may end past it)"),
  bucket: z.string().describe('The bucket size\'s name, e.g. "1h"'),
  bucket_seconds: z.int(),
  group_by: z.enum(STATS_GROUPINGS),
  totals: figuresSchema,
  series: z
    .array(z.object({ key: z.string(), label: z.string(), ...figuresShape }))
    .describe(`Most calls first; at most ${MAX_SERIES} — past that, the providers with the fewest calls are summed up as one series, key "${OTHER_SERIES}"`),
  buckets: z
    .array(
      z.object({
        start: z.iso.datetime(),
        calls: z.int(),
        errors: z.int(),
        tool_errors: z.int(),
        series: z.array(z.object({ key: z.string(), ...figuresShape })).describe("The series with calls in this bucket"),
      }),
    )
    .describe("Every bucket of the range, oldest first, empty ones included"),
});
export type ToolCallStats = z.infer<typeof toolCallStatsSchema>;

export type StatsOptions = {
  workspaceId: string;
  userId?: string;
  providerId?: string;
  from: Date;
  to: Date;
  bucket: BucketName;
  groupBy: StatsGrouping;
};

type Filter = { where: string; params: SqlParam[] };

function filterOf(options: StatsOptions): Filter {
  const where = ["workspace_id = ?", "created_at >= ?", "created_at < ?"];
  const params: SqlParam[] = [options.workspaceId, options.from, options.to];
  if (options.userId) {
    where.push("user_id = ?");
    params.push(options.userId);
  }
  if (options.providerId) {
    where.push("provider_id = ?");
    params.push(options.providerId);
  }
  return { where: where.join(" AND "), params };
}

const seriesColumn = (groupBy: StatsGrouping) => (groupBy === "provider" ? "provider_id" : "identity");

type FigureRow = { b: bigint | number; s: string; name: string | null; calls: bigint | number; errors: bigint | number | null; tool_errors: bigint | number | null; p50: bigint | number | null; p95: bigint | number | null };

/**
 * The figures grouped three ways — bucket × series, series, everything (b = -1 and s = '' where a
 * grouping leaves one out) — in one statement that reads each call once. Past MAX_SERIES series,
 * the ones with the fewest calls are summed up as one before the grouping (percentiles can't be
 * merged from their parts). Percentiles are the same on both databases: the duration at position
 * ⌊p·(n−1)⌋ of the n durations sorted, counted from 0 — SQLite's percentile_disc (better-sqlite3
 * builds it in), and the same double arithmetic over a sorted array on PostgreSQL (whose
 * percentile_disc counts differently).
 */
async function figureRows(options: StatsOptions, filter: Filter): Promise<FigureRow[]> {
  const column = seriesColumn(options.groupBy);
  // The call's bucket: whole seconds since the range's start, divided by the bucket's size.
  const bucketOf = isPostgres() ? "FLOOR((EXTRACT(EPOCH FROM created_at) - ?) / ?)::int" : "(CAST(strftime('%s', created_at) AS INTEGER) - CAST(? AS INTEGER)) / CAST(? AS INTEGER)";
  // A provider's name as its calls were recorded, for one that is gone since.
  const nameOf = options.groupBy === "provider" ? "provider_name" : "NULL";
  // PostgreSQL materializes a CTE read twice by itself; SQLite is told to, rather than read the table three times.
  const materialized = isPostgres() ? "" : "MATERIALIZED";
  const sums = "MAX(name) AS name, COUNT(*) AS calls, SUM(e) AS errors, SUM(t) AS tool_errors";
  const grouped = isPostgres()
    ? `SELECT CASE WHEN GROUPING(b) = 1 THEN -1 ELSE b END AS b, CASE WHEN GROUPING(s) = 1 THEN '' ELSE s END AS s, ${sums},
         (array_agg(d ORDER BY d))[FLOOR(0.5::float8 * (COUNT(*) - 1))::int + 1] AS p50,
         (array_agg(d ORDER BY d))[FLOOR(0.95::float8 * (COUNT(*) - 1))::int + 1] AS p95
       FROM c GROUP BY GROUPING SETS ((b, s), (s), ())`
    : `SELECT b, s, ${sums}, percentile_disc(d, 0.5) AS p50, percentile_disc(d, 0.95) AS p95 FROM c GROUP BY b, s
       UNION ALL SELECT -1, s, ${sums}, percentile_disc(d, 0.5), percentile_disc(d, 0.95) FROM c GROUP BY s
       UNION ALL SELECT -1, '', ${sums}, percentile_disc(d, 0.5), percentile_disc(d, 0.95) FROM c`;
  const sql = `
    WITH calls AS ${materialized} (
      SELECT ${bucketOf} AS b, ${column} AS s, ${nameOf} AS name, duration_ms AS d,
             CASE WHEN outcome IN (${SUCCESSFUL_OUTCOMES.map((outcome) => `'${outcome}'`).join(", ")}) THEN 0 ELSE 1 END AS e, CASE WHEN outcome = 'tool_error' THEN 1 ELSE 0 END AS t
      FROM tool_calls WHERE ${filter.where}
    ),
    ranked AS (SELECT s, ROW_NUMBER() OVER (ORDER BY COUNT(*) DESC, s) AS r, COUNT(*) OVER () AS n FROM calls GROUP BY s),
    c AS ${materialized} (
      SELECT b, CASE WHEN s IN (SELECT s FROM ranked WHERE n <= ${MAX_SERIES} OR r < ${MAX_SERIES}) THEN s ELSE '${OTHER_SERIES}' END AS s, name, d, e, t FROM calls
    )
    ${grouped}`;
  return rawSql().query<FigureRow>(sql, options.from.getTime() / 1000, BUCKETS[options.bucket], ...filter.params);
}

const count = (value: bigint | number | null) => Number(value ?? 0);
const duration = (value: bigint | number | null) => (value === null ? null : Number(value));

function figuresOf(row: FigureRow | undefined): StatsFigures {
  if (!row) return { calls: 0, errors: 0, tool_errors: 0, p50_ms: null, p95_ms: null };
  return { calls: count(row.calls), errors: count(row.errors), tool_errors: count(row.tool_errors), p50_ms: duration(row.p50), p95_ms: duration(row.p95) };
}

/** Most calls first; the providers summed up as one last. */
const bySize = (a: FigureRow, b: FigureRow) => Number(a.s === OTHER_SERIES) - Number(b.s === OTHER_SERIES) || count(b.calls) - count(a.calls) || a.s.localeCompare(b.s);

/** What a series is called: a provider's current name, or one its calls were recorded under once it is gone; an identity mode as stored. */
async function labelsOf(options: StatsOptions, series: FigureRow[]): Promise<Map<string, string>> {
  const labels = new Map(series.map((row) => [row.s, row.name ?? row.s]));
  if (options.groupBy !== "provider") return labels;
  const current = await db().mcpProvider.findMany({ where: { workspaceId: options.workspaceId, id: { in: [...labels.keys()] } }, select: { id: true, name: true } });
  for (const provider of current) labels.set(provider.id, provider.name);
  labels.set(OTHER_SERIES, "Other providers");
  return labels;
}

export async function toolCallStats(asked: StatsOptions): Promise<ToolCallStats> {
  // Buckets are counted in whole seconds from the range's start.
  const options = { ...asked, from: new Date(Math.floor(asked.from.getTime() / 1000) * 1000) };
  const rows = await figureRows(options, filterOf(options));
  const series = rows.filter((row) => Number(row.b) === -1 && row.s !== "").sort(bySize);
  const labels = await labelsOf(options, series);
  const size = BUCKETS[options.bucket];
  const bucketTotal = Math.max(1, Math.ceil((options.to.getTime() - options.from.getTime()) / (size * 1000)));
  const byBucket = new Map<number, FigureRow[]>();
  for (const row of rows) {
    const index = Number(row.b);
    if (index < 0 || index >= bucketTotal) continue;
    const cells = byBucket.get(index);
    if (cells) cells.push(row);
    else byBucket.set(index, [row]);
  }
  const start = options.from.getTime();
  return {
    from: new Date(start).toISOString(),
    to: options.to.toISOString(),
    bucket: options.bucket,
    bucket_seconds: size,
    group_by: options.groupBy,
    totals: figuresOf(rows.find((row) => Number(row.b) === -1 && row.s === "")),
    series: series.map((row) => ({ key: row.s, label: labels.get(row.s) ?? row.s, ...figuresOf(row) })),
    buckets: Array.from({ length: bucketTotal }, (_, index) => {
      const cells = byBucket.get(index) ?? [];
      return {
        start: new Date(start + index * size * 1000).toISOString(),
        calls: cells.reduce((sum, row) => sum + count(row.calls), 0),
        errors: cells.reduce((sum, row) => sum + count(row.errors), 0),
        tool_errors: cells.reduce((sum, row) => sum + count(row.tool_errors), 0),
        series: cells.map((row) => ({ key: row.s, ...figuresOf(row) })),
      };
    }),
  };
}
