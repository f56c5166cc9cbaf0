// The embedded database is set up for a server: a commit must not wait on the disk, because
// better-sqlite3 is synchronous and a slow commit holds up every request in the process.
import { describe, expect, it } from "vitest";
import { db, isPostgres } from "@/lib/db";

describe.skipIf(isPostgres())("SQLite", () => {
  it("runs with a write-ahead log and NORMAL sync", async () => {
    await expect.poll(async () => (await db().$queryRawUnsafe<{ journal_mode: string }[]>("PRAGMA journal_mode"))[0].journal_mode).toBe("wal");
    const [sync] = await db().$queryRawUnsafe<{ synchronous: bigint | number }[]>("PRAGMA synchronous");
    expect(Number(sync.synchronous)).toBe(1); // NORMAL
  });
});
