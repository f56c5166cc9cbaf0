// The audit section's worker (run with the react-server condition, DATABASE_URL set to a migrated,
// empty database): builds a workspace's activity chain of AUDIT_RECORDS records (100,000 by default)
// through the console's own append path, a batch of 1,000 at a time, then verifies it three times.
// Prints JSON for scripts/bench/audit.ts.
import { randomUUID } from "node:crypto";
import { appendRecords } from "@/lib/activity/chain-store";
import { verifyChain } from "@/lib/activity/verify";
import { db } from "@/lib/db";

const RECORDS = Number(process.env.AUDIT_RECORDS ?? 100_000);
const BATCH = 1000;

async function main() {
  const workspaceId = randomUUID();
  await db().workspace.create({ data: { id: workspaceId, name: "bench", createdAt: new Date() } });
  const userId = randomUUID();
  const started = performance.now();
  for (let offset = 0; offset < RECORDS; offset += BATCH) {
    await appendRecords(
      Array.from({ length: Math.min(BATCH, RECORDS - offset) }, (_, index) => ({
        id: randomUUID(),
        workspaceId,
        createdAt: new Date(),
        userId,
        approval: null,
        userEmail: "bench@example.com",
        providerId: randomUUID(),
        providerName: "Bench provider",
        tool: `tool_${(offset + index) % 50}`,
        via: "gateway",
        outcome: (offset + index) % 20 === 0 ? "tool_error" : "ok",
        durationMs: (offset + index) % 300,
        identity: "off",
        requestId: randomUUID(),
        arguments: null,
        result: null,
      })),
    );
  }
  const buildMs = performance.now() - started;
  const verifyMs: number[] = [];
  for (let run = 0; run < 3; run++) {
    const start = performance.now();
    const verification = await verifyChain(workspaceId);
    verifyMs.push(performance.now() - start);
    if (!verification.ok || verification.checked !== RECORDS) throw new Error(`the chain did not verify: ${JSON.stringify(verification)}`);
  }
  console.log(JSON.stringify({ records: RECORDS, buildMs, verifyMs }));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
