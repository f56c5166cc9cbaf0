// One console instance's start-up seeding, as a process of its own (tests/integration/startup.test.ts
// starts several at once): prints bootstrapOwner's answer, or exits 1 with the error.
import { bootstrapOwner } from "@/lib/auth/bootstrap";
import { db } from "@/lib/db";

try {
  process.stdout.write(`${await bootstrapOwner()}\n`);
  await db().$disconnect();
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
}
