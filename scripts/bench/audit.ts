// Section e of the bench: verifying a workspace's activity chain of 100,000 records, on SQLite and
// on PostgreSQL (the target: under 5 s on this machine). The chain is built through the console's
// own append path (scripts/bench/audit-chain.ts) in a fresh database of each kind.
import { z } from "zod";
import { fmt, onBothDatabases } from "./support";

const resultSchema = z.object({ records: z.int(), buildMs: z.number(), verifyMs: z.array(z.number()) });
export type AuditFigures = { database: string } & z.infer<typeof resultSchema>;

export async function benchAudit(): Promise<AuditFigures[]> {
  const figures = await onBothDatabases("audit", "scripts/bench/audit-chain.ts", resultSchema);
  for (const row of figures) {
    console.log(`  ${row.database}: built ${row.records.toLocaleString("en")} records in ${fmt(row.buildMs / 1000, 1)} s; verified in ${row.verifyMs.map((ms) => `${fmt(ms / 1000, 2)} s`).join(", ")}`);
  }
  return figures;
}

export function auditSection(figures: AuditFigures[]): string {
  const best = (row: AuditFigures) => Math.min(...row.verifyMs);
  return `## e. Verifying the activity log's hash chain

One workspace's chain of ${figures[0]?.records.toLocaleString("en") ?? "100,000"} records, built through the console's own append path (batches of
1,000, one transaction each) and then verified three times with \`verifyChain\` — what
\`npm run audit:verify\` and \`GET /api/v1/tool-calls/verify\` run: pages of 5,000 records read in
position order, each record's SHA-256 recomputed and its link checked, the signed head compared.

| database | build | verify (3 runs) | best |
|---|---:|---:|---:|
${figures.map((row) => `| ${row.database} | ${fmt(row.buildMs / 1000, 1)} s | ${row.verifyMs.map((ms) => fmt(ms / 1000, 2)).join(" / ")} s | ${fmt(best(row) / 1000, 2)} s |`).join("\n")}

Target: under 5 s — ${figures.every((row) => best(row) < 5000) ? "met" : "**missed**"}.
`;
}
