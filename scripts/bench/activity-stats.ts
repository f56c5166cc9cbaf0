// Section f of the bench: what GET /api/v1/tool-calls/stats costs — the Activity charts' aggregate —
// over a workspace's 100,000 calls in 30 days, on SQLite and on PostgreSQL (the target: well under a
// second for the widest view). The calls are seeded and timed by scripts/bench/activity-stats-worker.ts
// in a fresh database of each kind.
import { z } from "zod";
import { fmt, onBothDatabases } from "./support";

const resultSchema = z.object({ records: z.int(), cases: z.array(z.object({ name: z.string(), calls: z.int(), ms: z.array(z.number()) })) });
export type StatsFigures = { database: string } & z.infer<typeof resultSchema>;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];

export async function benchActivityStats(): Promise<StatsFigures[]> {
  const figures = await onBothDatabases("activity-stats", "scripts/bench/activity-stats-worker.ts", resultSchema);
  for (const row of figures) {
    for (const entry of row.cases) console.log(`  ${row.database}, ${entry.name}: ${entry.calls.toLocaleString("en")} calls, median ${fmt(median(entry.ms), 0)} ms`);
  }
  return figures;
}

export function activityStatsSection(figures: StatsFigures[]): string {
  const names = figures[0]?.cases.map((entry) => entry.name) ?? [];
  const cell = (row: StatsFigures, name: string) => {
    const entry = row.cases.find((candidate) => candidate.name === name);
    return entry ? `${fmt(median(entry.ms), 0)} ms` : "–";
  };
  const calls = (name: string) => figures[0]?.cases.find((entry) => entry.name === name)?.calls.toLocaleString("en") ?? "";
  return `## f. The Activity charts' aggregate — \`GET /api/v1/tool-calls/stats\`

One workspace's ${figures[0]?.records.toLocaleString("en") ?? "100,000"} tool calls spread over 30 days (12 providers, 20 users, three identity
modes, one call in 20 failed), summed up by \`toolCallStats\` — what the endpoint runs — for the views
the charts ask for; the median of ${figures[0]?.cases[0]?.ms.length ?? 5} runs each. Per provider, twelve providers are more than the
eight series an answer holds: the five with the fewest calls are summed up as one, in the same
statement.

| view | calls in range | ${figures.map((row) => row.database).join(" | ")} |
|---|---:|${figures.map(() => "---:").join("|")}|
${names.map((name) => `| ${name} | ${calls(name)} | ${figures.map((row) => cell(row, name)).join(" | ")} |`).join("\n")}

Each call in range is read from the table once per pass (the \`(workspace_id, created_at)\` index
finds them; the row itself is fetched for its provider, identity, outcome and duration). An index
covering those columns — \`(workspace_id, created_at, provider_id, identity, outcome, duration_ms)\` —
would let both databases answer from the index alone; a provider's page would gain most from
\`(workspace_id, provider_id, created_at)\`.
`;
}
