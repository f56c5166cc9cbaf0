// The activity log summed up for the charts: calls, errors and latency percentiles per time bucket
// and per series (provider or identity mode), computed in the database so the browser receives a
// few hundred numbers however many calls there were. One statement on either database: each row is
// placed in its bucket and series, ranked by duration within it (window functions), and grouped
// three ways — bucket × series for the charts, series for the legend, everything for the totals.
import "server-only";
import { z } from "zod";
import { BUCKETS, type BucketName } from "@/lib/activity/stats-window";
import { db, isPostgres, rawSql, type SqlParam } from "@/lib/db";

export const STATS_GROUPINGS = ["provider", "identity"] as const;
export type StatsGrouping = (typeof STATS_GROUPINGS)[number];

/** At most this many series; the providers with fewer calls are summed up as one, "other". */
export const MAX_SERIES = 8;
export const OTHER_SERIES = "other";

const figuresShape = {
  calls: z.int(),
  errors: z.int().describe('Calls whose outcome was anything but "ok" (as the list\'s outcome=error)'),
  tool_errors: z.int().describe('Of those, calls the tool itself answered with an error ("tool_error"); the rest failed in the console or on the way to the server'),
  p50_ms: z.int().nullable().describe("The median duration (nearest rank: a duration that occurred); null without calls"),
  p95_ms: z.int().nullable().describe("The 95th percentile duration (nearest rank); null without calls"),
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

type SeriesRow = { s: string; n: bigint | number };

/** The series with the most calls, up to MAX_SERIES (one fewer when the rest must be summed up). */
async function leadingSeries(options: StatsOptions, filter: Filter): Promise<{ kept: string[]; folded: boolean }> {
  const column = seriesColumn(options.groupBy);
  const rows = await rawSql().query<SeriesRow>(`SELECT ${column} AS s, COUNT(*) AS n FROM tool_calls WHERE ${filter.where} GROUP BY ${column} ORDER BY n DESC, s`, ...filter.params);
  if (rows.length <= MAX_SERIES) return { kept: rows.map((row) => row.s), folded: false };
  return { kept: rows.slice(0, MAX_SERIES - 1).map((row) => row.s), folded: true };
}

type FigureRow = { b: bigint | number; s: string; calls: bigint | number; errors: bigint | number | null; tool_errors: bigint | number | null; p50: bigint | number | null; p95: bigint | number | null };

/**
 * Rank in SQL, the same on both databases: p50 is the value at rank ceil(n / 2), p95 at rank
 * ceil(0.95 n) — nearest rank, so a percentile is always a duration that occurred.
 */
async function figureRows(options: StatsOptions, filter: Filter, series: { kept: string[]; folded: boolean }): Promise<FigureRow[]> {
  const from = options.from.getTime() / 1000;
  const size = BUCKETS[options.bucket];
  // The row's bucket: whole seconds since the range's start, divided by the bucket's size.
  const bucket = isPostgres() ? "FLOOR((EXTRACT(EPOCH FROM created_at) - ?) / ?)::int" : "(CAST(strftime('%s', created_at) AS INTEGER) - CAST(? AS INTEGER)) / CAST(? AS INTEGER)";
  const column = seriesColumn(options.groupBy);
  const seriesOf = series.folded ? `CASE WHEN ${column} IN (${series.kept.map(() => "?").join(", ")}) THEN ${column} ELSE '${OTHER_SERIES}' END` : column;
  const sql = `
    WITH c AS (
      SELECT ${bucket} AS b, ${seriesOf} AS s, duration_ms AS d,
             CASE WHEN outcome = 'ok' THEN 0 ELSE 1 END AS e,
             CASE WHEN outcome = 'tool_error' THEN 1 ELSE 0 END AS t
      FROM tool_calls WHERE ${filter.where}
    ),
    g AS (
      SELECT b, s, d, e, t FROM c
      UNION ALL SELECT -1, s, d, e, t FROM c
      UNION ALL SELECT -1, '', d, e, t FROM c
    ),
    r AS (
      SELECT b, s, d, e, t, ROW_NUMBER() OVER (PARTITION BY b, s ORDER BY d) AS k, COUNT(*) OVER (PARTITION BY b, s) AS n FROM g
    )
    SELECT b, s, COUNT(*) AS calls, SUM(e) AS errors, SUM(t) AS tool_errors,
           MIN(CASE WHEN k = (n + 1) / 2 THEN d END) AS p50,
           MIN(CASE WHEN k = (95 * n + 99) / 100 THEN d END) AS p95
    FROM r GROUP BY b, s`;
  return rawSql().query<FigureRow>(sql, from, size, ...(series.folded ? series.kept : []), ...filter.params);
}

const count = (value: bigint | number | null) => Number(value ?? 0);
const duration = (value: bigint | number | null) => (value === null ? null : Number(value));

function figuresOf(row: FigureRow | undefined): StatsFigures {
  if (!row) return { calls: 0, errors: 0, tool_errors: 0, p50_ms: null, p95_ms: null };
  return { calls: count(row.calls), errors: count(row.errors), tool_errors: count(row.tool_errors), p50_ms: duration(row.p50), p95_ms: duration(row.p95) };
}

/** What a series is called: a provider's current name (the name its calls were recorded under once it is gone); an identity mode as stored. */
async function labelsOf(options: StatsOptions, filter: Filter, keys: string[]): Promise<Map<string, string>> {
  const labels = new Map(keys.map((key) => [key, key]));
  if (options.groupBy !== "provider") return labels;
  const ids = keys.filter((key) => key !== OTHER_SERIES);
  const current = await db().mcpProvider.findMany({ where: { workspaceId: options.workspaceId, id: { in: ids } }, select: { id: true, name: true } });
  for (const provider of current) labels.set(provider.id, provider.name);
  const gone = ids.filter((id) => !current.some((provider) => provider.id === id));
  if (gone.length > 0) {
    const recorded = await rawSql().query<{ s: string; name: string }>(
      `SELECT provider_id AS s, MAX(provider_name) AS name FROM tool_calls WHERE ${filter.where} AND provider_id IN (${gone.map(() => "?").join(", ")}) GROUP BY provider_id`,
      ...filter.params,
      ...gone,
    );
    for (const row of recorded) labels.set(row.s, row.name);
  }
  labels.set(OTHER_SERIES, "Other providers");
  return labels;
}

export async function toolCallStats(asked: StatsOptions): Promise<ToolCallStats> {
  // Buckets are counted in whole seconds from the range's start.
  const options = { ...asked, from: new Date(Math.floor(asked.from.getTime() / 1000) * 1000) };
  const filter = filterOf(options);
  const series = await leadingSeries(options, filter);
  const rows = await figureRows(options, filter, series);
  const size = BUCKETS[options.bucket];
  const bucketTotal = Math.max(1, Math.ceil((options.to.getTime() - options.from.getTime()) / (size * 1000)));
  const totals = rows.find((row) => Number(row.b) === -1 && row.s === "");
  // Most calls first, the providers summed up as one last.
  const rank = (row: FigureRow) => (row.s === OTHER_SERIES && series.folded ? -1 : count(row.calls));
  const seriesRows = rows.filter((row) => Number(row.b) === -1 && row.s !== "").sort((a, b) => rank(b) - rank(a) || a.s.localeCompare(b.s));
  const labels = await labelsOf(options, filter, seriesRows.map((row) => row.s));
  const byBucket = new Map<number, FigureRow[]>();
  for (const row of rows) {
    const index = Number(row.b);
    if (index < 0 || index >= bucketTotal) continue;
    byBucket.set(index, [...(byBucket.get(index) ?? []), row]);
  }
  const start = options.from.getTime();
  return {
    from: new Date(start).toISOString(),
    to: options.to.toISOString(),
    bucket: options.bucket,
    bucket_seconds: size,
    group_by: options.groupBy,
    totals: figuresOf(totals),
    series: seriesRows.map((row) => ({ key: row.s, label: labels.get(row.s) ?? row.s, ...figuresOf(row) })),
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
