// The activity-stats section's worker (run with the react-server condition, DATABASE_URL set to a
// migrated, empty database): seeds STATS_RECORDS tool calls (100,000 by default) over 30 days — 12
// providers, 20 users, three identity modes, one call in 20 an error — then times toolCallStats,
// what GET /api/v1/tool-calls/stats answers, for the ranges and views the charts ask for.
// Prints JSON for scripts/bench/activity-stats.ts.
import { randomUUID } from "node:crypto";
import { toolCallStats, type StatsOptions } from "@/lib/activity/stats";
import { chartWindow, type ChartRange } from "@/lib/activity/stats-window";
import { db, rawSql } from "@/lib/db";

const RECORDS = Number(process.env.STATS_RECORDS ?? 100_000);
const BATCH = 5000;
const RUNS = 5;
const DAY_MS = 86_400_000;

async function seed(now: Date) {
  const workspaceId = randomUUID();
  await db().workspace.create({ data: { id: workspaceId, name: "bench", createdAt: now } });
  const providers = Array.from({ length: 12 }, (_, i) => ({ id: randomUUID(), name: `Provider ${i}` }));
  const users = Array.from({ length: 20 }, () => randomUUID());
  const identities = ["off", "idp_token", "oauth"];
  const start = now.getTime() - 30 * DAY_MS;
  for (let offset = 0; offset < RECORDS; offset += BATCH) {
    // Rows straight into the table: the chain's hashes play no part in the sums.
    await db().toolCall.createMany({
      data: Array.from({ length: Math.min(BATCH, RECORDS - offset) }, (_, index) => {
        const n = offset + index;
        const provider = providers[(n * 7) % providers.length];
        return {
          id: randomUUID(),
          workspaceId,
          userId: users[n % users.length],
          userEmail: "bench@example.com",
          providerId: provider.id,
          providerName: provider.name,
          tool: `tool_${n % 50}`,
          via: "gateway",
          outcome: n % 20 === 0 ? (n % 40 === 0 ? "tool_error" : "upstream_error") : "ok",
          // Mostly quick, with a long tail.
          durationMs: Math.round(5 + ((n * 37) % 100) * (n % 13 === 0 ? 40 : 1)),
          identity: identities[n % identities.length],
          requestId: randomUUID(),
          createdAt: new Date(start + Math.floor((n / RECORDS) * 30 * DAY_MS)),
        };
      }),
    });
  }
  // As autovacuum (PostgreSQL) or `PRAGMA optimize` (SQLite) would after that many new rows: the planner knows the table.
  await rawSql().execute("ANALYZE tool_calls");
  return { workspaceId, userId: users[0], providerId: providers[0].id };
}

async function timed(options: StatsOptions) {
  const ms: number[] = [];
  let calls = 0;
  for (let run = 0; run < RUNS; run++) {
    const started = performance.now();
    calls = (await toolCallStats(options)).totals.calls;
    ms.push(performance.now() - started);
  }
  return { calls, ms };
}

async function main() {
  const now = new Date();
  const seeded = await seed(now);
  const window = (range: ChartRange) => chartWindow(range, now);
  const cases: [string, Omit<StatsOptions, "workspaceId">][] = [
    ["workspace, 30 days by day, per provider", { ...window("30d"), groupBy: "provider" }],
    ["workspace, 30 days by day, per identity mode", { ...window("30d"), groupBy: "identity" }],
    ["workspace, 7 days by 6 hours, per provider", { ...window("7d"), groupBy: "provider" }],
    ["workspace, 24 hours by the hour, per provider", { ...window("24h"), groupBy: "provider" }],
    ["one provider's page, 30 days", { ...window("30d"), groupBy: "identity", providerId: seeded.providerId }],
    ["a member's own calls, 30 days", { ...window("30d"), groupBy: "provider", userId: seeded.userId }],
  ];
  const results = [];
  for (const [name, options] of cases) results.push({ name, ...(await timed({ workspaceId: seeded.workspaceId, ...options })) });
  console.log(JSON.stringify({ records: RECORDS, cases: results }));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
