// On an empty database, create the first workspace and its owner from ADMIN_EMAIL / ADMIN_PASSWORD.
import "server-only";
import { randomUUID } from "node:crypto";
import { hashPassword } from "@/lib/crypto";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { log } from "@/lib/log";

export async function bootstrapOwner(): Promise<"created" | "exists" | "skipped"> {
  const { ADMIN_EMAIL, ADMIN_PASSWORD } = env();
  if ((await db().user.count()) > 0) return "exists";
  if (!ADMIN_EMAIL || !ADMIN_PASSWORD) {
    log.warn({}, "The database has no users and ADMIN_EMAIL / ADMIN_PASSWORD are not set: nobody can sign in");
    return "skipped";
  }
  const now = new Date();
  const userId = randomUUID();
  const workspaceId = randomUUID();
  const passwordHash = await hashPassword(ADMIN_PASSWORD);
  await db().$transaction(async (tx) => {
    await tx.workspace.create({ data: { id: workspaceId, name: "Default workspace", createdAt: now } });
    await tx.user.create({ data: { id: userId, email: ADMIN_EMAIL.toLowerCase(), name: "Owner", passwordHash, createdAt: now } });
    await tx.membership.create({ data: { userId, workspaceId, role: "owner", createdAt: now } });
  });
  log.info({ owner: ADMIN_EMAIL }, "Created the owner account on the empty database");
  return "created";
}
