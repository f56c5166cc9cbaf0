// Appends records to one workspace's activity chain from a process of its own, starting at a given
// moment, so that two of these write at once (tests/integration/activity-chain.test.ts).
//   tsx --conditions=react-server tests/support/chain-writer.ts <workspace id> <batches> <records per batch> <start at, ms since epoch> <label>
import { randomUUID } from "node:crypto";
import { appendRecords } from "@/lib/activity/chain-store";

const [workspaceId, batches, perBatch, startAt, label] = process.argv.slice(2);

async function main() {
  if (Date.now() > Number(startAt)) console.error(`${label} started ${Date.now() - Number(startAt)} ms late`);
  while (Date.now() < Number(startAt)) await new Promise((resolve) => setTimeout(resolve, 2));
  for (let batch = 0; batch < Number(batches); batch++) {
    // A pause between batches, as between a console's flushes: the other writer gets its turns.
    await new Promise((resolve) => setTimeout(resolve, 5));
    await appendRecords(
      Array.from({ length: Number(perBatch) }, (_, index) => ({
        id: randomUUID(),
        workspaceId,
        createdAt: new Date(),
        userId: label,
        userEmail: `${label}@example.test`,
        providerId: "p",
        approval: null,
        providerName: "P",
        tool: `${label}-${batch}-${index}`,
        via: "gateway",
        outcome: "ok",
        durationMs: 1,
        identity: "off",
        requestId: randomUUID(),
        arguments: null,
        result: null,
      })),
    );
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
