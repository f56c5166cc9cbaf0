// On an empty database, create the first workspace and its owner from ADMIN_EMAIL / ADMIN_PASSWORD.
// Several instances may start at once on one empty database: exactly one of them creates the owner,
// the others find it there — none fails.
import "server-only";
import { randomUUID } from "node:crypto";
import { hashPassword } from "@/lib/crypto";
import { db, isPostgres, prismaErrorCode, type DbTransaction } from "@/lib/db";
import { env } from "@/lib/env";
import { log } from "@/lib/log";

// Any constant: the key of the PostgreSQL advisory lock the seeding transactions take in turn.
const SEED_LOCK_KEY = 728_301_455;

/**
 * Makes the seeding transactions of several instances run one after the other, so the one that
 * comes second counts the first's owner. PostgreSQL: an advisory lock held until commit. SQLite: a
 * write as the first statement takes the database's write lock (the busy timeout waits for it), and
 * the reads after it see whatever committed before.
 */
async function takeSeedLock(tx: DbTransaction) {
  if (isPostgres()) await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${SEED_LOCK_KEY})`);
  else await tx.$executeRawUnsafe("UPDATE users SET id = id WHERE 0");
}

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
  try {
    const created = await db().$transaction(async (tx) => {
      await takeSeedLock(tx);
      if ((await tx.user.count()) > 0) return false;
      await tx.workspace.create({ data: { id: workspaceId, name: "Default workspace", createdAt: now } });
      await tx.user.create({ data: { id: userId, email: ADMIN_EMAIL.toLowerCase(), name: "Owner", passwordHash, createdAt: now } });
      await tx.membership.create({ data: { userId, workspaceId, role: "owner", createdAt: now } });
      return true;
    });
    if (!created) return "exists";
  } catch (error) {
    // Another instance's owner, whatever got there first (a database that won't take the lock).
    if (prismaErrorCode(error) === "P2002") return "exists";
    throw error;
  }
  log.info({ owner: ADMIN_EMAIL }, "Created the owner account on the empty database");
  return "created";
}
