// Test data for the hardening console: a local user, optionally in no workspace at all (which the
// product never makes on purpose, but a removal can leave behind).
//   tsx --conditions=react-server e2e/support/seed-user.ts --email a@b.c --password '…' [--no-workspace]
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import { hashPassword } from "@/lib/crypto";
import { db } from "@/lib/db";

const { values } = parseArgs({ options: { email: { type: "string" }, password: { type: "string" }, "no-workspace": { type: "boolean", default: false } } });

if (!values.email || !values.password) throw new Error("--email and --password are required");
const email = values.email.toLowerCase();
const user = await db().user.create({ data: { id: randomUUID(), email, name: email, passwordHash: await hashPassword(values.password), createdAt: new Date() } });
if (!values["no-workspace"]) {
  const workspace = await db().workspace.findFirstOrThrow({ orderBy: { createdAt: "asc" } });
  await db().membership.create({ data: { userId: user.id, workspaceId: workspace.id, role: "member", createdAt: new Date() } });
}
process.exit(0);
