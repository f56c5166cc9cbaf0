// `npm run user:add -- --email a@b.c --password '…' --role member [--name "Ann"]`
// Adds a local user to the first workspace (creating the owner first on an empty database). For an
// address someone only claimed (an account made from an invitation link), it takes the account over.
// Run with the react-server condition so server-only modules load outside Next.
import { parseArgs } from "node:util";
import { randomUUID } from "node:crypto";
import { bootstrapOwner } from "@/lib/auth/bootstrap";
import { z } from "zod";
import { ROLES } from "@/lib/auth/roles";
import { hashPassword } from "@/lib/crypto";
import { announceAuthChange } from "@/lib/auth/caller-cache";
import { backgroundTasksSettled } from "@/lib/background";
import { isClaimedOnly, takeOverClaimedAccount } from "@/lib/auth/verified-address";
import { db } from "@/lib/db";
import { accessEnded } from "@/lib/workspaces/members";

const { values } = parseArgs({
  options: { email: { type: "string" }, password: { type: "string" }, role: { type: "string", default: "member" }, name: { type: "string" } },
});

async function main() {
  const role = z.enum(ROLES).parse(values.role);
  if (!values.email || !values.password || values.password.length < 8) throw new Error("--email and --password (8+ characters) are required");
  await bootstrapOwner();
  const workspace = await db().workspace.findFirst({ orderBy: { createdAt: "asc" } });
  if (!workspace) throw new Error("No workspace: set ADMIN_EMAIL and ADMIN_PASSWORD to create the first one");
  const email = values.email.toLowerCase();
  const passwordHash = await hashPassword(values.password);
  const existing = await db().user.findUnique({ where: { email } });
  if (existing && isClaimedOnly(existing)) {
    // Someone made this account from an invitation link without proving the address: the operator
    // gives it to whoever gets this password, and the claimant loses it with all it held.
    const { ended } = await db().$transaction((tx) => takeOverClaimedAccount(tx, existing.id, { passwordHash, by: "operator", name: values.name }));
    await accessEnded(existing.id, ended);
    console.log(`${email} was only claimed: whoever made it lost its sessions, tokens and workspaces`);
  }
  const user = await db().user.upsert({
    where: { email },
    update: { passwordHash },
    create: { id: randomUUID(), email, name: values.name ?? email.split("@")[0], passwordHash, createdAt: new Date() },
  });
  await db().membership.upsert({
    where: { userId_workspaceId: { userId: user.id, workspaceId: workspace.id } },
    update: { role },
    create: { userId: user.id, workspaceId: workspace.id, role, createdAt: new Date() },
  });
  // On PostgreSQL the running consoles hear this at once; on SQLite (no channel between processes)
  // a role change reaches API tokens they remember within 15 seconds.
  await announceAuthChange({ kind: "user", id: user.id });
  console.log(`${email} is a ${role} of ${workspace.name}`);
}

main().then(
  // Revoking the claimant's upstream tokens runs in the background: it finishes before the exit.
  async () => {
    await backgroundTasksSettled();
    process.exit(0);
  },
  async (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    await backgroundTasksSettled();
    process.exit(1);
  },
);
